"""End-to-end latency of one event at a steady, moderate rate, against raw asyncpg and aiokafka.

Commands are started at a fixed rate (BENCH_LATENCY_RATE per second, BENCH_LATENCY_EVENTS of
them), each in its own task, so that a slow one does not hold back the next (open loop). As
in a deployment, where the service that records an event and the one that applies it are
different processes, the consumer runs in a child process of its own; t0 and t1 are read from
CLOCK_MONOTONIC, which every process of the machine shares. An event's latency is t1 - t0:

- platform: a command inserts a state row and calls `Outbox.record` in one SQLAlchemy
  transaction; t0 is read just before that transaction commits. A running `OutboxRelay`, woken
  by the commit's NOTIFY, publishes it (private and public topic); a running `EventConsumer`
  (FastStream batch subscriber on the public topic) applies it with its inbox row and an effect
  row in one transaction; t1 is read when that transaction has committed (a session
  `after_commit` hook), before the Kafka offsets are committed.
- raw, in the same run on the same broker and server: an asyncpg INSERT in its own
  transaction (t0 just before its commit), then, after the commit, an awaited send of the same
  public payload and headers with an idempotent acks=all aiokafka producer (linger 5 ms, as the
  relay's); a plain aiokafka consumer inserts one row per record with asyncpg, one transaction
  per fetched batch; t1 is read when that transaction has committed, before the offsets are.

The commands and the relay run in this process. The first second's worth of events of each
path warms it up (connections, consumer group join) and is not counted. Each path has its own
scratch databases (source and sink). Percentiles are nearest-rank.

Run: `python -m benchmarks bench_latency` (BENCH_LATENCY_RATE=200 BENCH_LATENCY_EVENTS=3000 for
200 events a second for 15 seconds).
"""

import asyncio
import multiprocessing
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Hashable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from multiprocessing.connection import Connection
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from ibermuseos_contracts import Envelope, Pseudonymiser, encode, to_public
from ibermuseos_platform.consumer import EventConsumer
from ibermuseos_platform.dead_letters import DeadLetterPublisher
from ibermuseos_platform.kafka import (
    TopicConfig,
    dead_letter_topics,
    ensure_topics,
    new_broker,
    new_producer,
    published_topics,
)
from ibermuseos_platform.outbox import Outbox, OutboxRelay
from ibermuseos_platform.settings import KafkaSettings, OutboxSettings
from ibermuseos_platform.testing.kafka import delete_topics
from ibermuseos_platform.testing.probe import PROBES, ProbeRecordedV1, probe_metadata
from sqlalchemy import Column, Integer, String, Table, event
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from .measure import KAFKA, QUICK, Latencies, drop_database, report_latency, scratch_database

# 100 a second keeps both paths below saturation on the 2 shared cores this grew on (at 200 the
# platform's commands sometimes fell behind the rate there); raise it on a bigger machine.
EVENTS = int(os.environ.get("BENCH_LATENCY_EVENTS", "200" if QUICK else "1500"))
RATE = float(os.environ.get("BENCH_LATENCY_RATE", "100"))
WARMUP = max(20, int(RATE))
CONNECTIONS = 8
WAIT_SECONDS = 60.0
KEY = Pseudonymiser(b"benchmark-pseudonym-key-32-bytes")
RAW_TOPIC = "bench.latency.raw.v1"

Command = Callable[[int], Coroutine[Any, Any, None]]
Applied = Callable[[list[Hashable], float], None]
"""Told, in the consumer's process, which events a transaction applied and when it committed."""


def now() -> float:
    """Seconds on CLOCK_MONOTONIC: the same clock in every process of this machine."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def probe(i: int) -> ProbeRecordedV1:
    return ProbeRecordedV1(
        probe_id=f"probe-{i % 500}", sequence=i, person_id=f"person-{i}", person_name="Ana Souza"
    )


def header(headers: Sequence[tuple[str, bytes]], name: str) -> str:
    for key, value in headers:
        if key == name:
            return value.decode()
    raise KeyError(name)


# The consuming side: each runs in a child process (see `consuming`).


@asynccontextmanager
async def raw_consumer(settings: KafkaSettings, sink_url: str, applied: Applied) -> AsyncIterator[None]:
    """A plain aiokafka consumer: per fetched batch, one asyncpg transaction inserting a row per record."""
    sink = await asyncpg.connect(sink_url)
    await sink.execute("CREATE TABLE raw_effects (event_id text primary key, payload bytea)")
    consumer = AIOKafkaConsumer(
        settings.topic(RAW_TOPIC),
        bootstrap_servers=KAFKA,
        group_id=f"bench-latency-raw-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=500,
    )

    async def consume() -> None:
        while True:
            batch = await consumer.getmany(timeout_ms=200, max_records=500)
            rows = [(header(r.headers, "ce_id"), r.value) for records in batch.values() for r in records]
            if rows:
                async with sink.transaction():
                    await sink.executemany(
                        "INSERT INTO raw_effects VALUES ($1, $2) ON CONFLICT DO NOTHING", rows
                    )
                applied([event_id for event_id, _ in rows], now())
                await consumer.commit()

    await consumer.start()
    consuming = asyncio.create_task(consume())
    try:
        yield
    finally:
        consuming.cancel()
        await asyncio.gather(consuming, return_exceptions=True)
        await consumer.stop()
        await sink.close()


def timed_sessions(engine: AsyncEngine, applied: Applied) -> async_sessionmaker[AsyncSession]:
    """Sessions that tell, once their transaction has committed, which events their handlers applied."""

    class TimedSession(Session):
        pass

    @event.listens_for(TimedSession, "after_commit")
    def committed(session: Session) -> None:
        at = now()
        keys = session.info.pop("applied", None)
        if keys:
            applied(keys, at)

    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=TimedSession)


@asynccontextmanager
async def platform_consumer(settings: KafkaSettings, sink_url: str, applied: Applied) -> AsyncIterator[None]:
    """The platform's `EventConsumer` on the public topic: inbox and effect in one transaction per batch."""
    metadata = probe_metadata()
    sink = create_async_engine(sink_url)
    async with sink.begin() as connection:
        await connection.run_sync(metadata.create_all)
    effects = metadata.tables["effects"]

    async def handler(session: AsyncSession, event: ProbeRecordedV1, envelope: Envelope) -> None:
        statement = insert(effects).values(probe_id=f"{event.probe_id}-{event.sequence}", applied=1)
        await session.execute(statement.on_conflict_do_nothing())
        session.info.setdefault("applied", []).append(event.sequence)

    dead_letters = new_producer(settings, "bench-latency-dlq")
    consumer = EventConsumer(
        name=f"bench-latency-{uuid.uuid4().hex[:6]}",
        handlers={ProbeRecordedV1: handler},
        public=True,
        session_factory=timed_sessions(sink, applied),
        inbox=metadata.tables["inbox"],
        dead_letters=DeadLetterPublisher(lambda: dead_letters, "bench"),
        kafka=settings,
    )
    broker = new_broker(settings, "bench-latency")
    consumer.subscribe(broker)
    await dead_letters.start()
    try:
        await broker.start()
        yield
    finally:
        await broker.stop()
        await dead_letters.stop()
        await sink.dispose()


CONSUMERS: dict[str, Callable[[KafkaSettings, str, Applied], AbstractAsyncContextManager[None]]] = {
    "raw": raw_consumer,
    "platform": platform_consumer,
}


def consumer_process(kind: str, prefix: str, sink_url: str, pipe: Connection) -> None:
    """The child process: runs one consumer, sends (event keys, t1) per commit, stops when told."""

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def stopping() -> None:
            loop.remove_reader(pipe.fileno())
            stop.set()

        loop.add_reader(pipe.fileno(), stopping)
        settings = KafkaSettings(bootstrap_servers=KAFKA, topic_prefix=prefix)
        async with CONSUMERS[kind](settings, sink_url, lambda keys, at: pipe.send((keys, at))):
            pipe.send(None)
            await stop.wait()

    asyncio.run(serve())


# The producing side, in this process, and the timing of both.


class Clock:
    """When each event's source transaction committed (t0) and when its effect's did (t1)."""

    def __init__(self) -> None:
        self.committed: dict[Hashable, float] = {}
        self.applied: dict[Hashable, float] = {}
        self.ready = asyncio.Event()
        self.broken: str | None = None

    def reset(self) -> None:
        self.committed.clear()
        self.applied.clear()

    async def wait(self, condition: Callable[[], bool], what: str) -> None:
        deadline = now() + WAIT_SECONDS
        while not condition():
            if self.broken:
                raise RuntimeError(f"the consumer's process stopped: {self.broken}")
            if now() > deadline:
                raise RuntimeError(f"{what} within {WAIT_SECONDS:.0f}s")
            await asyncio.sleep(0.02)

    async def drained(self) -> None:
        """Wait until every committed event has been applied."""

        def missing() -> int:
            return sum(key not in self.applied for key in self.committed)

        await self.wait(lambda: not missing(), f"not all {len(self.committed)} events applied")

    def latencies(self) -> list[float]:
        return [self.applied[key] - t0 for key, t0 in self.committed.items()]


@asynccontextmanager
async def consuming(kind: str, settings: KafkaSettings, sink_url: str, clock: Clock) -> AsyncIterator[None]:
    """Run consumer `kind` in a child process, its reports of t1 landing in `clock`."""
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=consumer_process, args=(kind, settings.topic_prefix, sink_url, theirs), daemon=True
    )
    process.start()
    theirs.close()
    loop = asyncio.get_running_loop()

    def receive() -> None:
        try:
            while ours.poll():
                message = ours.recv()
                if message is None:
                    clock.ready.set()
                    continue
                keys, at = message
                for key in keys:
                    clock.applied.setdefault(key, at)
        except (EOFError, OSError) as error:
            loop.remove_reader(ours.fileno())
            clock.broken = f"exit code {process.exitcode}, {error!r}"

    loop.add_reader(ours.fileno(), receive)
    try:
        await clock.wait(clock.ready.is_set, f"the {kind} consumer did not start")
        yield
    finally:
        if not clock.broken:
            loop.remove_reader(ours.fileno())
            ours.send("stop")
        await asyncio.to_thread(process.join, 30)
        if process.is_alive():
            process.terminate()
            await asyncio.to_thread(process.join, 5)
        ours.close()


async def paced(first: int, count: int, command: Command) -> float:
    """Start command(i) for `count` numbers from `first`, RATE per second; returns the seconds taken."""
    started = time.perf_counter()
    tasks: list[asyncio.Task[None]] = []
    for n in range(count):
        delay = started + n / RATE - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(command(first + n)))
    await asyncio.gather(*tasks)
    return time.perf_counter() - started


async def measure(name: str, clock: Clock, command: Command) -> Latencies:
    """Warm up, then run EVENTS commands at RATE and wait until all are applied."""
    await paced(0, WARMUP, command)
    await clock.drained()
    clock.reset()
    seconds = await paced(WARMUP, EVENTS, command)
    await clock.drained()
    print(f"  {name}: {EVENTS} commands in {seconds:.1f}s ({EVENTS / seconds:.0f}/s)", flush=True)
    if EVENTS / seconds < 0.95 * RATE:
        print(f"  {name}: the commands fell behind {RATE:.0f}/s: saturated, its latencies include queueing")
    return Latencies(name, clock.latencies())


async def raw(settings: KafkaSettings, source_url: str, sink_url: str) -> Latencies:
    topic = settings.topic(RAW_TOPIC)
    clock = Clock()
    source = await asyncpg.create_pool(source_url, min_size=CONNECTIONS, max_size=CONNECTIONS)
    await source.execute(
        "CREATE TABLE raw_readings (sequence bigint primary key, probe_id text, payload text)"
    )
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, enable_idempotence=True, acks="all", linger_ms=5)

    async def command(i: int) -> None:
        event = probe(i)
        envelope = Envelope.for_event(event)
        payload, public = encode(event).decode(), encode(to_public(event, KEY))
        async with source.acquire() as connection, connection.transaction():
            await connection.execute(
                "INSERT INTO raw_readings VALUES ($1, $2, $3)", i, event.probe_id, payload
            )
            clock.committed[str(envelope.id)] = now()
        delivery = await producer.send(
            topic, public, key=event.subject.encode(), headers=envelope.to_headers()
        )
        await delivery

    await producer.start()
    try:
        async with consuming("raw", settings, sink_url, clock):
            return await measure("raw", clock, command)
    finally:
        await producer.stop()
        await source.close()


async def platform(settings: KafkaSettings, source_url: str, sink_url: str) -> Latencies:
    clock = Clock()
    metadata = probe_metadata()
    readings = Table(
        "readings",
        metadata,
        Column("sequence", Integer, primary_key=True),
        Column("probe_id", String, nullable=False),
        Column("payload", String, nullable=False),
    )
    source = create_async_engine(source_url, pool_size=CONNECTIONS)
    async with source.begin() as connection:
        await connection.run_sync(metadata.create_all)
    outbox = Outbox(metadata.tables["outbox"], KEY)
    sessions = async_sessionmaker(source)

    async def command(i: int) -> None:
        event = probe(i)
        async with sessions() as session, session.begin():
            await session.execute(
                readings.insert().values(sequence=i, probe_id=event.probe_id, payload=encode(event).decode())
            )
            await outbox.record(session, [event])
            clock.committed[i] = now()

    relay = OutboxRelay(
        service="bench",
        engine=source,
        table=metadata.tables["outbox"],
        kafka=settings,
        settings=OutboxSettings(),
        producer_factory=lambda: new_producer(settings, "bench-latency-relay"),
    )
    relaying = asyncio.create_task(relay.run())
    try:
        async with consuming("platform", settings, sink_url, clock):
            return await measure("platform", clock, command)
    finally:
        relaying.cancel()
        await asyncio.gather(relaying, return_exceptions=True)
        await source.dispose()


async def main() -> None:
    prefix = f"bench-latency-{uuid.uuid4().hex[:6]}."
    settings = KafkaSettings(bootstrap_servers=KAFKA, topic_prefix=prefix)
    databases: list[tuple[str, str]] = []
    try:
        await ensure_topics(
            settings,
            published_topics([PROBES], settings)
            + dead_letter_topics([settings.topic(PROBES.public)], settings)
            + [TopicConfig(settings.topic(RAW_TOPIC), settings.partitions, settings.replication_factor)],
        )
        for hint in ("latency_raw_source", "latency_raw_sink", "latency_source", "latency_sink"):
            databases.append(await scratch_database(hint))
        (raw_source, _), (raw_sink, _), (_, source), (_, sink) = databases
        server = raw_source.rsplit("@", 1)[-1].rsplit("/", 1)[0]
        print(
            f"{EVENTS} events at {RATE:.0f}/s after {WARMUP} to warm up, consumers in a process of their own; "
            f"Kafka {KAFKA}; PostgreSQL {server}",
            flush=True,
        )
        baseline = await raw(settings, raw_source, raw_sink)
        measured = await platform(settings, source, sink)
        report_latency(
            f"End-to-end latency at {RATE:.0f} events/s, from the source's commit to the effect's commit",
            Latencies("raw: INSERT; send acks=all; aiokafka consumer + INSERT", baseline.seconds),
            [Latencies("platform: outbox, relay, EventConsumer (inbox + effect)", measured.seconds)],
        )
    finally:
        for url, _ in databases:
            await drop_database(url)
        await delete_topics(KAFKA, prefix)


if __name__ == "__main__":
    asyncio.run(main())
