"""certificates: the zone their dates are told in (the run's), kept with the wording

Certificates issued before this revision get their run's zone, the one their statement's dates
were already written in. Who signed them was not kept: they are printed with the signatory of
the settings (see the README).
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE certificates SET wording = wording || jsonb_build_object('timezone', runs.timezone) "
        "FROM runs WHERE runs.id = certificates.run_id AND NOT wording ? 'timezone'"
    )


def downgrade() -> None:
    op.execute("UPDATE certificates SET wording = wording - 'timezone' - 'signatory'")
