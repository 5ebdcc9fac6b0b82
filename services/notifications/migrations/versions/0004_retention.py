"""retention: erased messages, when context rows were remembered, erasures on request

Messages keep their key and metadata when their content is erased (`erased_at`); the
records messages speak of note when they were first remembered (for those whose natural
end is unknown); erasures on a person's request are audited without personal data.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REMEMBERED = ("applications", "runs", "enrolments", "evaluation_assignments")


def upgrade() -> None:
    op.add_column("messages", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_messages_not_erased",
        "messages",
        ["status", "sent_at"],
        unique=False,
        postgresql_where=sa.text("erased_at IS NULL"),
    )
    for table in REMEMBERED:
        # Rows already there start their clock now: nothing is erased earlier than the policy says.
        op.add_column(
            table,
            sa.Column(
                "remembered_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
            ),
        )
    # What is looked up by person when a contact goes idle or a person is erased.
    op.create_index("ix_enrolments_person_id", "enrolments", ["person_id"], unique=False)
    op.create_index("ix_certificates_person_id", "certificates", ["person_id"], unique=False)
    op.create_index(
        "ix_evaluation_assignments_evaluator_id", "evaluation_assignments", ["evaluator_id"], unique=False
    )
    op.create_table(
        "person_erasures",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("person_pseudonym", sa.String(length=64), nullable=False),
        sa.Column("requested_by", sa.String(length=255), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("counts", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_erasures")),
    )
    op.create_index(
        op.f("ix_person_erasures_person_pseudonym"), "person_erasures", ["person_pseudonym"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_person_erasures_person_pseudonym"), table_name="person_erasures")
    op.drop_table("person_erasures")
    op.drop_index("ix_evaluation_assignments_evaluator_id", table_name="evaluation_assignments")
    op.drop_index("ix_certificates_person_id", table_name="certificates")
    op.drop_index("ix_enrolments_person_id", table_name="enrolments")
    for table in REMEMBERED:
        op.drop_column(table, "remembered_at")
    op.drop_index(
        "ix_messages_not_erased", table_name="messages", postgresql_where=sa.text("erased_at IS NULL")
    )
    op.drop_column("messages", "erased_at")
