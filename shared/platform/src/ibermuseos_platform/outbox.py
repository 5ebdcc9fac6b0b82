"""The transactional outbox: events are written with the state change that caused them, then relayed to Kafka.

`Outbox.record` runs inside the caller's transaction. `OutboxRelay` publishes what was
committed, in order, to the private topic and, without personal data, to the public one.
It takes the rows not yet sent rather than keeping a cursor, so a row with a lower
position that commits after a higher one was published is still sent on the next pass.

A commit that recorded events wakes the relay. When the relay leading this database runs in the
recording process, the commit wakes it in memory; otherwise PostgreSQL NOTIFYs it. A NOTIFY costs
more than it seems: PostgreSQL serialises the commits of every transaction that notified on one
lock, held through the commit's WAL flush (with 16 concurrent commands and fsync on, half the
commits per second, and most sessions waiting on that lock). So a process sends at most one per
window (`OutboxSettings.notify_window_seconds`): the first commit of a window notifies with its own
commit, and the commits after it in the window are followed by one NOTIFY when the window ends.
"""

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from ibermuseos_contracts import Envelope, Event, Pseudonymiser, encode, to_public
from opentelemetry.trace import SpanKind
from sqlalchemy import BigInteger, Row, Table, any_, bindparam, delete, func, insert, select, update
from sqlalchemy import event as orm_event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

from . import logs, tracing
from .kafka import start_or_close
from .metrics import OUTBOX_BACKLOG, OUTBOX_DELAY, OUTBOX_PUBLISHED
from .retry import backoff
from .settings import KafkaSettings, OutboxSettings

log = logging.getLogger(__name__)

CHANNEL = "outbox"
# One relay per service database publishes at a time, so that order is kept across replicas.
RELAY_LOCK_ID = 0x1BE2_0B0C


_WAKE = "ibermuseos.outbox.wake"


@orm_event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    """Wake the in-process relay once the transaction (not a savepoint) that recorded events commits."""
    if session.in_nested_transaction():
        return
    wake = session.info.pop(_WAKE, None)
    if wake is not None:
        wake()


@orm_event.listens_for(Session, "after_rollback")
def _forget_wake(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_WAKE, None)


class CoalescedNotify:
    """At most one NOTIFY per window from this process, and one after every commit that sent none."""

    def __init__(self, engine: AsyncEngine, window_seconds: float) -> None:
        self._engine = engine
        self._window = window_seconds
        self._last = -math.inf
        self._pending = False
        self._task: asyncio.Task[None] | None = None

    def claim(self) -> bool:
        """Whether the commit being prepared should notify with itself (and open a new window)."""
        now = time.monotonic()
        if now - self._last < self._window:
            return False
        self._last = now
        return True

    def committed_without(self) -> None:
        """A commit that sent no NOTIFY: one follows it when the window ends."""
        self._pending = True
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._notify_when_due())

    async def _notify_when_due(self) -> None:
        try:
            while self._pending:
                await asyncio.sleep(max(0.0, self._last + self._window - time.monotonic()))
                await self._notify()
        except Exception as error:
            log.warning("could not notify the outbox relay: %r; its next poll finds the events", error)
        finally:
            self._task = None

    async def _notify(self) -> None:
        # Cleared before sending: a commit from now on asks for the next one.
        self._pending = False
        self._last = time.monotonic()
        async with self._engine.connect() as connection:
            await connection.execute(select(func.pg_notify(CHANNEL, "")))
            await connection.commit()

    async def close(self) -> None:
        """Send now the NOTIFY still owed, if any, rather than at the end of the window."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._pending:
            await self._notify()


class Outbox:
    """Records events in the caller's transaction; they are published once it commits."""

    def __init__(self, table: Table, pseudonymise: Pseudonymiser) -> None:
        self._table = table
        self._pseudonymise = pseudonymise
        # Built once: bound parameters keep them in SQLAlchemy's compiled cache.
        self._insert = insert(table)
        self._insert_and_notify = insert(table).returning(func.pg_notify(CHANNEL, ""))
        self._local_relay: OutboxRelay | None = None
        self._coalesced: CoalescedNotify | None = None

    def wake_locally(self, relay: "OutboxRelay") -> None:
        """Commits in this process wake `relay` in memory, without a NOTIFY, while it leads."""
        self._local_relay = relay

    def coalesce_notify(self, engine: AsyncEngine, window_seconds: float) -> None:
        """Commits that must NOTIFY send at most one per `window_seconds` from this process."""
        self._coalesced = CoalescedNotify(engine, window_seconds) if window_seconds > 0 else None

    async def close(self) -> None:
        """Send the NOTIFY still owed, if any."""
        if self._coalesced is not None:
            await self._coalesced.close()

    def rows(self, events: Sequence[Event]) -> list[dict[str, Any]]:
        """The outbox rows of `events`, with the correlation of the request or event being handled."""
        rows = []
        trace_headers = [[name, value] for name, value in tracing.current_trace_headers()]
        for event in events:
            envelope = Envelope.for_event(
                event, correlation_id=logs.correlation_id.get(), causation_id=logs.causation_id.get()
            )
            rows.append(
                {
                    "event_id": envelope.id,
                    "event_type": envelope.type,
                    "topic": event.topic.private,
                    "public_topic": event.topic.public,
                    "key": envelope.subject,
                    "headers": [
                        *([name, value.decode()] for name, value in envelope.to_headers()),
                        *trace_headers,
                    ],
                    "payload": encode(event).decode(),
                    "public_payload": encode(to_public(event, self._pseudonymise)).decode(),
                }
            )
        return rows

    async def record(self, session: AsyncSession, events: Sequence[Event]) -> None:
        """Add `events` to the outbox in the session's transaction, and wake the relay at commit."""
        if not events:
            return
        relay = self._local_relay
        if relay is not None and relay.leading:
            await session.execute(self._insert, self.rows(events))
            session.sync_session.info[_WAKE] = relay.wake
            return
        coalesced = self._coalesced
        if coalesced is not None and not coalesced.claim():
            await session.execute(self._insert, self.rows(events))
            session.sync_session.info[_WAKE] = coalesced.committed_without
            return
        # NOTIFY is delivered when the transaction commits, not at all if it rolls back, and once
        # however many rows asked for it; asking in RETURNING saves a round trip per command.
        await session.execute(self._insert_and_notify, self.rows(events))


class OutboxRelay:
    """Publishes committed outbox rows to Kafka in order, marks them sent, and sleeps until woken."""

    def __init__(
        self,
        *,
        service: str,
        engine: AsyncEngine,
        table: Table,
        kafka: KafkaSettings,
        settings: OutboxSettings,
        producer_factory: Callable[[], AIOKafkaProducer],
    ) -> None:
        self._service = service
        self._engine = engine
        self._table = table
        self._kafka = kafka
        self._settings = settings
        self._producer_factory = producer_factory
        self._producer: AIOKafkaProducer | None = None
        self._wake = asyncio.Event()
        self.leading = False
        """Whether this relay holds the database's relay lock and listens: then it is the one to wake."""
        self._last_cleanup = datetime.min.replace(tzinfo=UTC)
        self._failures = 0
        # Built once: the same statements, whatever the batch, stay compiled in SQLAlchemy's cache.
        self._unsent = (
            select(table)
            .where(table.c.sent_at.is_(None))
            .order_by(table.c.position)
            .limit(settings.batch_size)
        )
        self._mark_sent = (
            update(table)
            .where(table.c.position == any_(bindparam("positions", type_=ARRAY(BigInteger))))
            .values(sent_at=bindparam("sent_at"))
        )
        self._published = OUTBOX_PUBLISHED.labels(service)
        self._delay = OUTBOX_DELAY.labels(service)
        self._backlog = OUTBOX_BACKLOG.labels(service)

    async def run(self) -> None:
        """Relay until cancelled; failures of Kafka or the database are retried with backoff."""
        while True:
            try:
                async with self._engine.connect() as listener:
                    try:
                        await self._lead(listener)
                        self.leading = True
                        await self._relay_forever()
                    except BaseException:
                        self.leading = False
                        # Back in the pool, the connection would keep its session, and with it the
                        # leader's advisory lock: the next attempt, on another connection, would wait
                        # for that lock for ever. Ending the session releases it.
                        await listener.invalidate()
                        raise
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self._failures += 1
                delay = backoff(self._failures)
                log.warning("outbox relay failed: %r; retrying in %.1fs", error, delay)
                await self.close()
                await asyncio.sleep(delay)
            finally:
                self.leading = False
                await self.close()

    def wake(self) -> None:
        """Look for unsent rows now (a commit in this process recorded some)."""
        self._wake.set()

    async def _lead(self, listener: AsyncConnection) -> None:
        """Hold the relay lock on `listener` and listen there for commits that recorded events."""
        while not (await listener.execute(select(func.pg_try_advisory_lock(RELAY_LOCK_ID)))).scalar():
            await listener.rollback()
            await asyncio.sleep(self._settings.poll_interval_seconds)
        await listener.commit()
        raw = await listener.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        await driver.add_listener(CHANNEL, lambda *_: self._wake.set())

    async def _relay_forever(self) -> None:
        while True:
            self._wake.clear()
            sent = await self.publish_pending()
            self._failures = 0
            await self._cleanup_sent()
            if sent < self._settings.batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._settings.poll_interval_seconds)

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._producer_factory()
            await start_or_close(producer, producer.stop)
            self._producer = producer
        return self._producer

    async def close(self) -> None:
        """Stop the producer, if one was started."""
        if self._producer is not None:
            producer, self._producer = self._producer, None
            # stop() waits for pending sends; with the broker gone it would wait for ever.
            # Unsent rows stay unsent in the outbox and go out on the next run.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), timeout=5)

    async def publish_pending(self) -> int:
        """Publish one batch of unsent rows in position order; returns how many were sent."""
        producer = await self._ensure_producer()
        async with self._engine.begin() as connection:
            rows = (await connection.execute(self._unsent)).all()
            if not rows:
                self._backlog.set(0)
                return 0
            deliveries = []
            for row in rows:
                deliveries.extend(await self._send(producer, row))
            await asyncio.gather(*deliveries)
            now = datetime.now(UTC)
            await connection.execute(
                self._mark_sent, {"positions": [row.position for row in rows], "sent_at": now}
            )
        self._published.inc(len(rows))
        for row in rows:
            self._delay.observe((now - row.recorded_at).total_seconds())
        if len(rows) < self._settings.batch_size:
            self._backlog.set(0)
        else:
            self._backlog.set(await self.backlog())
        return len(rows)

    async def _send(self, producer: AIOKafkaProducer, row: Row[Any]) -> list["asyncio.Future[Any]"]:
        """Send a row to its private topic and its public twin, in a span the consumers' spans continue."""
        topic = self._kafka.topic(row.topic)
        with tracing.start_as_current_span(
            f"send {topic}",
            context=tracing.context_from(row.headers),
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": topic,
                "cloudevents.event_id": str(row.event_id),
                "cloudevents.event_type": row.event_type,
            },
        ):
            headers = [
                (name, value.encode())
                for name, value in (
                    *tracing.without_trace_headers(row.headers),
                    *tracing.current_trace_headers(),
                )
            ]
            key = row.key.encode()
            sent = [await producer.send(topic, row.payload.encode(), key=key, headers=headers)]
            if row.public_topic is not None and row.public_payload is not None:
                public_topic = self._kafka.topic(row.public_topic)
                sent.append(
                    await producer.send(public_topic, row.public_payload.encode(), key=key, headers=headers)
                )
        return sent

    async def backlog(self) -> int:
        """How many recorded events are not yet published."""
        async with self._engine.connect() as connection:
            count = await connection.scalar(
                select(func.count()).select_from(self._table).where(self._table.c.sent_at.is_(None))
            )
        return int(count or 0)

    async def _cleanup_sent(self) -> None:
        now = datetime.now(UTC)
        if now - self._last_cleanup < timedelta(hours=1):
            return
        self._last_cleanup = now
        cutoff = now - timedelta(days=self._settings.keep_sent_days)
        async with self._engine.begin() as connection:
            await connection.execute(
                delete(self._table).where(self._table.c.sent_at.is_not(None), self._table.c.sent_at < cutoff)
            )
