"""The next release of the courses service, made for the upgrade test from a copy of this checkout: an
expand-only migration (a nullable column) and an optional field added to ParticipantEnrolled v1."""

import os
import shutil
import subprocess
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from container_harness import REPO, TAG

NEXT_TAG = f"{TAG}-next"
ADDED_FIELD = "channel"

MIGRATION = '''"""enrolments: how the participant enrolled (expand: a nullable column, old releases ignore it)

Revision ID: next
Revises: {head}
"""
import sqlalchemy as sa
from alembic import op

revision = "next"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("enrolments", sa.Column("channel", sa.String(20), nullable=True))


def downgrade() -> None:
    raise RuntimeError("refused: dropping enrolments.channel deletes data; contract it in a later release")
'''


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path} no longer holds {old!r}: update the next release of the upgrade test"
    path.write_text(text.replace(old, new, 1))


def build_next_courses_image(workdir: Path) -> str:
    """Copy the build context, change it as the next release would, build it; returns the image's name."""
    context = workdir / "next-release"
    ignore = shutil.ignore_patterns(".venv", "__pycache__", "tests", ".run", ".git", "node_modules")
    for part in ("shared", "services", "deploy/images"):
        shutil.copytree(REPO / part, context / part, ignore=ignore)
    for file in ("pyproject.toml", "uv.lock", ".dockerignore"):
        shutil.copy2(REPO / file, context / file)

    _replace(
        context / "shared/contracts/src/ibermuseos_contracts/courses.py",
        "    from_waitlist: bool = False\n    enrolled_at: datetime\n",
        f"    from_waitlist: bool = False\n    enrolled_at: datetime\n    {ADDED_FIELD}: str | None = None\n",
    )
    _replace(
        context / "services/courses/src/ibermuseos_courses/domain/enrolments.py",
        "            enrolled_at=now,\n        )",
        f'            enrolled_at=now,\n            {ADDED_FIELD}="web",\n        )',
    )
    head = ScriptDirectory.from_config(Config(str(REPO / "services/courses/alembic.ini"))).get_current_head()
    (context / "services/courses/migrations/versions/next_enrolment_channel.py").write_text(
        MIGRATION.format(head=head)
    )
    result = subprocess.run(
        ["bash", str(REPO / "deploy/images/build.sh"), "courses"],
        env={**os.environ, "IMAGE_CONTEXT": str(context), "IMAGE_TAG": NEXT_TAG},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return f"ibermuseos/courses:{NEXT_TAG}"
