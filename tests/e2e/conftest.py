"""Fixtures of the end-to-end tests."""

from collections.abc import AsyncIterator

import httpx
import pytest
from ibermuseos_platform.dev_issuer import DevIssuer
from ibermuseos_platform.testing.infrastructure import Infrastructure
from ibermuseos_platform.testing.postgres import TestDatabases
from ibermuseos_platform.testing.services import RunningService, start_service
from platform_harness import EXTRA_ENV, REPO, SERVICES, Platform


@pytest.fixture(scope="session")
async def platform(
    infra: Infrastructure,
    databases: TestDatabases,
    topic_prefix: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Platform]:
    issuer = DevIssuer(tmp_path_factory.mktemp("issuer"))
    issuer.write_key_set()
    logs = tmp_path_factory.mktemp("service-logs")
    services: dict[str, RunningService] = {}
    try:
        for name in SERVICES:
            services[name] = await start_service(
                name,
                repo=REPO,
                infra=infra,
                databases=databases,
                issuer=issuer,
                topic_prefix=topic_prefix,
                logs=logs,
                extra_env=EXTRA_ENV.get(name),
            )
        async with httpx.AsyncClient(timeout=30) as http:
            yield Platform(services, issuer, http)
    finally:
        for service in services.values():
            await service.stop()
