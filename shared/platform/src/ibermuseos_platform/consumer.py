"""The idempotent consumer: each event has one effect however often Kafka delivers it.

A batch of records is applied in one database transaction together with an inbox row per
event id; the Kafka offsets are committed only after that transaction commits (FastStream's
`NACK_ON_ERROR` policy: ack after the handler returns, rewind when it raises). An event that
can never be processed goes to the dead-letter topic with the reason, and the batch goes on.
Failures of the database or Kafka are retried with backoff and never dead-lettered.

A handler applies one event; a `Batched` handler applies a run of consecutive events of its
types at once (one statement for many rows), in their order, so the order per key still holds.
"""

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from ibermuseos_contracts import Envelope, EnvelopeError, Event, decode, event_class
from ibermuseos_contracts.envelope import known_name_unknown_version
from opentelemetry.trace import Link, Span, SpanKind, get_current_span
from pydantic import BaseModel
from sqlalchemy import String, Table, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.dml import ReturningInsert

from . import logs, tracing
from .dead_letters import DeadLetterPublisher
from .metrics import CONSUMER_LAG, EVENTS_CONSUMED, LAST_EVENT_TIME
from .retry import backoff
from .settings import KafkaSettings

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, Any, Envelope], Awaitable[None]]
"""Applies one event inside the consumer's transaction: (session, event, envelope)."""


@dataclass(frozen=True, slots=True)
class Batched:
    """A handler of consecutive events at once: `apply(session, [(event, envelope), ...])`, in order.

    For effects that record no events of their own (projections, counters): the events of a run
    are applied together, so no one of them is the cause of what the handler does. When a batch
    fails, each event is applied alone (a run of one) to find the broken one.
    """

    apply: Callable[[AsyncSession, Sequence[tuple[Any, Envelope]]], Awaitable[None]]


# SQLSTATE classes that say "try again": connection, rollback (serialization, deadlock),
# insufficient resources, operator intervention (shutdown), system error.
_TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "53", "57", "58")
IN_PROCESS_ATTEMPTS = 5
# A batch's span links to the spans that sent its first events, as many as the SDK keeps by default.
MAX_LINKS = 128


def is_transient(error: BaseException) -> bool:
    """Whether trying again later may succeed: infrastructure failed, not the event."""
    if isinstance(error, OSError | TimeoutError | KafkaError | InterfaceError | OperationalError):
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        sqlstate = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
        return isinstance(sqlstate, str) and sqlstate.startswith(_TRANSIENT_SQLSTATE_CLASSES)
    return False


@dataclass(frozen=True, slots=True)
class _Item:
    record: ConsumerRecord[Any, Any]
    envelope: Envelope
    event: BaseModel
    handler: Handler | Batched


class EventConsumer:
    """A consumer group of one service: which events it applies, from which tier, with which handlers."""

    def __init__(
        self,
        *,
        name: str,
        handlers: Mapping[type[Event], Handler | Batched],
        public: bool,
        session_factory: async_sessionmaker[AsyncSession],
        inbox: Table,
        dead_letters: DeadLetterPublisher,
        kafka: KafkaSettings,
        max_records: int = 500,
    ) -> None:
        self.name = name
        self._handlers = {str(cls.event_type): handler for cls, handler in handlers.items()}
        self._public = public
        self._session_factory = session_factory
        self._inbox = inbox
        self._dead_letters = dead_letters
        self._max_records = max_records
        self._claim_statement = _claim_statement(inbox)
        contract_topics = {cls.topic.public if public else cls.topic.private for cls in handlers}
        self.topics = sorted(kafka.topic(topic) for topic in contract_topics)
        self.group_id = kafka.group(name)

    def subscribe(self, broker: KafkaBroker) -> None:
        """Register the batch subscriber on `broker`; offsets are committed after each batch commits."""

        @broker.subscriber(
            *self.topics,
            batch=True,
            group_id=self.group_id,
            ack_policy=AckPolicy.NACK_ON_ERROR,
            auto_offset_reset="earliest",
            max_records=self._max_records,
            description=f"{self.name}: {', '.join(sorted(self._handlers))}",
        )
        async def consume(message: KafkaMessage) -> None:
            kafka_consumer = getattr(message, "consumer", None)
            await self.handle_batch(
                message.raw_message,
                consumer=kafka_consumer if isinstance(kafka_consumer, AIOKafkaConsumer) else None,
            )

    async def handle_batch(
        self, records: Sequence[ConsumerRecord[Any, Any]], consumer: AIOKafkaConsumer | None = None
    ) -> None:
        """Apply a batch of records; returns only when all are applied or dead-lettered."""
        items = await self._decode(records)
        attempt = 0
        while True:
            try:
                await self._apply(items)
                break
            except Exception as error:
                attempt += 1
                if not is_transient(error) or attempt >= IN_PROCESS_ATTEMPTS:
                    # Raising rewinds the partitions: the batch is fetched and tried again.
                    raise
                delay = backoff(attempt)
                log.warning("%s: transient failure %r; retrying the batch in %.1fs", self.name, error, delay)
                await asyncio.sleep(delay)
        if consumer is not None and records:
            self._record_lag(records, consumer)

    async def _decode(self, records: Sequence[ConsumerRecord[Any, Any]]) -> list[_Item]:
        items: list[_Item] = []
        seen: set[Any] = set()
        for record in records:
            try:
                envelope = Envelope.from_headers(record.headers or ())
                handler = self._handlers.get(envelope.type)
                if handler is None:
                    if event_class(envelope.type) is None and known_name_unknown_version(
                        envelope, self._handlers
                    ):
                        raise EnvelopeError(
                            f"unknown version {envelope.type} of an event this consumer handles"
                        )
                    EVENTS_CONSUMED.labels(self.name, "ignored").inc()
                    continue
                event = decode(envelope, record.value, public=self._public)
            except EnvelopeError as error:
                await self._dead_letter(record, str(error))
                EVENTS_CONSUMED.labels(self.name, "dead_lettered").inc()
                continue
            if envelope.id in seen:
                EVENTS_CONSUMED.labels(self.name, "duplicate").inc()
                continue
            seen.add(envelope.id)
            items.append(_Item(record, envelope, event, handler))
        return items

    async def _apply(self, items: list[_Item]) -> None:
        if not items:
            return
        try:
            await self._apply_in_one_transaction(items, isolate=False)
        except Exception as error:
            if is_transient(error):
                raise
            # Some event broke: apply one by one, each in a savepoint, to find and park it.
            await self._apply_in_one_transaction(items, isolate=True)

    async def _apply_in_one_transaction(self, items: list[_Item], *, isolate: bool) -> None:
        outcomes: Counter[str] = Counter()
        async with self._session_factory() as session, session.begin():
            claimed = await self._claim(session, items)
            fresh = [item for item in items if item.envelope.id in claimed]
            outcomes["duplicate"] = len(items) - len(fresh)
            if isolate:
                for item in fresh:
                    outcomes[await self._apply_isolated(session, item)] += 1
            else:
                for run in _runs(fresh):
                    await self._apply_run(session, run)
                outcomes["processed"] += len(fresh)
        logs.correlation_id.set(None)
        logs.causation_id.set(None)
        for outcome, count in outcomes.items():
            if count:
                EVENTS_CONSUMED.labels(self.name, outcome).inc(count)
        LAST_EVENT_TIME.labels(self.name).set(max(item.envelope.time for item in items).timestamp())

    async def _apply_run(self, session: AsyncSession, run: list[_Item]) -> None:
        """Apply one event with its handler, or a run of consecutive events with their batched handler."""
        handler = run[0].handler
        if isinstance(handler, Batched):
            logs.correlation_id.set(None)
            logs.causation_id.set(None)
            with self._batch_span(run):
                await handler.apply(session, [(item.event, item.envelope) for item in run])
            return
        (item,) = run
        logs.correlation_id.set(item.envelope.correlation_id)
        logs.causation_id.set(str(item.envelope.id))
        with self._span(item):
            await handler(session, item.event, item.envelope)

    async def _apply_isolated(self, session: AsyncSession, item: _Item) -> str:
        """Apply one event in a savepoint; a broken one is dead-lettered and the batch goes on."""
        try:
            async with session.begin_nested():
                await self._apply_run(session, [item])
        except Exception as error:
            if is_transient(error):
                raise
            # The event's span has recorded the error as it left it.
            log.error(
                "event dead-lettered",
                extra={"consumer": self.name, "ce_id": str(item.envelope.id)},
                exc_info=True,
            )
            await self._dead_letter(item.record, error)
            await self._mark(session, item, "dead_lettered")
            return "dead_lettered"
        return "processed"

    def _batch_span(self, run: list[_Item]) -> AbstractContextManager[Span]:
        """The span of applying a run of events at once, linked to the spans that sent each."""
        topics = sorted({item.record.topic for item in run})
        return tracing.start_as_current_span(
            f"process {', '.join(topics)}",
            kind=SpanKind.CONSUMER,
            links=[
                Link(get_current_span(tracing.context_from(item.record.headers or ())).get_span_context())
                for item in run[:MAX_LINKS]
            ]
            if tracing.spans_are_read()
            else [],
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": topics[0] if len(topics) == 1 else "",
                "messaging.batch.message_count": len(run),
                "messaging.consumer.group.name": self.name,
            },
        )

    def _span(self, item: _Item) -> AbstractContextManager[Span]:
        """The span of applying one event, a child of the span that sent it."""
        record = item.record
        return tracing.start_as_current_span(
            f"process {record.topic}",
            context=tracing.context_from(record.headers or ()),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": record.topic,
                "messaging.destination.partition.id": str(record.partition),
                "messaging.kafka.offset": record.offset,
                "messaging.consumer.group.name": self.name,
                "cloudevents.event_id": str(item.envelope.id),
                "cloudevents.event_type": item.envelope.type,
            },
        )

    async def _claim(self, session: AsyncSession, items: list[_Item]) -> set[Any]:
        """Insert an inbox row per event; the ids returned are those not processed before."""
        claimed = await session.execute(
            self._claim_statement,
            {
                "consumer": self.name,
                "event_ids": [item.envelope.id for item in items],
                "event_types": [item.envelope.type for item in items],
            },
        )
        return set(claimed.scalars())

    async def _mark(self, session: AsyncSession, item: _Item, outcome: str) -> None:
        table = self._inbox
        await session.execute(
            table.update()
            .where(table.c.consumer == self.name, table.c.event_id == item.envelope.id)
            .values(outcome=outcome)
        )

    async def _dead_letter(self, record: ConsumerRecord[Any, Any], error: BaseException | str) -> None:
        await self._dead_letters.publish(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value,
            headers=list(record.headers or ()),
            error=error,
        )

    def _record_lag(self, records: Sequence[ConsumerRecord[Any, Any]], consumer: AIOKafkaConsumer) -> None:
        last: dict[TopicPartition, int] = {}
        for record in records:
            last[TopicPartition(record.topic, record.partition)] = record.offset
        for partition, offset in last.items():
            highwater = consumer.highwater(partition)
            if highwater is not None:
                CONSUMER_LAG.labels(self.name, partition.topic, str(partition.partition)).set(
                    max(0, highwater - offset - 1)
                )


def _runs(items: list[_Item]) -> Iterator[list[_Item]]:
    """The items in order, consecutive ones of the same batched handler together, every other alone."""
    run: list[_Item] = []
    for item in items:
        if run and not (isinstance(item.handler, Batched) and item.handler is run[0].handler):
            yield run
            run = []
        run.append(item)
    if run:
        yield run


def _claim_statement(inbox: Table) -> ReturningInsert[tuple[Any]]:
    """One INSERT of a batch's inbox rows from two arrays: compiled once, whatever the batch's size."""
    rows = select(
        bindparam("consumer", type_=String),
        func.unnest(bindparam("event_ids", type_=ARRAY(UUID(as_uuid=True)))),
        func.unnest(bindparam("event_types", type_=ARRAY(String))),
    )
    insert = pg_insert(inbox).from_select(["consumer", "event_id", "event_type"], rows)
    # A dead-lettered event may be redriven: it is claimed again then.
    return insert.on_conflict_do_update(
        index_elements=[inbox.c.consumer, inbox.c.event_id],
        set_={"outcome": "processed"},
        where=inbox.c.outcome == "dead_lettered",
    ).returning(inbox.c.event_id)
