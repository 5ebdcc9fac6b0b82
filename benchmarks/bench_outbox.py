"""The outbox (record + relay) and the idempotent consumer, against raw aiokafka and asyncpg.

Baselines, measured in the same run on the same broker and server:
- raw Kafka: an idempotent acks=all aiokafka producer sending the same records, nothing else;
- raw PostgreSQL: one asyncpg INSERT per transaction of the same row, nothing else;
- raw consume: an aiokafka consumer reading the records, inserting one row each with asyncpg
  per batch and committing offsets per batch (no envelope parsing, no inbox, no dead letters).
"""

import asyncio
import os
import uuid

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from ibermuseos_contracts import Envelope, Pseudonymiser, encode, to_public
from ibermuseos_platform.consumer import Batched, EventConsumer
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
from ibermuseos_platform.testing.waiting import eventually
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from .measure import KAFKA, QUICK, Result, Stopwatch, drop_database, report, scratch_database

EVENTS = int(os.environ.get("BENCH_EVENTS", "2000" if QUICK else "20000"))
CONCURRENCY = 8
KEY = Pseudonymiser(b"benchmark-pseudonym-key-32-bytes")


def probe(i: int) -> ProbeRecordedV1:
    return ProbeRecordedV1(
        probe_id=f"probe-{i % 500}", sequence=i, person_id=f"person-{i}", person_name="Ana Souza"
    )


async def in_parallel(count: int, work) -> None:  # type: ignore[no-untyped-def]
    """Run work(i) for i in range(count) on CONCURRENCY workers, like concurrent API requests."""
    queue = iter(range(count))

    async def worker() -> None:
        for i in queue:
            await work(i)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


async def raw_kafka(settings: KafkaSettings, topic: str, payload: bytes) -> Result:
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, enable_idempotence=True, acks="all", linger_ms=5)
    await producer.start()
    try:
        with Stopwatch() as watch:
            deliveries = [
                await producer.send(topic, payload, key=f"probe-{i % 500}".encode()) for i in range(EVENTS)
            ]
            await asyncio.gather(*deliveries)
    finally:
        await producer.stop()
    return Result("raw Kafka: idempotent producer, acks=all", EVENTS, watch.seconds, watch.cpu)


async def raw_postgres(url: str, payload: str) -> Result:
    pool = await asyncpg.create_pool(url, min_size=CONCURRENCY, max_size=CONCURRENCY)
    await pool.execute("CREATE TABLE raw_rows (id bigserial primary key, event_id uuid, payload text)")

    async def insert_one(_: int) -> None:
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "INSERT INTO raw_rows (event_id, payload) VALUES ($1, $2)", uuid.uuid4(), payload
            )

    with Stopwatch() as watch:
        await in_parallel(EVENTS, insert_one)
    await pool.close()
    return Result(
        "raw PostgreSQL: one INSERT per transaction, 8 connections", EVENTS, watch.seconds, watch.cpu
    )


async def producing_side(settings: KafkaSettings, asyncpg_url: str, url: str) -> None:
    sample = probe(0)
    baseline_kafka = await raw_kafka(settings, settings.topic("bench.raw.v1"), encode(sample))
    baseline_pg = await raw_postgres(asyncpg_url, encode(sample).decode())

    metadata = probe_metadata()
    engine = create_async_engine(url, pool_size=CONCURRENCY)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    sessions = async_sessionmaker(engine)
    outbox = Outbox(metadata.tables["outbox"], KEY)

    async def command(i: int) -> None:
        async with sessions() as session, session.begin():
            await outbox.record(session, [probe(i)])

    with Stopwatch() as recording:
        await in_parallel(EVENTS, command)

    relay = OutboxRelay(
        service="bench",
        engine=engine,
        table=metadata.tables["outbox"],
        kafka=settings,
        settings=OutboxSettings(batch_size=1000),
        producer_factory=lambda: new_producer(settings, "bench-relay"),
    )
    with Stopwatch() as relaying:
        while await relay.publish_pending():
            pass
    await relay.close()

    # Both at once: commands keep recording while the relay, woken by their commits, publishes;
    # first as from another process (each commit NOTIFYs), then in theirs (woken in memory).
    table = metadata.tables["outbox"]
    together = []

    async def relay_leads() -> bool:
        return relay.leading

    for name, wake in (
        ("outbox and relay in two processes (NOTIFY per commit)", "notify"),
        ("  the same, one NOTIFY per 20 ms window from the recorder", "coalesced"),
        ("outbox and relay in one process (woken in memory)", "local"),
    ):
        recorder = Outbox(metadata.tables["outbox"], KEY)
        if wake == "local":
            recorder.wake_locally(relay)
        if wake == "coalesced":
            recorder.coalesce_notify(engine, OutboxSettings().notify_window_seconds)
        task = asyncio.create_task(relay.run())

        async def command_of(i: int, recorder: Outbox = recorder) -> None:
            async with sessions() as session, session.begin():
                await recorder.record(session, [probe(i)])

        await eventually(relay_leads, what="the relay leads")
        with Stopwatch() as both:
            await in_parallel(EVENTS, command_of)
            while True:
                async with engine.connect() as connection:
                    if not await connection.scalar(select(func.count()).where(table.c.sent_at.is_(None))):
                        break
                await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await recorder.close()
        together.append(Result(name, EVENTS, both.seconds, both.cpu))
    await engine.dispose()

    report(
        "Recording events (one command = one transaction with one event, 8 at a time)",
        baseline_pg,
        [
            Result(
                "outbox: state change's transaction + outbox row + NOTIFY",
                EVENTS,
                recording.seconds,
                recording.cpu,
            )
        ],
    )
    report(
        "Publishing recorded events (each to its private and public topic: 2 records per event)",
        baseline_kafka,
        [
            Result(
                "relay: read unsent rows, send both tiers, mark sent", EVENTS, relaying.seconds, relaying.cpu
            )
        ],
    )
    report(
        "End to end: commands recording events while the relay publishes them",
        Result(
            "raw: the INSERTs above, then the sends above",
            EVENTS,
            baseline_pg.seconds + baseline_kafka.seconds,
        ),
        together,
    )


async def raw_consume(settings: KafkaSettings, topic: str, url: str) -> Result:
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    await pool.execute("CREATE TABLE raw_effects (id text, payload bytea)")
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=KAFKA,
        group_id=f"raw-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=500,
    )
    await consumer.start()
    done = 0
    try:
        with Stopwatch() as watch:
            while done < EVENTS:
                batch = await consumer.getmany(timeout_ms=500, max_records=500)
                records = [record for partition in batch.values() for record in partition]
                if records:
                    await pool.executemany(
                        "INSERT INTO raw_effects VALUES ($1, $2)",
                        [(r.key.decode(), r.value) for r in records],
                    )
                    await consumer.commit()
                    done += len(records)
    finally:
        await consumer.stop()
        await pool.close()
    return Result(
        "raw consume: aiokafka batch + asyncpg executemany + commit", done, watch.seconds, watch.cpu
    )


async def consuming_side(settings: KafkaSettings, asyncpg_url: str, url: str) -> None:
    topic = settings.topic(PROBES.public)
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, enable_idempotence=True, acks="all", linger_ms=5)
    await producer.start()
    deliveries = []
    for i in range(EVENTS):
        event = probe(i)
        deliveries.append(
            await producer.send(
                topic,
                encode(to_public(event, KEY)),
                key=event.subject.encode(),
                headers=Envelope.for_event(event).to_headers(),
            )
        )
    await asyncio.gather(*deliveries)
    await producer.stop()

    baseline = await raw_consume(settings, topic, asyncpg_url)

    metadata = probe_metadata()
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    effects = metadata.tables["effects"]
    applied = 0
    finished = asyncio.Event()

    def count(events: int) -> None:
        nonlocal applied
        applied += events
        if applied >= EVENTS:
            finished.set()

    async def one_by_one(session, event, envelope) -> None:  # type: ignore[no-untyped-def]
        statement = insert(effects).values(probe_id=f"{event.probe_id}-{event.sequence}", applied=1)
        await session.execute(statement.on_conflict_do_nothing())
        count(1)

    async def all_at_once(session, events) -> None:  # type: ignore[no-untyped-def]
        rows = [{"probe_id": f"{event.probe_id}-{event.sequence}", "applied": 1} for event, _ in events]
        await session.execute(insert(effects).on_conflict_do_nothing(), rows)
        count(len(rows))

    dead_letters = new_producer(settings, "bench-dlq")
    await dead_letters.start()
    results = []
    for name, handler in (
        ("platform consumer: envelope + contract + inbox + effect", one_by_one),
        ("  the same, a batched handler (one INSERT per batch)", Batched(all_at_once)),
    ):
        applied = 0
        finished.clear()
        consumer = EventConsumer(
            name=f"bench-{uuid.uuid4().hex[:6]}",
            handlers={ProbeRecordedV1: handler},
            public=True,
            session_factory=async_sessionmaker(engine, expire_on_commit=False),
            inbox=metadata.tables["inbox"],
            dead_letters=DeadLetterPublisher(lambda: dead_letters, "bench"),
            kafka=settings,
        )
        broker = new_broker(settings, "bench")
        consumer.subscribe(broker)
        with Stopwatch() as watch:
            await broker.start()
            await finished.wait()
        await broker.stop()
        results.append(Result(name, EVENTS, watch.seconds, watch.cpu))
    await dead_letters.stop()
    await engine.dispose()
    report(
        "Consuming events (batches of up to 500, one transaction per batch)",
        baseline,
        results,
    )


async def main() -> None:
    prefix = f"bench-{uuid.uuid4().hex[:6]}."
    settings = KafkaSettings(bootstrap_servers=KAFKA, topic_prefix=prefix)
    await ensure_topics(
        settings,
        published_topics([PROBES], settings)
        + dead_letter_topics([settings.topic(PROBES.public)], settings)
        + [TopicConfig(settings.topic("bench.raw.v1"), settings.partitions, settings.replication_factor)],
    )
    asyncpg_url, url = await scratch_database("outbox")
    try:
        print(f"{EVENTS} events; Kafka {KAFKA}; PostgreSQL {asyncpg_url.rsplit('@', 1)[-1]}")
        await producing_side(settings, asyncpg_url, url)
        consumer_pg, consumer_url = await scratch_database("consumer")
        try:
            await consuming_side(settings, consumer_pg, consumer_url)
        finally:
            await drop_database(consumer_pg)
    finally:
        await drop_database(asyncpg_url)
        await delete_topics(KAFKA, prefix)


if __name__ == "__main__":
    asyncio.run(main())
