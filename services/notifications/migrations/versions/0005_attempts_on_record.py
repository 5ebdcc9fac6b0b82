"""attempts on record before sending: the attempt under way, possible duplicates, failure reasons

An e-mail attempt is written (`sending`) before the mail goes to a relay and finished when its
answer is recorded, so one interrupted between the two is seen; the message then carries
`possible_duplicate`. Attempts are written by number (unique per message). A failed message
keeps why (`failure_reason`, as NotificationFailed said it).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("failure_reason", sa.String(length=30), nullable=True))
    op.add_column("messages", sa.Column("sending_attempt", sa.Integer(), nullable=True))
    op.add_column(
        "messages",
        sa.Column("possible_duplicate", sa.Boolean(), server_default="false", nullable=False),
    )
    op.alter_column("delivery_attempts", "finished_at", existing_type=sa.DateTime(timezone=True), nullable=True)
    op.create_unique_constraint(
        "uq_delivery_attempts_message_number", "delivery_attempts", ["message_id", "number"]
    )


def downgrade() -> None:
    op.drop_constraint("uq_delivery_attempts_message_number", "delivery_attempts", type_="unique")
    op.execute("UPDATE delivery_attempts SET finished_at = started_at WHERE finished_at IS NULL")
    op.alter_column("delivery_attempts", "finished_at", existing_type=sa.DateTime(timezone=True), nullable=False)
    op.drop_column("messages", "possible_duplicate")
    op.drop_column("messages", "sending_attempt")
    op.drop_column("messages", "failure_reason")
