"""Each service's migrations build exactly the schema its tables describe, and undo it."""

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from ibermuseos_platform.testing.postgres import TestDatabases, migrate
from platform_harness import REPO, SERVICES
from sqlalchemy import Connection, MetaData, inspect, pool
from sqlalchemy.ext.asyncio import create_async_engine

pytestmark = pytest.mark.integration


def differences(connection: Connection, metadata: MetaData) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


@pytest.mark.parametrize("service", SERVICES)
async def test_the_migrations_build_the_schema_the_tables_describe(
    databases: TestDatabases, service: str
) -> None:
    url = await databases.create(f"migrations-{service}")
    await migrate(url, REPO / "services" / service / "alembic.ini")
    metadata: MetaData = importlib.import_module(f"ibermuseos_{service}.adapters.tables").metadata
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            found = await connection.run_sync(differences, metadata)
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    finally:
        await engine.dispose()

    assert found == []
    assert {"outbox", "inbox", "idempotency_keys"} <= tables
