"""What every service runs on: its database, outbox and relay, Kafka consumers and readiness checks.

A service's `bootstrap.py` builds one `Platform` inside the FastAPI lifespan and enters it.
Kafka may be down when the service starts: the API serves anyway, topics are created and
consumers started as soon as the broker answers, and recorded events wait in the outbox.
A process runs the parts its roles name (all by default), so that a deployment can scale the
API, the relay and the consumers apart.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TypeVar

from aiokafka import AIOKafkaProducer
from ibermuseos_contracts import Event, Pseudonymiser, Topic
from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from .consumer import Batched, EventConsumer, Handler
from .db import create_engine, session_factory
from .dead_letters import DeadLetterPublisher
from .health import Check, database_check
from .idempotency import IdempotencyKeys
from .kafka import (
    KafkaProbe,
    dead_letter_topics,
    ensure_topics,
    new_broker,
    new_producer,
    published_topics,
    start_or_close,
)
from .outbox import Outbox, OutboxRelay
from .retry import backoff
from .settings import (
    ALL_ROLES,
    DatabaseSettings,
    KafkaSettings,
    OutboxSettings,
    PrivacySettings,
    Role,
    ServiceSettings,
)
from .uow import SqlAlchemyUnitOfWork

log = logging.getLogger(__name__)

U = TypeVar("U", bound=SqlAlchemyUnitOfWork)


class KafkaNotStartedYet(Exception):
    """The broker answers, but this process has not yet created its topics and started its consumers."""


@dataclass(frozen=True)
class PlatformSettings:
    service: str
    database: DatabaseSettings
    kafka: KafkaSettings
    outbox: OutboxSettings
    privacy: PrivacySettings
    roles: frozenset[Role] = ALL_ROLES

    @classmethod
    def of(cls, service: str, settings: ServiceSettings) -> "PlatformSettings":
        """The platform's part of a service's settings."""
        return cls(
            service, settings.database, settings.kafka, settings.outbox, settings.privacy, settings.roles
        )


class Platform:
    """Database engine and sessions, outbox, relay, consumers; started and stopped as one."""

    def __init__(
        self, settings: PlatformSettings, metadata: MetaData, publishes: Iterable[Topic] = ()
    ) -> None:
        self.settings = settings
        self.service = settings.service
        self.engine: AsyncEngine = create_engine(settings.database)
        self.sessions: async_sessionmaker[AsyncSession] = session_factory(self.engine)
        self.tables = metadata.tables
        self.pseudonymise = Pseudonymiser(settings.privacy.pseudonym_key.get_secret_value().encode())
        self.outbox = Outbox(self._table("outbox"), self.pseudonymise)
        self._publishes = list(publishes)
        self.relay = OutboxRelay(
            service=self.service,
            engine=self.engine,
            table=self._table("outbox"),
            kafka=settings.kafka,
            settings=settings.outbox,
            producer_factory=lambda: new_producer(settings.kafka, f"{self.service}-relay"),
        )
        self.outbox.wake_locally(self.relay)
        self.outbox.coalesce_notify(self.engine, settings.outbox.notify_window_seconds)
        self.broker = new_broker(settings.kafka, self.service)
        self._dead_letter_producer: AIOKafkaProducer | None = None
        self.consumers: list[EventConsumer] = []
        self.kafka_probe = KafkaProbe(settings.kafka)
        self._tasks: list[asyncio.Task[None]] = []
        self._periodic: list[tuple[float, Callable[[], Awaitable[object]], str]] = []
        self.kafka_started = asyncio.Event()

    def _table(self, name: str) -> Table:
        if name not in self.tables:
            raise LookupError(
                f"the service's metadata lacks the platform table {name!r}: call add_platform_tables"
            )
        return self.tables[name]

    def units_of_work(self, unit_of_work: type[U]) -> Callable[[], U]:
        """The service's unit of work, a new one (a transaction of its own) at each call."""
        return lambda: unit_of_work(self.sessions, self.outbox)

    def idempotency_keys(self, unit_of_work: type[U]) -> IdempotencyKeys[U]:
        """Idempotent commands in the service's unit of work: its own, or joining the key's transaction."""
        return IdempotencyKeys(
            self._table("idempotency_keys"),
            self.sessions,
            fresh=self.units_of_work(unit_of_work),
            joining=lambda session: unit_of_work.joining(session, self.outbox),
        )

    def add_consumer(
        self, name: str, handlers: Mapping[type[Event], Handler | Batched], *, public: bool
    ) -> EventConsumer:
        """A consumer group applying `handlers` to the private (or public) topics of their events."""
        consumer = EventConsumer(
            name=name,
            handlers=handlers,
            public=public,
            session_factory=self.sessions,
            inbox=self._table("inbox"),
            dead_letters=DeadLetterPublisher(self._started_dead_letter_producer, name),
            kafka=self.settings.kafka,
        )
        consumer.subscribe(self.broker)
        self.consumers.append(consumer)
        return consumer

    def _started_dead_letter_producer(self) -> AIOKafkaProducer:
        if self._dead_letter_producer is None:
            raise RuntimeError("dead letters are sent only once Kafka has started")
        return self._dead_letter_producer

    def every(self, seconds: float, job: Callable[[], Awaitable[object]], *, name: str) -> None:
        """Run `job` every `seconds` while the service runs (deadlines, reminders); failures are logged and retried."""
        self._periodic.append((seconds, job, name))

    async def _repeat(self, seconds: float, job: Callable[[], Awaitable[object]], name: str) -> None:
        while True:
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("periodic job %s failed; it runs again in %.0fs", name, seconds)
            await asyncio.sleep(seconds)

    @property
    def checks(self) -> dict[str, Check]:
        """What readiness requires: the database. With Kafka down the outbox keeps accepting events."""
        return {"database": database_check(self.engine)}

    @property
    def reported_checks(self) -> dict[str, Check]:
        """What readiness reports without requiring it: Kafka, and whether this process's Kafka part started."""
        return {"kafka": self._kafka_check}

    async def _kafka_check(self) -> None:
        await self.kafka_probe()
        if self._runs_kafka and not self.kafka_started.is_set():
            raise KafkaNotStartedYet

    @property
    def _runs_kafka(self) -> bool:
        return bool({"relay", "consumers"} & self.settings.roles)

    async def __aenter__(self) -> "Platform":
        log.info("%s runs as %s", self.service, ", ".join(sorted(self.settings.roles)))
        if self._runs_kafka:
            self._tasks.append(asyncio.create_task(self._start_kafka(), name=f"{self.service}-kafka-start"))
        if "jobs" in self.settings.roles:
            for seconds, job, name in self._periodic:
                self._tasks.append(
                    asyncio.create_task(self._repeat(seconds, job, name), name=f"{self.service}-{name}")
                )
        return self

    async def _start_kafka(self) -> None:
        kafka = self.settings.kafka
        relays = "relay" in self.settings.roles
        consumers = self.consumers if "consumers" in self.settings.roles else []
        topics = published_topics(self._publishes, kafka) if relays else []
        topics += dead_letter_topics([topic for consumer in consumers for topic in consumer.topics], kafka)
        attempt = 0
        relay_started = not relays
        while True:
            try:
                await ensure_topics(kafka, topics)
                if not relay_started:
                    # Events recorded meanwhile wait in the outbox; the relay starts once its topics exist.
                    self._tasks.append(
                        asyncio.create_task(self.relay.run(), name=f"{self.service}-outbox-relay")
                    )
                    relay_started = True
                if consumers:
                    producer = new_producer(kafka, f"{self.service}-dead-letters")
                    await start_or_close(producer, producer.stop)
                    self._dead_letter_producer = producer
                    await self.broker.start()
                self.kafka_started.set()
                return
            except Exception as error:
                attempt += 1
                delay = backoff(attempt, cap=10)
                log.warning("Kafka not ready: %r; retrying in %.1fs", error, delay)
                with contextlib.suppress(Exception):
                    await self.broker.stop()
                await asyncio.sleep(delay)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self.outbox.close()
        with contextlib.suppress(Exception):
            await self.broker.stop()
        if self._dead_letter_producer is not None:
            with contextlib.suppress(Exception):
                await self._dead_letter_producer.stop()
        await self.kafka_probe.close()
        await self.engine.dispose()
