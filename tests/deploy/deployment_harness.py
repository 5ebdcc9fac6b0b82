"""The platform deployed from its images for the deployment tier: what each container is given, and the
running containers."""

import asyncio
import contextlib
import itertools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import httpx
from container_harness import Container, image, start
from ibermuseos_platform.dev_issuer import DevIssuer
from ibermuseos_platform.testing.infrastructure import Infrastructure
from ibermuseos_platform.testing.mail import Inbox
from ibermuseos_platform.testing.waiting import eventually
from platform_harness import open_run

SERVICES = ("applications", "courses", "notifications", "reporting")


def service_env(service: str, deployment: "Deployment") -> dict[str, str]:
    """What operations give a service's container here: its database, the broker, the issuer, and for the
    tests quick polling, a mail server on loopback, no quiet hours, no rate limit on the figures."""
    prefix = service.upper()
    env = {
        f"{prefix}_ENVIRONMENT": "test",
        f"{prefix}_DATABASE__URL": deployment.database_urls[service],
        f"{prefix}_KAFKA__BOOTSTRAP_SERVERS": deployment.infra.kafka_bootstrap,
        f"{prefix}_KAFKA__TOPIC_PREFIX": deployment.topic_prefix,
        f"{prefix}_AUTH__JWKS_URL": "file:///run/dev-issuer/jwks.json",
        f"{prefix}_AUTH__ISSUER": deployment.issuer.issuer,
        f"{prefix}_OUTBOX__POLL_INTERVAL_SECONDS": "1",
    }
    extra = {
        "notifications": {
            "NOTIFICATIONS_SMTP__HOST": "127.0.0.1",
            "NOTIFICATIONS_SMTP__PORT": str(deployment.smtp_port),
            "NOTIFICATIONS_DELIVERY__POLL_SECONDS": "0.5",
            "NOTIFICATIONS_QUIET_HOURS__START": "00:00",
            "NOTIFICATIONS_QUIET_HOURS__END": "00:00",
        },
        "reporting": {
            "REPORTING_RATE_LIMIT__RATE_PER_SECOND": "1000",
            "REPORTING_RATE_LIMIT__BURST": "1000",
            "REPORTING_PROJECTIONS__LAG_INTERVAL_SECONDS": "1",
        },
    }
    return env | extra.get(service, {})


@dataclass
class Deployment:
    infra: Infrastructure
    topic_prefix: str
    issuer: DevIssuer
    smtp_port: int
    mail: Inbox
    database_urls: dict[str, str]
    containers: dict[str, Container]
    http: httpx.AsyncClient

    def url(self, service: str) -> str:
        return self.containers[service].url

    def token(self, subject: str, *roles: str, country: str | None = None, **claims: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.issuer.token(subject, roles=list(roles), country=country, **claims)}"
        }

    @property
    def jwks(self) -> Path:
        return self.issuer.folder / "jwks.json"

    async def start(self, service: str, image_name: str | None = None, port: int | None = None) -> Container:
        """Start (or start again, on the same `port`) `service` from `image_name` (its current image by default)."""
        container = await start(
            service, image_name or image(service), service_env(service, self), self.jwks, port=port
        )
        self.containers[service] = container
        return container


ENROLMENT_MAIL = "Enrolment confirmed: "


class CoursesTraffic:
    """Participants enrolling in one run of a new conversatorio, through whichever courses container serves,
    retrying (with the same idempotency key) what a stopped or restarting container could not answer."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.tag = uuid.uuid4().hex[:6]
        self.coordinator = deployment.token(f"coord-{self.tag}", "coordinator", country="MX")
        self.title = f"Museos en movimiento {self.tag}"
        self.offering_id = ""
        self.run_id = ""
        self.enrolments: dict[str, str] = {}
        """Person → enrolment id, for every enrolment the service accepted."""

    def address(self, person: str) -> str:
        return f"{person}@museo.example"

    async def open_run(self) -> None:
        self.offering_id, self.run_id = await open_run(
            self.deployment.http,
            self.deployment.url("courses"),
            self.coordinator,
            starts=datetime.now(UTC) + timedelta(days=3),
            title={"es": self.title, "pt": self.title, "en": self.title},
            language="en",
            capacity=10_000,
        )

    async def enrol(self, person: str, *, timeout: float = 120.0) -> str:
        """Enrol `person`, trying again while no container answers; returns the enrolment id."""
        headers = {
            **self.deployment.token(
                person, "participant", country="CO", name="Participante", email=self.address(person)
            ),
            "Idempotency-Key": f"enrol-{person}",
        }
        body = {
            "preferred_language": "en",
            "timezone": "America/Bogota",
            "country": "CO",
            "institution": {"name": f"Museo {self.tag}", "type": "museum", "city": "Bogotá", "country": "CO"},
        }
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            try:
                response = await self.deployment.http.post(
                    f"{self.deployment.url('courses')}/runs/{self.run_id}/enrolments",
                    json=body,
                    headers=headers,
                )
                if response.status_code in (200, 201):
                    self.enrolments[person] = response.json()["id"]
                    return self.enrolments[person]
                assert response.status_code >= 500, response.text
            except httpx.TransportError:
                pass
            assert asyncio.get_running_loop().time() < deadline, f"{person} could not enrol in {timeout}s"
            await asyncio.sleep(0.2)

    @contextlib.asynccontextmanager
    async def flowing(self, *, workers: int = 2) -> AsyncIterator[None]:
        """New people enrol, `workers` at a time, while the block runs (and finish their enrolment after)."""
        stop = asyncio.Event()
        counter = itertools.count()

        async def worker() -> None:
            while not stop.is_set():
                await self.enrol(f"p{next(counter)}-{self.tag}")

        flow = asyncio.gather(*(worker() for _ in range(workers)))
        try:
            yield
        except BaseException:
            flow.cancel()
            await asyncio.gather(flow, return_exceptions=True)
            raise
        stop.set()
        await flow

    async def until_enrolled(self, count: int) -> None:
        async def enough() -> bool:
            return len(self.enrolments) >= count

        await eventually(enough, timeout=60, what=f"{count} enrolments accepted")

    def mails_to(self, person: str) -> list[EmailMessage]:
        return [
            mail
            for mail in self.deployment.mail.to(self.address(person))
            if str(mail["Subject"]).startswith(ENROLMENT_MAIL + self.title)
        ]

    async def enrolments_in_reporting(self) -> int:
        response = await self.deployment.http.get(
            f"{self.deployment.url('reporting')}/figures/courses",
            params={"by": "offering"},
            headers=self.coordinator,
        )
        assert response.status_code == 200, response.text
        rows = [row for row in response.json()["rows"] if row["key"] == self.offering_id]
        return int(rows[0]["enrolments"]) if rows else 0

    async def everyone_mailed_and_counted(self) -> None:
        """Each accepted enrolment gives its participant one mail and counts once in reporting."""

        async def delivered() -> bool:
            return all(self.mails_to(person) for person in self.enrolments) and (
                await self.enrolments_in_reporting() == len(self.enrolments)
            )

        await eventually(delivered, timeout=90, what="a mail and a figure for every enrolment")
        assert {person: len(self.mails_to(person)) for person in self.enrolments} == dict.fromkeys(
            self.enrolments, 1
        )
