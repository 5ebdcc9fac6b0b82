"""The deployment tier: the four images `make images` built, run as containers against the test Kafka and
PostgreSQL, each on a fresh database migrated from its own image, in a topic namespace of the tier's own
(its containers run until the session ends, so they must not join the groups of any other test's services)."""

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from container_harness import image, image_exists, migrate
from deployment_harness import SERVICES, Deployment
from ibermuseos_platform.dev_issuer import DevIssuer
from ibermuseos_platform.testing.infrastructure import Infrastructure
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.mail import Inbox, smtp_server
from ibermuseos_platform.testing.postgres import TestDatabases
from ibermuseos_platform.testing.services import free_port


@pytest.fixture(scope="session")
def mail_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def mail(mail_port: int) -> Iterator[Inbox]:
    with smtp_server(mail_port) as inbox:
        yield inbox


@pytest.fixture(scope="session")
async def deployment_topics(infra: Infrastructure, topic_prefix: str) -> AsyncIterator[KafkaTestClient]:
    client = KafkaTestClient(infra.kafka_bootstrap, f"{topic_prefix}deploy.")
    yield client
    await client.close()


@pytest.fixture(scope="session")
async def deployment(
    infra: Infrastructure,
    databases: TestDatabases,
    deployment_topics: KafkaTestClient,
    mail: Inbox,
    mail_port: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Deployment]:
    missing = [image(service) for service in SERVICES if not image_exists(image(service))]
    if missing:
        pytest.fail(
            f"the deployment tier runs the images `make images` builds; missing: {', '.join(missing)}"
        )
    issuer = DevIssuer(tmp_path_factory.mktemp("issuer"))
    issuer.write_key_set()
    urls = dict(zip(SERVICES, await asyncio.gather(*(databases.create(s) for s in SERVICES)), strict=True))
    migrated = await asyncio.gather(
        *(asyncio.to_thread(migrate, image(service), service, urls[service]) for service in SERVICES)
    )
    for service, result in zip(SERVICES, migrated, strict=True):
        assert result.returncode == 0, f"{service}'s migrations failed:\n{result.stderr}"
    async with httpx.AsyncClient(timeout=30) as http:
        deployment = Deployment(infra, deployment_topics.prefix, issuer, mail_port, mail, urls, {}, http)
        try:
            await asyncio.gather(*(deployment.start(service) for service in SERVICES))
            yield deployment
        finally:
            await asyncio.gather(*(container.remove() for container in deployment.containers.values()))
