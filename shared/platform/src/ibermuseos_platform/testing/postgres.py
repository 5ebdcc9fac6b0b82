"""Throw-away PostgreSQL databases for tests, migrated like the real ones."""

import asyncio
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from alembic import command
from alembic.config import Config


class TestDatabases:
    """Creates databases on the test server with the superuser URL, and drops them afterwards."""

    __test__ = False

    def __init__(self, admin_url: str) -> None:
        self._admin_url = admin_url
        self._created: list[str] = []

    async def create(self, hint: str) -> str:
        """A new empty database; returns its SQLAlchemy asyncpg URL."""
        name = f"test_{hint}_{uuid.uuid4().hex[:8]}"
        connection = await asyncpg.connect(self._admin_url)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        self._created.append(name)
        return self.url(name)

    def url(self, database: str) -> str:
        parts = urlsplit(self._admin_url)
        return urlunsplit(("postgresql+asyncpg", parts.netloc, f"/{database}", parts.query, ""))

    async def drop_all(self) -> None:
        connection = await asyncpg.connect(self._admin_url)
        try:
            for name in self._created:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()
        self._created.clear()


async def migrate(database_url: str, alembic_ini: Path) -> None:
    """Run a service's Alembic migrations to head against `database_url`."""
    config = Config(str(alembic_ini))
    config.set_main_option("script_location", str(alembic_ini.parent / "migrations"))
    config.attributes["database_url"] = database_url
    # The migration environment runs its own event loop; give it a thread.
    await asyncio.to_thread(command.upgrade, config, "head")
