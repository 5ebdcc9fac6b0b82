"""The whole platform for end-to-end tests: the four services as processes, on fresh databases and topics."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from ibermuseos_contracts import all_events
from ibermuseos_platform.dev_issuer import DevIssuer
from ibermuseos_platform.kafka import ensure_topics, published_topics
from ibermuseos_platform.testing.infrastructure import Infrastructure
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.postgres import TestDatabases
from ibermuseos_platform.testing.services import RunningService, free_port, start_service

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("applications", "courses", "notifications", "reporting")

# Settings a service needs in tests beyond the common ones (database, Kafka, auth).
EXTRA_ENV: dict[str, dict[str, str]] = {
    "applications": {"APPLICATIONS_DEADLINES__CHECK_INTERVAL_SECONDS": "1"},
    # Notifications mail a real SMTP server that tests/e2e/test_notifications_*.py start on this port;
    # retries are quick, and the service's quiet hours are off so results do not depend on the hour.
    "notifications": {
        "NOTIFICATIONS_SMTP__PORT": str(free_port()),
        "NOTIFICATIONS_DELIVERY__POLL_SECONDS": "0.5",
        "NOTIFICATIONS_DELIVERY__RETRY_BASE_SECONDS": "0.5",
        "NOTIFICATIONS_DELIVERY__RETRY_CAP_SECONDS": "2",
        "NOTIFICATIONS_QUIET_HOURS__START": "00:00",
        "NOTIFICATIONS_QUIET_HOURS__END": "00:00",
    },
    # Tests poll the figures many times a second; lag is measured every second.
    "reporting": {
        "REPORTING_RATE_LIMIT__RATE_PER_SECOND": "1000",
        "REPORTING_RATE_LIMIT__BURST": "1000",
        "REPORTING_PROJECTIONS__LAG_INTERVAL_SECONDS": "1",
    },
}
# A tight limit for clients without a token, so that the hostile tests can tell a limit that
# holds from one a forged X-Forwarded-For escapes; the tests' own calls all carry tokens.
ANONYMOUS_LIMIT = {"HTTP__RATE_PER_SECOND": "2", "HTTP__BURST": "40"}
for _service in SERVICES:
    EXTRA_ENV.setdefault(_service, {}).update(
        {f"{_service.upper()}_{name}": value for name, value in ANONYMOUS_LIMIT.items()}
    )


@dataclass
class Platform:
    services: dict[str, RunningService]
    issuer: DevIssuer
    http: httpx.AsyncClient
    topic_prefix: str

    def url(self, service: str) -> str:
        return self.services[service].url

    def token(self, subject: str, *roles: str, country: str | None = None, **claims: str) -> dict[str, str]:
        """Authorization header of a person with `roles`."""
        return {
            "Authorization": f"Bearer {self.issuer.token(subject, roles=list(roles), country=country, **claims)}"
        }


@asynccontextmanager
async def running_platform(
    folder: Path,
    *,
    infra: Infrastructure,
    databases: TestDatabases,
    topic_prefix: str,
    services: Sequence[str] = SERVICES,
) -> AsyncIterator[Platform]:
    """`services` as processes on fresh databases and their own topics, with a token issuer in `folder`.

    Every contract's topics are made first: a consumer whose producers are not among `services` finds them."""
    kafka = KafkaTestClient(infra.kafka_bootstrap, topic_prefix).settings()
    await ensure_topics(kafka, published_topics({event.topic for event in all_events()}, kafka))
    issuer = DevIssuer(folder / "issuer")
    issuer.write_key_set()
    running: dict[str, RunningService] = {}
    try:
        for name in services:
            running[name] = await start_service(
                name,
                repo=REPO,
                infra=infra,
                databases=databases,
                issuer=issuer,
                topic_prefix=topic_prefix,
                logs=folder / "logs",
                extra_env=EXTRA_ENV.get(name),
            )
        async with httpx.AsyncClient(timeout=30) as http:
            yield Platform(running, issuer, http, topic_prefix)
    finally:
        for service in running.values():
            await service.stop()


async def open_run(
    http: httpx.AsyncClient,
    courses: str,
    coordinator: dict[str, str],
    *,
    starts: datetime,
    title: dict[str, str] | None = None,
    language: str = "es",
    capacity: int = 100,
) -> tuple[str, str]:
    """A published conversatorio and a run of it open for enrolment now, with one session at `starts`:
    their ids (offering, run)."""
    text = title or {"es": "El museo del futuro", "pt": "O museu do futuro", "en": "The museum of the future"}
    offering = await http.post(
        f"{courses}/offerings",
        json={
            "kind": "conversatorio",
            "title": text,
            "description": text,
            "subject_area": "engagement",
            "hours": "2",
            "publish": True,
        },
        headers=coordinator,
    )
    assert offering.status_code == 201, offering.text
    now = datetime.now(UTC)
    run = await http.post(
        f"{courses}/runs",
        json={
            "offering_id": offering.json()["id"],
            "sessions": [
                {"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat()}
            ],
            "timezone": "America/Bogota",
            "modality": "online",
            "language": language,
            "capacity": capacity,
            "enrolment_opens_at": now.isoformat(),
            "enrolment_closes_at": (starts - timedelta(days=1)).isoformat(),
        },
        headers=coordinator,
    )
    assert run.status_code == 201, run.text
    return offering.json()["id"], run.json()["id"]
