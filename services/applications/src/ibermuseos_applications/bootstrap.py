"""The composition root: builds the service's parts from its settings, inside the FastAPI lifespan."""

from dataclasses import dataclass
from datetime import UTC, datetime

from ibermuseos_contracts.applications import APPLICATION, CALL
from ibermuseos_platform.idempotency import IdempotencyKeys
from ibermuseos_platform.runtime import Platform, PlatformSettings

from . import SERVICE
from .adapters.repository import UnitOfWork
from .adapters.tables import metadata
from .settings import Settings


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Container:
    platform: Platform
    clock: SystemClock
    idempotency: IdempotencyKeys

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.platform.sessions, self.platform.outbox)


def bootstrap(settings: Settings) -> Container:
    platform = Platform(
        PlatformSettings(SERVICE, settings.database, settings.kafka, settings.outbox, settings.privacy),
        metadata,
        publishes=[CALL, APPLICATION],
    )
    return Container(
        platform=platform,
        clock=SystemClock(),
        idempotency=IdempotencyKeys(metadata.tables["idempotency_keys"], platform.sessions),
    )
