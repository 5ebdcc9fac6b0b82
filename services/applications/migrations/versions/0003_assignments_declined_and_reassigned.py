"""assignments declined and reassigned

An assignment given back by its evaluator or taken away by a coordinator stays as the
application's history (that evaluator never gets it again), with when, how, why and by whom;
`round_id` groups what one assignment run gave each evaluator. Existing rows are active
assignments of no known round.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('assignments', sa.Column('round_id', sa.Uuid(), nullable=True))
    op.add_column('assignments', sa.Column('replaces', sa.String(length=255), nullable=True))
    op.add_column('assignments', sa.Column('released_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('assignments', sa.Column('release', sa.String(length=20), nullable=True))
    op.add_column('assignments', sa.Column('release_ground', sa.String(length=30), nullable=True))
    op.add_column('assignments', sa.Column('release_reason', sa.Text(), nullable=True))
    op.add_column('assignments', sa.Column('released_by', sa.String(length=255), nullable=True))


def downgrade() -> None:
    # Released assignments cannot be told from active ones without these columns: they go.
    op.execute("DELETE FROM assignments WHERE released_at IS NOT NULL")
    op.drop_column('assignments', 'released_by')
    op.drop_column('assignments', 'release_reason')
    op.drop_column('assignments', 'release_ground')
    op.drop_column('assignments', 'release')
    op.drop_column('assignments', 'released_at')
    op.drop_column('assignments', 'replaces')
    op.drop_column('assignments', 'round_id')
