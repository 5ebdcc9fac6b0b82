"""The composition root: builds the service's parts from its settings, inside the FastAPI lifespan."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from ibermuseos_contracts.applications import APPLICATION, CALL
from ibermuseos_kernel.clock import SystemClock
from ibermuseos_platform.idempotency import IdempotencyKeys
from ibermuseos_platform.ratelimit import RateLimiter
from ibermuseos_platform.runtime import Platform, PlatformSettings
from prometheus_client import Counter

from . import SERVICE
from .adapters.document_folder import DocumentFolder
from .adapters.repository import UnitOfWork
from .adapters.tables import metadata
from .application.applications import DocumentLimits
from .application.calls import close_due_calls
from .application.decisions import lapse_due_awards
from .application.moving import Moved, move_documents_from_folder
from .application.sweeping import sweep_orphan_documents
from .application.waitlist import close_due_waitlists
from .settings import Settings

log = logging.getLogger(__name__)

ORPHAN_DOCUMENTS_SWEPT = Counter(
    "applications_orphan_documents_swept_total",
    "Supporting documents deleted after the retention period, by why they were orphaned",
    ["reason"],
)


@dataclass
class Container:
    platform: Platform
    uow: Callable[[], UnitOfWork]
    clock: SystemClock
    idempotency: IdempotencyKeys[UnitOfWork]
    document_limits: DocumentLimits
    open_calls_limiter: RateLimiter
    document_retention: timedelta

    async def run_deadlines(self) -> None:
        """Close the calls past their deadline, let unanswered awards lapse, then close waitlists past their term
        (after the lapses, so that a grant lapsing before the term still goes to the waitlist)."""
        closed = await close_due_calls(self.uow, self.clock)
        lapsed = await lapse_due_awards(self.uow, self.clock)
        waitlists = await close_due_waitlists(self.uow, self.clock)
        if closed or lapsed or waitlists:
            log.info(
                "deadlines: %d calls closed, %d awards lapsed, %d waitlists closed (%d applications rejected)",
                len(closed),
                len(lapsed),
                len(waitlists),
                sum(waitlists.values()),
            )

    async def sweep_documents(self) -> None:
        """Delete the documents nobody can submit any more, once their retention period is over."""
        swept = await sweep_orphan_documents(self.uow, self.clock, self.document_retention)
        ORPHAN_DOCUMENTS_SWEPT.labels("draft_of_closed_call").inc(swept)
        if swept:
            log.info("documents swept: %d of drafts of closed calls", swept)


def _platform(settings: Settings) -> Platform:
    return Platform(
        PlatformSettings.of(SERVICE, settings),
        metadata,
        publishes=[CALL, APPLICATION],
    )


def bootstrap(settings: Settings) -> Container:
    if "folder" in settings.storage.model_fields_set:
        log.warning(
            "APPLICATIONS_STORAGE__FOLDER is deprecated and unused: documents are kept in the database; "
            "ibermuseos-applications-move-documents moves what the folder holds, then remove the setting"
        )
    platform = _platform(settings)
    container = Container(
        platform=platform,
        uow=platform.units_of_work(UnitOfWork),
        clock=SystemClock(),
        idempotency=platform.idempotency_keys(UnitOfWork),
        document_limits=DocumentLimits(settings.storage.max_document_bytes, settings.storage.max_documents),
        open_calls_limiter=RateLimiter(
            settings.open_calls_rate_limit.rate_per_second, settings.open_calls_rate_limit.burst
        ),
        document_retention=timedelta(days=settings.document_retention.days),
    )
    platform.every(settings.deadlines.check_interval_seconds, container.run_deadlines, name="deadlines")
    platform.every(
        settings.document_retention.sweep_interval_seconds, container.sweep_documents, name="document_sweep"
    )
    return container


async def move_documents(settings: Settings) -> Moved:
    """The documents of the deprecated storage folder into the database (`ibermuseos-applications-move-documents`)."""
    platform = _platform(settings)
    try:
        return await move_documents_from_folder(
            platform.units_of_work(UnitOfWork), DocumentFolder(settings.storage.folder)
        )
    finally:
        await platform.engine.dispose()
