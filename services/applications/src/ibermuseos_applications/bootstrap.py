"""The composition root: builds the service's parts from its settings, inside the FastAPI lifespan."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from ibermuseos_contracts.applications import APPLICATION, CALL
from ibermuseos_platform.idempotency import IdempotencyKeys
from ibermuseos_platform.ratelimit import RateLimiter
from ibermuseos_platform.runtime import Platform, PlatformSettings

from . import SERVICE
from .adapters.repository import UnitOfWork
from .adapters.storage import FilesystemStorage
from .adapters.tables import metadata
from .application.applications import DocumentLimits
from .application.calls import close_due_calls
from .application.decisions import lapse_due_awards
from .settings import Settings

log = logging.getLogger(__name__)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Container:
    platform: Platform
    clock: SystemClock
    idempotency: IdempotencyKeys
    storage: FilesystemStorage
    document_limits: DocumentLimits
    open_calls_limiter: RateLimiter

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.platform.sessions, self.platform.outbox)

    async def run_deadlines(self) -> None:
        """Close the calls past their deadline and let unanswered awards lapse."""
        closed = await close_due_calls(self.uow, self.clock)
        lapsed = await lapse_due_awards(self.uow, self.clock)
        if closed or lapsed:
            log.info("deadlines: %d calls closed, %d awards lapsed", len(closed), len(lapsed))


def bootstrap(settings: Settings) -> Container:
    platform = Platform(
        PlatformSettings(SERVICE, settings.database, settings.kafka, settings.outbox, settings.privacy),
        metadata,
        publishes=[CALL, APPLICATION],
    )
    container = Container(
        platform=platform,
        clock=SystemClock(),
        idempotency=IdempotencyKeys(metadata.tables["idempotency_keys"], platform.sessions),
        storage=FilesystemStorage(settings.storage.folder),
        document_limits=DocumentLimits(settings.storage.max_document_bytes, settings.storage.max_documents),
        open_calls_limiter=RateLimiter(
            settings.open_calls_rate_limit.rate_per_second, settings.open_calls_rate_limit.burst
        ),
    )
    platform.every(settings.deadlines.check_interval_seconds, container.run_deadlines, name="deadlines")
    return container
