"""Fault test: the relay and the consumer are SIGKILLed mid-batch, and still every event has exactly one effect.

The relay and the consumer run in real OS processes: this very module, run as a script
(`python test_killed_mid_batch.py killable-relay|killable-consumer ...`), is what the test
starts and kills. Each is killed at a moment the test sees in PostgreSQL: the relay after
publishing a batch and before marking it sent, the consumer with a batch half applied.
Every event is counted from the outbox, through both Kafka tiers, to the inbox and the effects.
"""

import asyncio
import contextlib
import logging
import os
import sys
import uuid
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from ibermuseos_contracts import Envelope, Pseudonymiser
from ibermuseos_platform.consumer import EventConsumer
from ibermuseos_platform.dead_letters import DeadLetterPublisher
from ibermuseos_platform.kafka import (
    dead_letter_topics,
    ensure_topics,
    new_broker,
    new_producer,
    published_topics,
)
from ibermuseos_platform.outbox import Outbox
from ibermuseos_platform.settings import KafkaSettings
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.probe import PROBES, ProbeRecordedV1, probe_metadata, probe_relay
from ibermuseos_platform.testing.waiting import eventually
from sqlalchemy import Column, Executable, Integer, MetaData, String, Table, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

pytestmark = pytest.mark.integration

KEYS = [f"probe-{key}" for key in range(6)]
SEQUENCES = 500
EVENTS = len(KEYS) * SEQUENCES
RECORDED_PER_TRANSACTION = 100
RELAY_BATCH = 50
# The relay is killed after marking this many batches sent, with the next one published but not marked.
RELAY_BATCHES_MARKED = 3
CONSUMER_BATCH = 100
# Slow enough that a batch holds its transaction open for a second or so.
SLOW_EFFECT_SECONDS = 0.01
# A batch transaction this young is far from its commit when the consumer is killed.
YOUNG_BATCH_SECONDS = 0.2

RELAY = "killable-relay"
CONSUMER = "killable-consumer"
DATABASE_URL_ENV = "KILLABLE_DATABASE_URL"
BOOTSTRAP_ENV = "KILLABLE_KAFKA_BOOTSTRAP"
TOPIC_PREFIX_ENV = "KILLABLE_TOPIC_PREFIX"


def effects_metadata() -> MetaData:
    """The probe tables plus `event_effects`: a row per event applied, with how often it was applied."""
    metadata = probe_metadata()
    Table(
        "event_effects",
        metadata,
        Column("probe_id", String, primary_key=True),
        Column("sequence", Integer, primary_key=True),
        Column("applied", Integer, nullable=False),
    )
    return metadata


METADATA = effects_metadata()
OUTBOX, INBOX, EFFECTS = (METADATA.tables[name] for name in ("outbox", "inbox", "event_effects"))


# What runs in the worker processes.


async def relay(engine: AsyncEngine, settings: KafkaSettings) -> None:
    await probe_relay(
        engine, OUTBOX, settings, service=RELAY, batch_size=RELAY_BATCH, poll_interval_seconds=0.2
    ).run()


async def consume(engine: AsyncEngine, settings: KafkaSettings, group: str, effect_seconds: float) -> None:
    async def apply(session: AsyncSession, event: ProbeRecordedV1, envelope: Envelope) -> None:
        statement = insert(EFFECTS).values(probe_id=event.probe_id, sequence=event.sequence, applied=1)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["probe_id", "sequence"], set_={"applied": EFFECTS.c.applied + 1}
            )
        )
        await asyncio.sleep(effect_seconds)

    dead_letter_producer = new_producer(settings, f"{group}-dead-letters")
    await dead_letter_producer.start()
    consumer = EventConsumer(
        name=group,
        handlers={ProbeRecordedV1: apply},
        public=True,
        session_factory=async_sessionmaker(engine, expire_on_commit=False),
        inbox=INBOX,
        dead_letters=DeadLetterPublisher(lambda: dead_letter_producer, group),
        kafka=settings,
        max_records=CONSUMER_BATCH,
    )
    broker = new_broker(settings, group)
    consumer.subscribe(broker)
    await broker.start()
    await asyncio.Future()  # consumes until killed


async def until_killed(job: Coroutine[Any, Any, None]) -> None:
    """Run `job` until the process is killed; end it too if the test process is gone."""
    parent = os.getppid()
    task = asyncio.create_task(job)
    while not task.done() and os.getppid() == parent:
        await asyncio.wait({task}, timeout=0.5)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task  # raises what made the job fail


async def work(role: str, *args: str) -> None:
    settings = KafkaSettings(
        bootstrap_servers=os.environ[BOOTSTRAP_ENV], topic_prefix=os.environ[TOPIC_PREFIX_ENV]
    )
    # The test tells this process's transactions from its own by the application name.
    engine = create_async_engine(
        os.environ[DATABASE_URL_ENV], connect_args={"server_settings": {"application_name": role}}
    )
    if role == RELAY:
        await until_killed(relay(engine, settings))
    else:
        group, effect_seconds = args
        await until_killed(consume(engine, settings, group, float(effect_seconds)))


# The test.


@pytest.fixture(scope="module")
def metadata() -> MetaData:
    return METADATA


@pytest.fixture
async def own_topics(kafka: KafkaTestClient) -> AsyncIterator[KafkaTestClient]:
    """Topics of this test alone, inside the session's namespace (deleted with it): every record on them is ours."""
    client = KafkaTestClient(kafka.bootstrap, f"{kafka.prefix}killed-{uuid.uuid4().hex[:6]}.")
    settings = client.settings()
    await ensure_topics(
        settings,
        published_topics([PROBES], settings) + dead_letter_topics([settings.topic(PROBES.public)], settings),
    )
    yield client
    await client.close()


class Workers:
    """Starts this module as relay and consumer processes, and kills them with SIGKILL."""

    def __init__(self, engine: AsyncEngine, settings: KafkaSettings) -> None:
        self._env = os.environ | {
            DATABASE_URL_ENV: engine.url.render_as_string(hide_password=False),
            BOOTSTRAP_ENV: settings.bootstrap_servers,
            TOPIC_PREFIX_ENV: settings.topic_prefix,
        }
        self._processes: list[asyncio.subprocess.Process] = []

    async def start(self, role: str, *args: str) -> asyncio.subprocess.Process:
        process = await asyncio.create_subprocess_exec(sys.executable, __file__, role, *args, env=self._env)
        self._processes.append(process)
        return process

    async def kill(self, process: asyncio.subprocess.Process) -> None:
        assert process.returncode is None, f"the worker ended by itself (exit code {process.returncode})"
        await self._kill(process)

    async def kill_all(self) -> None:
        for process in self._processes:
            await self._kill(process)

    @staticmethod
    async def _kill(process: asyncio.subprocess.Process) -> None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


@pytest.fixture
async def workers(engine: AsyncEngine, own_topics: KafkaTestClient) -> AsyncIterator[Workers]:
    started = Workers(engine, own_topics.settings())
    try:
        yield started
    finally:
        await started.kill_all()


async def record_probes(engine: AsyncEngine) -> set[uuid.UUID]:
    """Record every probe event in the outbox, a hundred per committed transaction; returns their ids."""
    outbox = Outbox(OUTBOX, Pseudonymiser(b"integration-test-pseudonym-key!!"))
    events = [
        ProbeRecordedV1(probe_id=key, sequence=sequence, person_id=f"person-{key}", person_name="Ana Souza")
        for sequence in range(SEQUENCES)
        for key in KEYS
    ]
    sessions = async_sessionmaker(engine)
    for start in range(0, EVENTS, RECORDED_PER_TRANSACTION):
        async with sessions() as session, session.begin():
            await outbox.record(session, events[start : start + RECORDED_PER_TRANSACTION])
    async with engine.connect() as connection:
        return set((await connection.scalars(select(OUTBOX.c.event_id))).all())


async def count(engine: AsyncEngine, statement: Executable) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(statement) or 0)


async def sent(engine: AsyncEngine) -> int:
    return await count(engine, select(func.count()).where(OUTBOX.c.sent_at.is_not(None)))


async def applied(engine: AsyncEngine) -> int:
    return await count(engine, select(func.count()).select_from(EFFECTS))


async def all_sent(engine: AsyncEngine) -> bool:
    return await sent(engine) == EVENTS


async def relay_waiting_on_a_lock(engine: AsyncEngine) -> bool:
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND application_name = :role AND wait_event_type = 'Lock'"
    ).bindparams(role=RELAY)
    return await count(engine, waiting) > 0


async def batch_in_flight_after_two_applied(engine: AsyncEngine) -> bool:
    """Whether the consumer has applied two batches' worth of events and has just begun writing another batch."""
    young_writing_transactions = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND application_name = :role AND backend_xid IS NOT NULL"
        " AND clock_timestamp() - xact_start < make_interval(secs => :young)"
    ).bindparams(role=CONSUMER, young=YOUNG_BATCH_SECONDS)
    return await applied(engine) >= 2 * CONSUMER_BATCH and await count(engine, young_writing_transactions) > 0


@contextlib.asynccontextmanager
async def outbox_row_locked(engine: AsyncEngine, index: int) -> AsyncIterator[None]:
    """Hold the lock of the outbox row at `index` in position order: marking its batch sent waits for it."""
    # Only that row: FOR UPDATE with an OFFSET would lock the rows skipped as well.
    nth = select(OUTBOX.c.position).order_by(OUTBOX.c.position).offset(index).limit(1).scalar_subquery()
    async with engine.connect() as connection:
        await connection.execute(select(OUTBOX.c.position).where(OUTBOX.c.position == nth).with_for_update())
        yield


async def published(topics: KafkaTestClient, tier: str) -> list[str]:
    """The ce_id of every record on a tier's topic, duplicates included, once every event is there."""

    def ids(records: list[ConsumerRecord[bytes, bytes]]) -> list[str]:
        return [dict(record.headers)["ce_id"].decode() for record in records]

    return ids(await topics.read(tier, until=lambda records: len(set(ids(records))) >= EVENTS, settle=0.5))


async def wait_until_consumed_to_the_end(topics: KafkaTestClient, group: str) -> None:
    """Wait until the group's committed offsets reach the end of the topic: nothing is left to redeliver."""
    settings = topics.settings()
    partitions = [TopicPartition(topics.topic(PROBES.public), p) for p in range(settings.partitions)]
    client = AIOKafkaConsumer(bootstrap_servers=topics.bootstrap, group_id=group, enable_auto_commit=False)
    await client.start()
    try:
        ends = await client.end_offsets(partitions)

        async def at_the_end() -> bool:
            committed = [await client.committed(partition) or 0 for partition in partitions]
            return committed == [ends[partition] for partition in partitions]

        await eventually(at_the_end, timeout=60, what="the consumer group committing the end of the topic")
    finally:
        await client.stop()


async def test_killing_the_relay_and_the_consumer_mid_batch_neither_loses_nor_doubles_an_effect(
    engine: AsyncEngine, own_topics: KafkaTestClient, workers: Workers
) -> None:
    recorded = await record_probes(engine)
    group = f"killable-{uuid.uuid4().hex[:6]}"
    # The consumer runs from the start, beside the relay.
    first_consumer = await workers.start(CONSUMER, group, str(SLOW_EFFECT_SECONDS))

    # The relay publishes a batch, then waits for the lock to mark it sent: it dies there.
    async with outbox_row_locked(engine, RELAY_BATCHES_MARKED * RELAY_BATCH):
        first_relay = await workers.start(RELAY)
        await eventually(
            lambda: relay_waiting_on_a_lock(engine), what="the relay waiting to mark a published batch sent"
        )
        await workers.kill(first_relay)
    sent_before_kill = await sent(engine)
    await workers.start(RELAY)

    await eventually(
        lambda: batch_in_flight_after_two_applied(engine),
        timeout=60,
        what="a consumer batch in flight after two were applied",
    )
    applied_with_a_batch_in_flight = await applied(engine)
    await workers.kill(first_consumer)
    applied_before_kill = await applied(engine)
    await workers.start(CONSUMER, group, "0")

    # Meanwhile the second consumer waits for the group to drop the killed one.
    await eventually(lambda: all_sent(engine), timeout=60, what="the second relay draining the outbox")
    private, public = await asyncio.gather(
        published(own_topics, PROBES.private), published(own_topics, PROBES.public)
    )
    await wait_until_consumed_to_the_end(own_topics, own_topics.settings().group(group))

    async with engine.connect() as connection:
        effects = (await connection.execute(select(EFFECTS))).all()
        inbox = (await connection.execute(select(INBOX.c.event_id, INBOX.c.outcome))).all()
    assert len(recorded) == EVENTS
    assert sent_before_kill == RELAY_BATCHES_MARKED * RELAY_BATCH
    assert 0 < applied_before_kill < EVENTS
    assert applied_before_kill == applied_with_a_batch_in_flight, (
        "the batch in flight committed before the kill"
    )
    for ids in (private, public):
        assert set(ids) == {str(event_id) for event_id in recorded}
        # The batch the killed relay published but had not marked sent went out again.
        assert len(ids) == EVENTS + RELAY_BATCH
    assert {(row.probe_id, row.sequence): row.applied for row in effects} == {
        (key, sequence): 1 for key in KEYS for sequence in range(SEQUENCES)
    }
    assert len(inbox) == EVENTS
    assert {row.event_id for row in inbox} == recorded
    assert {row.outcome for row in inbox} == {"processed"}


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(work(*sys.argv[1:]))
