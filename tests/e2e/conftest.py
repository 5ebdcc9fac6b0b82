"""Fixtures of the end-to-end tests."""

from collections.abc import AsyncIterator

import pytest
from ibermuseos_platform.testing.infrastructure import Infrastructure
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.postgres import TestDatabases
from platform_harness import Platform, running_platform


@pytest.fixture(scope="session")
async def platform(
    infra: Infrastructure,
    databases: TestDatabases,
    topic_prefix: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Platform]:
    """The four services most end-to-end tests share, in a namespace of their own: the session's topics carry
    what the services' integration tests published, which is no business of theirs."""
    folder = tmp_path_factory.mktemp("platform")
    async with running_platform(
        folder, infra=infra, databases=databases, topic_prefix=f"{topic_prefix}e2e."
    ) as running:
        yield running


@pytest.fixture(scope="session")
async def platform_topics(infra: Infrastructure, platform: Platform) -> AsyncIterator[KafkaTestClient]:
    """Reads the shared platform's topics."""
    client = KafkaTestClient(infra.kafka_bootstrap, platform.topic_prefix)
    yield client
    await client.close()
