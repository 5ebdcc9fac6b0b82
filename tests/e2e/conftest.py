"""Fixtures of the end-to-end tests."""

from collections.abc import AsyncIterator

import pytest
from ibermuseos_platform.testing.infrastructure import Infrastructure
from ibermuseos_platform.testing.postgres import TestDatabases
from platform_harness import Platform, running_platform


@pytest.fixture(scope="session")
async def platform(
    infra: Infrastructure,
    databases: TestDatabases,
    topic_prefix: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Platform]:
    folder = tmp_path_factory.mktemp("platform")
    async with running_platform(
        folder, infra=infra, databases=databases, topic_prefix=topic_prefix
    ) as running:
        yield running
