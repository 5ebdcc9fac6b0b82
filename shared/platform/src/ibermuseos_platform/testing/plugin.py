"""pytest fixtures for tests that need the real PostgreSQL and Kafka (registered as the `ibermuseos` plugin)."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from ..dev_issuer import DevIssuer
from . import private_postgres as private
from .infrastructure import Infrastructure, InfrastructureMissing, infrastructure
from .kafka import KafkaTestClient, delete_topics
from .postgres import TestDatabases
from .services import Launcher


@pytest.fixture(scope="session")
def infra() -> Iterator[Infrastructure]:
    try:
        with infrastructure() as found:
            yield found
    except InfrastructureMissing as missing:
        pytest.exit(str(missing), returncode=3)


@pytest.fixture(scope="session")
def topic_prefix(infra: Infrastructure) -> Iterator[str]:
    """Every topic of this test session lives under its own namespace, so sessions never see each other.

    The namespace's topics are deleted at the end, so the broker does not fill up with test topics.
    """
    prefix = f"test-{uuid.uuid4().hex[:8]}."
    yield prefix
    asyncio.run(delete_topics(infra.kafka_bootstrap, prefix))


@pytest.fixture(scope="session")
async def databases(infra: Infrastructure) -> AsyncIterator[TestDatabases]:
    """Creates throw-away databases (and drops them at the end of the session)."""
    dbs = TestDatabases(infra.postgres_admin_url)
    yield dbs
    await dbs.drop_all()


@pytest.fixture(scope="session")
async def kafka(infra: Infrastructure, topic_prefix: str) -> AsyncIterator[KafkaTestClient]:
    client = KafkaTestClient(infra.kafka_bootstrap, topic_prefix)
    yield client
    await client.close()


@pytest.fixture(scope="session")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> DevIssuer:
    """The tests' identity provider: the services `launcher` starts trust the tokens it signs."""
    issuer = DevIssuer(tmp_path_factory.mktemp("issuer"))
    issuer.write_key_set()
    return issuer


@pytest.fixture(scope="session")
def launcher(
    pytestconfig: pytest.Config,
    infra: Infrastructure,
    databases: TestDatabases,
    issuer: DevIssuer,
    topic_prefix: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Launcher:
    """Starts services of this repository as their own processes on fresh databases, in this session's topics."""
    return Launcher(pytestconfig.rootpath, infra, databases, issuer, topic_prefix, tmp_path_factory.mktemp)


@pytest.fixture
def private_postgres() -> Iterator[private.PrivatePostgres]:
    """A PostgreSQL server of the test's own, which it may stop and start (the shared one never is)."""
    with private.private_postgres() as cluster:
        yield cluster
