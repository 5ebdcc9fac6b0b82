"""The idempotent consumer: one effect per event however often it arrives; poison goes to the dead letters."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from ibermuseos_contracts import Envelope, Pseudonymiser, encode, to_public
from ibermuseos_platform import dead_letters
from ibermuseos_platform.consumer import EventConsumer
from ibermuseos_platform.dead_letters import DeadLetterPublisher
from ibermuseos_platform.dead_letters_cli import read_dead_letters, redrive
from ibermuseos_platform.kafka import new_broker
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.probe import PROBES, ProbeRecordedV1
from ibermuseos_platform.testing.waiting import eventually
from sqlalchemy import MetaData, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("probe_topics")]

KEY = Pseudonymiser(b"integration-test-pseudonym-key!!")


class Effects:
    """The handler under test: counts each probe it applies; can be told to break or to stumble."""

    def __init__(self, metadata: MetaData) -> None:
        self.table = metadata.tables["effects"]
        self.broken: set[str] = set()
        self.stumbles = 0

    async def apply(self, session: AsyncSession, event: Any, envelope: Envelope) -> None:
        if self.stumbles:
            self.stumbles -= 1
            raise OperationalError("SELECT 1", {}, ConnectionResetError("connection reset by peer"))
        if event.probe_id in self.broken:
            raise ValueError(f"probe {event.probe_id} breaks an invariant")
        statement = insert(self.table).values(probe_id=event.probe_id, applied=1)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["probe_id"], set_={"applied": self.table.c.applied + 1}
            )
        )


@pytest.fixture
def effects(metadata: MetaData) -> Effects:
    return Effects(metadata)


@pytest.fixture
async def consumer(
    engine: AsyncEngine,
    metadata: MetaData,
    effects: Effects,
    kafka: KafkaTestClient,
    dead_letter_producer: AIOKafkaProducer,
) -> AsyncIterator[EventConsumer]:
    group = f"test-consumer-{uuid.uuid4().hex[:6]}"
    consumer = EventConsumer(
        name=group,
        handlers={ProbeRecordedV1: effects.apply},
        public=True,
        session_factory=async_sessionmaker(engine, expire_on_commit=False),
        inbox=metadata.tables["inbox"],
        dead_letters=DeadLetterPublisher(lambda: dead_letter_producer, group),
        kafka=kafka.settings(),
    )
    broker = new_broker(kafka.settings(), group)
    consumer.subscribe(broker)
    await broker.start()
    yield consumer
    await broker.stop()


def probe_record(probe_id: str) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    event = ProbeRecordedV1(probe_id=probe_id, sequence=1, person_id="person-1", person_name="Ana")
    value = encode(to_public(event, KEY))
    return probe_id.encode(), value, Envelope.for_event(event).to_headers()


async def applied(engine: AsyncEngine, metadata: MetaData, probe_id: str) -> int:
    table = metadata.tables["effects"]
    async with engine.connect() as connection:
        return int(await connection.scalar(select(table.c.applied).where(table.c.probe_id == probe_id)) or 0)


async def test_the_same_event_delivered_twice_has_one_effect(
    consumer: EventConsumer, engine: AsyncEngine, metadata: MetaData, kafka: KafkaTestClient
) -> None:
    probe_id = f"twice-{uuid.uuid4().hex[:6]}"
    key, value, headers = probe_record(probe_id)
    await kafka.produce(PROBES.public, value, key=key, headers=headers)
    await eventually(lambda: _is_applied(engine, metadata, probe_id))

    await kafka.produce(PROBES.public, value, key=key, headers=headers)
    _, marker_value, marker_headers = probe_record(f"{probe_id}-after")
    await kafka.produce(PROBES.public, marker_value, key=key, headers=marker_headers)
    await eventually(lambda: _is_applied(engine, metadata, f"{probe_id}-after"))

    assert await applied(engine, metadata, probe_id) == 1
    inbox = metadata.tables["inbox"]
    async with engine.connect() as connection:
        rows = await connection.scalar(
            select(func.count()).where(
                inbox.c.consumer == consumer.name,
                inbox.c.event_id == uuid.UUID(dict(headers)["ce_id"].decode()),
            )
        )
    assert rows == 1


async def test_a_redelivered_batch_changes_nothing(
    consumer: EventConsumer, engine: AsyncEngine, metadata: MetaData, kafka: KafkaTestClient
) -> None:
    probe_id = f"replayed-{uuid.uuid4().hex[:6]}"
    key, value, headers = probe_record(probe_id)
    await kafka.produce(PROBES.public, value, key=key, headers=headers)
    await eventually(lambda: _is_applied(engine, metadata, probe_id))
    records = _mine(await kafka.read(PROBES.public, until=lambda rs: bool(_mine(rs, key))), key)
    assert len(records) == 1

    # As if the process died after the database commit and before the offset commit.
    await consumer.handle_batch(records)
    await consumer.handle_batch(records)

    assert await applied(engine, metadata, probe_id) == 1


async def test_poison_events_go_to_the_dead_letters_with_why_and_the_next_event_is_processed(
    consumer: EventConsumer, engine: AsyncEngine, metadata: MetaData, kafka: KafkaTestClient, effects: Effects
) -> None:
    run = uuid.uuid4().hex[:6]
    key, good_value, good_headers = probe_record(f"{run}-good")
    _, broken_value, broken_headers = probe_record(f"{run}-broken")
    effects.broken.add(f"{run}-broken")
    unknown_version = [
        (name, b"org.ibermuseos.platformtest.ProbeRecorded.v7" if name == "ce_type" else value)
        for name, value in probe_record(f"{run}-v7")[2]
    ]
    _, _, contract_breaking_headers = probe_record(f"{run}-schema")

    await kafka.produce(PROBES.public, b"not json at all", key=key, headers=[("ce_id", run.encode())])
    await kafka.produce(PROBES.public, b'{"probe_id": 42}', key=key, headers=contract_breaking_headers)
    await kafka.produce(PROBES.public, good_value, key=key, headers=unknown_version)
    await kafka.produce(PROBES.public, broken_value, key=key, headers=broken_headers)
    await kafka.produce(PROBES.public, good_value, key=key, headers=good_headers)

    await eventually(lambda: _is_applied(engine, metadata, f"{run}-good"))
    letters = [
        r
        for r in await kafka.read(
            PROBES.public + ".dlq", until=lambda rs: len(_mine(rs, key)) >= 4, settle=1.0
        )
        if r.key == key
    ]

    reasons = [dict(letter.headers)[dead_letters.REASON].decode() for letter in letters]
    assert len(letters) == 4
    assert "missing header ce_specversion" in reasons[0]
    assert "does not match its contract" in reasons[1]
    assert "probe_id" in reasons[1]
    assert "unknown version org.ibermuseos.platformtest.ProbeRecorded.v7" in reasons[2]
    assert f"probe {run}-broken breaks an invariant" in reasons[3]
    for letter in letters:
        origin = dict(letter.headers)
        assert origin[dead_letters.ORIGINAL_TOPIC] == kafka.topic(PROBES.public).encode()
        assert origin[dead_letters.CONSUMER] == consumer.name.encode()
        assert int(origin[dead_letters.ORIGINAL_OFFSET]) >= 0
    assert letters[0].value == b"not json at all"
    assert await applied(engine, metadata, f"{run}-broken") == 0
    assert await applied(engine, metadata, f"{run}-good") == 1


async def test_an_operator_redrives_a_dead_letter_and_it_is_processed_once_fixed(
    consumer: EventConsumer, engine: AsyncEngine, metadata: MetaData, kafka: KafkaTestClient, effects: Effects
) -> None:
    probe_id = f"redriven-{uuid.uuid4().hex[:6]}"
    key, value, headers = probe_record(probe_id)
    effects.broken.add(probe_id)
    await kafka.produce(PROBES.public, value, key=key, headers=headers)
    dead_letter_topic = kafka.topic(PROBES.public) + ".dlq"

    async def parked() -> bool:
        return any(
            letter.key == key for letter in await read_dead_letters(kafka.settings(), dead_letter_topic)
        )

    await eventually(parked, what="the event reaching the dead letters")
    effects.broken.discard(probe_id)  # the bug is fixed

    letters = [
        letter for letter in await read_dead_letters(kafka.settings(), dead_letter_topic) if letter.key == key
    ]
    assert await redrive(kafka.settings(), letters) == 1

    await eventually(lambda: _is_applied(engine, metadata, probe_id), what="the redriven event applied")
    assert await applied(engine, metadata, probe_id) == 1


async def test_a_transient_failure_is_retried_not_dead_lettered(
    consumer: EventConsumer, engine: AsyncEngine, metadata: MetaData, kafka: KafkaTestClient, effects: Effects
) -> None:
    probe_id = f"stumble-{uuid.uuid4().hex[:6]}"
    key, value, headers = probe_record(probe_id)
    effects.stumbles = 2

    await kafka.produce(PROBES.public, value, key=key, headers=headers)
    await eventually(lambda: _is_applied(engine, metadata, probe_id))

    assert effects.stumbles == 0
    assert await applied(engine, metadata, probe_id) == 1
    letters = await kafka.read(PROBES.public + ".dlq", until=lambda rs: True, timeout=5, settle=1.0)
    assert _mine(letters, key) == []


async def test_offsets_are_committed_after_the_batch(
    consumer: EventConsumer, engine: AsyncEngine, metadata: MetaData, kafka: KafkaTestClient
) -> None:
    probe_id = f"committed-{uuid.uuid4().hex[:6]}"
    key, value, headers = probe_record(probe_id)
    await kafka.produce(PROBES.public, value, key=key, headers=headers)
    await eventually(lambda: _is_applied(engine, metadata, probe_id))

    async def committed() -> bool:
        return await _lag(kafka, consumer.group_id, kafka.topic(PROBES.public)) == 0

    await eventually(committed, what="committed offsets reaching the end of the topic")


def _mine(records: list[Any], key: bytes) -> list[Any]:
    return [record for record in records if record.key == key]


async def _is_applied(engine: AsyncEngine, metadata: MetaData, probe_id: str) -> bool:
    return await applied(engine, metadata, probe_id) > 0


async def _lag(kafka: KafkaTestClient, group: str, topic: str) -> int:
    probe = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap, group_id=group, enable_auto_commit=False)
    await probe.start()
    try:
        # A consumer that subscribed to nothing knows no partitions: count them from the settings.
        partitions = [TopicPartition(topic, p) for p in range(kafka.settings().partitions)]
        ends = await probe.end_offsets(partitions)
        lag = 0
        for partition in partitions:
            committed = await probe.committed(partition)
            lag += ends[partition] - (committed or 0)
        return lag
    finally:
        await probe.stop()
