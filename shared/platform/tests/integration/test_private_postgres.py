"""A test's own PostgreSQL server: it answers, goes away when stopped, and comes back with its data."""

import asyncpg
import pytest
from ibermuseos_platform.testing.private_postgres import PrivatePostgres

pytestmark = pytest.mark.integration


async def test_a_private_server_stops_and_starts_again_with_its_data(
    private_postgres: PrivatePostgres,
) -> None:
    url = (await private_postgres.databases.create("private")).replace("postgresql+asyncpg", "postgresql")
    connection = await asyncpg.connect(url)
    await connection.execute("CREATE TABLE kept (value int); INSERT INTO kept VALUES (7)")
    await connection.close()

    private_postgres.stop()
    with pytest.raises(ConnectionRefusedError):
        await asyncpg.connect(url)
    private_postgres.start()

    connection = await asyncpg.connect(url)
    assert await connection.fetchval("SELECT value FROM kept") == 7
    await connection.close()
