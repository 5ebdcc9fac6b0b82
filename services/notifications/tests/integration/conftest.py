"""The notifications service as a process, on a fresh database, fed by events produced onto its topics."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest
from ibermuseos_contracts import Envelope, Event, encode
from ibermuseos_contracts.applications import (
    Applicant,
    ApplicationSubmittedV1,
    GrantAcceptedV1,
    GrantAwardedV1,
)
from ibermuseos_contracts.common import Institution, InstitutionType
from ibermuseos_contracts.types import Money
from ibermuseos_notifications.entrypoints.consumers import CONSUMED
from ibermuseos_platform.dev_issuer import DevIssuer
from ibermuseos_platform.testing.examples import COURSE_IN_MEXICO
from ibermuseos_platform.testing.infrastructure import Infrastructure
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.services import Launcher, RunningService
from ibermuseos_platform.testing.waiting import eventually

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

    async def replay(self, http: httpx.AsyncClient, topic: str) -> int:
        """Publish every record of `topic` again and wait until the service recognised each one as a
        duplicate; how many were replayed."""
        before = await self.duplicates(http)
        replayed = await self.bus.replay(topic)

        async def recognised() -> bool:
            return await self.duplicates(http) >= before + replayed

        await eventually(recognised, what="the replayed events read and recognised")
        return replayed

    async def duplicates(self, http: httpx.AsyncClient) -> float:
        """How many events the service has read and recognised as already consumed."""
        metrics = (await http.get(f"{self.url}/metrics")).text
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in metrics.splitlines()
            if line.startswith("events_consumed_total{") and 'outcome="duplicate"' in line
        )

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
    launcher: Launcher, infra: Infrastructure, topic_prefix: str
) -> AsyncIterator[Start]:
    """Starts an instance with its own topic namespace (instances must not share a consumer group's topics)."""
    started: list[RunningService] = []
    clients: list[KafkaTestClient] = []

    async def start(env: dict[str, str], *, namespace: str, database_url: str | None = None) -> Deployment:
        prefix = f"{topic_prefix}{namespace}."
        kafka = KafkaTestClient(infra.kafka_bootstrap, prefix)
        clients.append(kafka)
        try:
            await kafka.create_topics(*sorted({event.topic.private for event in CONSUMED}))
        except Exception as error:
            print(f"topics exist: {error!r}")
        service = await launcher.start(
            "notifications", topic_prefix=prefix, extra_env={**FAST, **env}, database_url=database_url
        )
        started.append(service)
        return Deployment(service, Bus(kafka), launcher.issuer)

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


class Applications:
    """The applications service's events about one grant application, as notifications receives them.

    Everything but who applied (and in which language) is the same in every test: an application
    for "Curso de museografía" asking for 1,800.00 USD, awarded and accepted for that amount.
    """

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    @staticmethod
    def person(local: str) -> str:
        """A person id of its own for this test run, starting with `local` (which steers the SMTP server)."""
        return f"{local}-{uuid.uuid4().hex[:8]}"

    def submitted(
        self,
        person_id: str,
        *,
        language: str = "es",
        country: str = "PE",
        name: str = "Ana Souza",
        email: str | None = None,
        application_id: uuid.UUID | None = None,
        call_id: uuid.UUID | None = None,
    ) -> ApplicationSubmittedV1:
        """`person_id`'s application, mailed to `email` (by default `<person_id>@museo.test`)."""
        return ApplicationSubmittedV1(
            application_id=application_id or uuid.uuid4(),
            call_id=call_id or uuid.uuid4(),
            call_year=2027,
            applicant=Applicant(
                person_id=person_id,
                name=name,
                email=email or f"{person_id}@museo.test",
                preferred_language=language,
                role="Conservadora",
                country_of_residence=country,
            ),
            institution=Institution(
                name="Museo de Arte", type=InstitutionType.MUSEUM, city="Lima", country="PE"
            ),
            activity=COURSE_IN_MEXICO,
            requested=Money(amount=Decimal("1800.00"), currency="USD"),
            replication_commitment=True,
            submitted_at=self.now,
        )

    @staticmethod
    def _grant(application: ApplicationSubmittedV1) -> dict[str, Any]:
        """The grant of `application`, for the amount it asked for."""
        return {
            "application_id": application.application_id,
            "call_id": application.call_id,
            "call_year": application.call_year,
            "applicant_id": application.applicant.person_id,
            "amount": application.requested,
        }

    def awarded(self, application: ApplicationSubmittedV1, *, from_waitlist: bool = False) -> GrantAwardedV1:
        """The grant awarded, to be accepted within ten days."""
        return GrantAwardedV1(
            **self._grant(application),
            accept_by=self.now + timedelta(days=10),
            from_waitlist=from_waitlist,
            awarded_at=self.now,
        )

    def accepted(self, application: ApplicationSubmittedV1) -> GrantAcceptedV1:
        """The grant accepted with the report due in 60 days: two report reminders are scheduled (pending)."""
        return GrantAcceptedV1(
            **self._grant(application),
            report_due_on=(self.now + timedelta(days=60)).date(),
            accepted_at=self.now,
        )


@pytest.fixture(scope="session")
def applications() -> Applications:
    return Applications()
