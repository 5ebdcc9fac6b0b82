"""The platform deployed from its images for the deployment tier: what each container is given, and the
running containers."""

from dataclasses import dataclass
from pathlib import Path

import httpx
from container_harness import Container, image, start
from ibermuseos_platform.dev_issuer import DevIssuer
from ibermuseos_platform.testing.infrastructure import Infrastructure
from ibermuseos_platform.testing.mail import Inbox

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
            "REPORTING_RATE_LIMIT__PER_SECOND": "1000",
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

    async def start(self, service: str, image_name: str | None = None) -> Container:
        """Start (or start again) `service` from `image_name` (its current image by default)."""
        container = await start(service, image_name or image(service), service_env(service, self), self.jwks)
        self.containers[service] = container
        return container
