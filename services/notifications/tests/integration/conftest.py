"""The notifications service as a process, on a fresh database, fed by events produced onto its topics."""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from ibermuseos_contracts import Envelope, Event, encode
from ibermuseos_notifications.entrypoints.consumers import CONSUMED
from ibermuseos_platform.dev_issuer import DevIssuer
from ibermuseos_platform.testing.infrastructure import Infrastructure
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.postgres import TestDatabases
from ibermuseos_platform.testing.services import RunningService, start_service

REPO = Path(__file__).resolve().parents[4]

FAST = {
    "NOTIFICATIONS_DELIVERY__POLL_SECONDS": "0.2",
    "NOTIFICATIONS_DELIVERY__RETRY_BASE_SECONDS": "0.2",
    "NOTIFICATIONS_DELIVERY__RETRY_CAP_SECONDS": "0.5",
    "NOTIFICATIONS_DELIVERY__MAX_ATTEMPTS": "4",
    "NOTIFICATIONS_DELIVERY__DETAILS_POLL_SECONDS": "0.3",
    # Quiet hours are tested with a person's own; the service's would make results depend on the hour.
    "NOTIFICATIONS_QUIET_HOURS__START": "00:00",
    "NOTIFICATIONS_QUIET_HOURS__END": "00:00",
    "NOTIFICATIONS_LINKS__PORTAL": "https://portal.test",
    "NOTIFICATIONS_LINKS__CERTIFICATE_VERIFICATION": "https://portal.test/verify/{code}",
}


@pytest.fixture(scope="session")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> DevIssuer:
    issuer = DevIssuer(tmp_path_factory.mktemp("issuer"))
    issuer.write_key_set()
    return issuer


class Bus:
    """Publishes events onto the private topics the service reads, as the other services' relays do."""

    def __init__(self, kafka: KafkaTestClient) -> None:
        self.kafka = kafka

    async def publish(self, event: Event, envelope: Envelope | None = None) -> Envelope:
        envelope = envelope or Envelope.for_event(event)
        await self.kafka.produce(
            event.topic.private, encode(event), key=event.subject.encode(), headers=envelope.to_headers()
        )
        return envelope

    async def replay(self, topic: str) -> int:
        """Publish every record of `topic` again, as it was: the same ids, the same values."""
        records = await self.kafka.read(topic, until=lambda records: bool(records), settle=0.5)
        for record in records:
            await self.kafka.produce(topic, record.value, key=record.key, headers=list(record.headers))
        return len(records)


@dataclass
class Deployment:
    """One running instance of the service, in its own topic namespace, and the bus that feeds it."""

    service: RunningService
    bus: Bus
    issuer: DevIssuer

    @property
    def url(self) -> str:
        return self.service.url

    def token(self, subject: str, *roles: str, country: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.issuer.token(subject, roles=list(roles), country=country)}"}

    async def sql(self, query: str, *args: Any) -> list[Any]:
        """Read or change the service's database directly (to move time forward for a scheduled message)."""
        connection = await asyncpg.connect(
            self.service.database_url.replace("postgresql+asyncpg", "postgresql")
        )
        try:
            return list(await connection.fetch(query, *args))
        finally:
            await connection.close()


Start = Callable[..., Awaitable[Deployment]]


@pytest.fixture(scope="session")
async def start_notifications(
    infra: Infrastructure,
    databases: TestDatabases,
    issuer: DevIssuer,
    topic_prefix: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Start]:
    """Starts an instance with its own topic namespace (instances must not share a consumer group's topics)."""
    started: list[RunningService] = []
    clients: list[KafkaTestClient] = []
    logs = tmp_path_factory.mktemp("logs")

    async def start(env: dict[str, str], *, namespace: str, database_url: str | None = None) -> Deployment:
        prefix = f"{topic_prefix}{namespace}."
        kafka = KafkaTestClient(infra.kafka_bootstrap, prefix)
        clients.append(kafka)
        try:
            await kafka.create_topics(*sorted({event.topic.private for event in CONSUMED}))
        except Exception as error:
            print(f"topics exist: {error!r}")
        service = await start_service(
            "notifications",
            repo=REPO,
            infra=infra,
            databases=databases,
            issuer=issuer,
            topic_prefix=prefix,
            logs=logs / f"{namespace}-{len(started)}",
            extra_env={**FAST, **env},
            database_url=database_url,
        )
        started.append(service)
        return Deployment(service, Bus(kafka), issuer)

    yield start
    for service in started:
        await service.stop()
    for client in clients:
        await client.close()


def smtp_env(port: int, prefix: str = "NOTIFICATIONS_SMTP") -> dict[str, str]:
    return {f"{prefix}__HOST": "127.0.0.1", f"{prefix}__PORT": str(port)}


@pytest.fixture(scope="session")
async def notifications(start_notifications: Start, smtp: Any) -> Deployment:
    """The instance most tests share: it sends through `smtp`."""
    return await start_notifications(smtp_env(smtp.port), namespace="main")


@pytest.fixture(scope="session")
def start(start_notifications: Start) -> Start:
    return start_notifications


@pytest.fixture(scope="session")
def smtp_settings() -> Callable[..., dict[str, str]]:
    return smtp_env


@pytest.fixture(scope="session")
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client
