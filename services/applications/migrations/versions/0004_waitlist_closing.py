"""the waitlist's term and its closing

A call may set `waitlist_closes_at` (in its terms); the column repeats it for the job that closes
waitlists at their term, and `waitlist_closed_at` says when the waitlist closed (at its term or by
a coordinator): nobody is promoted afterwards. Existing calls have no term and an open waitlist.
Evaluators' time zones live in the panel's JSON and need no column.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('calls', sa.Column('waitlist_closes_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('calls', sa.Column('waitlist_closed_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE calls SET waitlist_closes_at = (terms->>'waitlist_closes_at')::timestamptz "
        "WHERE terms->>'waitlist_closes_at' IS NOT NULL"
    )
    op.create_index(
        'ix_calls_waitlist_to_close',
        'calls',
        ['waitlist_closes_at'],
        unique=False,
        postgresql_where=sa.text("status = 'results_released' AND waitlist_closed_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        'ix_calls_waitlist_to_close',
        table_name='calls',
        postgresql_where=sa.text("status = 'results_released' AND waitlist_closed_at IS NULL"),
    )
    op.drop_column('calls', 'waitlist_closed_at')
    op.drop_column('calls', 'waitlist_closes_at')
