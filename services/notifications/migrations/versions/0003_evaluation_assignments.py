"""evaluation assignments

What evaluators were assigned, from EvaluationAssigned: to tell each evaluator once per
assignment round and to remind them of what is left to score before the deadline.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evaluation_assignments",
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("evaluator_id", sa.String(length=255), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("score_by", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("application_id", "evaluator_id", name=op.f("pk_evaluation_assignments")),
    )
    op.create_index(
        "ix_evaluation_assignments_call_id_evaluator_id",
        "evaluation_assignments",
        ["call_id", "evaluator_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_evaluation_assignments_round_id"), "evaluation_assignments", ["round_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_evaluation_assignments_round_id"), table_name="evaluation_assignments")
    op.drop_index("ix_evaluation_assignments_call_id_evaluator_id", table_name="evaluation_assignments")
    op.drop_table("evaluation_assignments")
