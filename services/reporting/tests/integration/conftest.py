"""Fixtures of reporting's integration tests: a migrated database, fresh projection schemas, applying events."""

from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from ibermuseos_platform.testing.postgres import TestDatabases, migrate
from ibermuseos_reporting.adapters.schemas import create_projection_schema, new_schema_name
from ibermuseos_reporting.adapters.store import apply_live
from ibermuseos_reporting.domain.projections import project
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SERVICE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
async def reporting_database(databases: TestDatabases) -> str:
    url = await databases.create("reporting")
    await migrate(url, SERVICE_DIR / "alembic.ini")
    return url


@pytest.fixture
async def engine(reporting_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(reporting_database)
    yield engine
    await engine.dispose()


@pytest.fixture
async def schema(engine: AsyncEngine) -> str:
    """A fresh, empty projection schema."""
    name = new_schema_name()
    async with engine.begin() as connection:
        await create_projection_schema(connection, name)
    return name


@pytest.fixture
def apply(engine: AsyncEngine, schema: str) -> Callable[[Iterable[Any]], Any]:
    """Applies published events to the schema as the live consumer does: each in its own transaction."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def run(published: Iterable[Any]) -> None:
        for item in published:
            async with sessions() as session, session.begin():
                await apply_live(session, schema, project(item.type, item.public), item.time)

    return run


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        yield session
