"""The composition root: builds the service's parts from its settings, inside the FastAPI lifespan."""

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TextIO

from ibermuseos_contracts import Event
from ibermuseos_kernel.clock import Clock, SystemClock
from ibermuseos_platform.consumer import Batched, Handler
from ibermuseos_platform.idempotency import IdempotencyKeys
from ibermuseos_platform.ratelimit import RateLimiter
from ibermuseos_platform.runtime import Platform, PlatformSettings
from sqlalchemy import text

from . import SERVICE
from .adapters.kafka_source import LagMeter, PublicTopicsSource
from .adapters.queries import MicrodataCache, state
from .adapters.rebuild_target import PostgresTarget, RebuildRunning
from .adapters.schemas import ensure_serving
from .adapters.tables import metadata
from .adapters.uow import SqlUnitOfWork
from .application.rebuild import Progress, RebuildResult, rebuild
from .domain.figures import ConsumerLag
from .domain.opendata import Publisher
from .domain.projections import PROJECTIONS, handled_types, version
from .settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Container:
    platform: Platform
    settings: Settings
    limiter: RateLimiter
    idempotency: IdempotencyKeys[SqlUnitOfWork]
    publisher: Publisher
    lag_meter: LagMeter
    microdata: MicrodataCache
    clock: Clock = field(default_factory=SystemClock)
    lag: ConsumerLag = field(default_factory=ConsumerLag)
    rebuilding: bool = False

    def uow(self) -> SqlUnitOfWork:
        """A unit of work of its own transaction, on the schema serving when it begins."""
        return SqlUnitOfWork(self.platform.sessions, self.platform.outbox, self.microdata)

    async def watch_lag(self) -> None:
        """Measure the lag every few seconds while the service runs; close the Kafka clients when it stops."""
        try:
            while True:
                with contextlib.suppress(Exception):
                    await self.measure_lag()
                await asyncio.sleep(self.settings.projections.lag_interval_seconds)
        finally:
            await self.lag_meter.close()

    async def measure_lag(self) -> None:
        try:
            self.lag.by_topic = await self.lag_meter.measure()
            self.lag.measured_at = self.clock.now()
            self.lag.error = None
        except Exception as error:
            self.lag.error = type(error).__name__
            raise

    async def maintain(self) -> None:
        """Rebuild in the service when the serving projections are missing events or of another version."""
        if not self.settings.projections.auto_rebuild or self.rebuilding:
            return
        async with self.platform.sessions() as session, session.begin():
            serving = await ensure_serving(session)
            built = (await state(session, serving.schema)).built_at
            # Events consumed before this schema existed (e.g. into an older layout) are not in it.
            consumed_before = (
                await session.execute(
                    text(
                        "SELECT EXISTS (SELECT 1 FROM inbox WHERE consumer = :consumer AND processed_at < :at)"
                    ),
                    {"consumer": SERVICE, "at": serving.switched_at},
                )
            ).scalar()
        if serving.current and (built is not None or not consumed_before):
            return
        self.rebuilding = True
        try:
            log.info("rebuilding projections", extra={"serving": serving.schema, "version": serving.version})
            await run_rebuild(self.settings, batch_size=self.settings.projections.batch_size)
        except RebuildRunning:
            log.info("a rebuild is already running elsewhere")
        finally:
            self.rebuilding = False


PUBLIC_TOPICS = sorted({cls.topic.public for cls in PROJECTIONS})


async def run_rebuild(
    settings: Settings, *, batch_size: int = 5_000, keep: int = 1, out: TextIO | None = None
) -> RebuildResult:
    """Rebuild into a fresh schema, switch to it, drop schemas older than the `keep` previous ones."""
    source = PublicTopicsSource(settings.kafka, PUBLIC_TOPICS, handled_types())
    await source.start()
    try:
        async with PostgresTarget.create(settings.database.url.get_secret_value()) as target:
            if out is not None:
                print(
                    f"rebuilding projections version {version()} into {target.schema} "
                    f"from {len(source.topics)} public topics",
                    file=out,
                    flush=True,
                )

            async def report(progress: Progress) -> None:
                await target.report(progress.done, progress.total, progress.rate)
                if out is not None:
                    print(f"  {progress.line()}", file=out, flush=True)

            result = await rebuild(
                source,
                target,
                Progress(report),
                batch_size=batch_size,
                skipped=lambda: source.skipped,
            )
            dropped = await target.drop_old(keep)
        if out is not None:
            print(
                f"switched to {result.schema}: {result.events:,} events in {result.seconds:,.1f}s "
                f"({result.events_per_second:,.0f} events/s), {result.skipped} unreadable skipped"
                + (f"; dropped {', '.join(dropped)}" if dropped else ""),
                file=out,
                flush=True,
            )
        return result
    finally:
        await source.stop()


def bootstrap(settings: Settings, handlers: Mapping[type[Event], Handler | Batched]) -> Container:
    platform = Platform(
        PlatformSettings.of(SERVICE, settings),
        metadata,
    )
    platform.add_consumer(SERVICE, handlers, public=True)
    microdata = MicrodataCache(
        settings.disclosure.secret.get_secret_value().encode(), settings.projections.microdata_seconds
    )
    container = Container(
        platform=platform,
        settings=settings,
        limiter=RateLimiter(settings.rate_limit.rate_per_second, settings.rate_limit.burst),
        idempotency=IdempotencyKeys(
            metadata.tables["idempotency_keys"],
            platform.sessions,
            fresh=lambda: SqlUnitOfWork(platform.sessions, platform.outbox, microdata),
            joining=lambda session: SqlUnitOfWork(None, platform.outbox, microdata, session=session),
        ),
        lag_meter=LagMeter(settings.kafka, settings.kafka.group(SERVICE), PUBLIC_TOPICS),
        microdata=microdata,
        publisher=Publisher(
            organisation_ref=settings.open_data.organisation_ref,
            organisation_name=settings.open_data.organisation_name,
            activity_id=settings.open_data.activity_id,
            currency=settings.open_data.currency,
        ),
    )
    # Runs for as long as the service does (a year between "repeats"), so it can close its clients.
    platform.every(365 * 24 * 3600, container.watch_lag, name="consumer-lag")
    platform.every(settings.projections.maintenance_interval_seconds, container.maintain, name="projections")
    return container
