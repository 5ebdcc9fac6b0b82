"""A batched handler applies runs of consecutive events at once, keeping their order and the consumer's promises."""

import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord
from ibermuseos_contracts import Envelope, Event, Pseudonymiser, encode, to_public
from ibermuseos_platform import dead_letters
from ibermuseos_platform.consumer import Batched, EventConsumer
from ibermuseos_platform.dead_letters import DeadLetterPublisher
from ibermuseos_platform.kafka import new_broker
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.probe import PROBES, ProbeRecordedV1, ProbeResetV1
from ibermuseos_platform.testing.waiting import eventually
from sqlalchemy import MetaData, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("probe_topics")]

KEY = Pseudonymiser(b"integration-test-pseudonym-key!!")


class Counts:
    """Readings counted per probe by one statement per run; resets applied one by one."""

    def __init__(self, metadata: MetaData) -> None:
        self.table = metadata.tables["effects"]
        self.runs: list[list[int]] = []
        self.seen: list[tuple[str, int]] = []
        self.broken: set[str] = set()

    async def readings(self, session: AsyncSession, events: Sequence[tuple[Any, Envelope]]) -> None:
        self.runs.append([event.sequence for event, _ in events])
        self.seen.extend((event.probe_id, event.sequence) for event, _ in events)
        if broken := [event.probe_id for event, _ in events if event.probe_id in self.broken]:
            raise ValueError(f"probe {broken[0]} breaks an invariant")
        statement = insert(self.table)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["probe_id"],
                set_={"applied": self.table.c.applied + statement.excluded.applied},
            ),
            [{"probe_id": event.probe_id, "applied": 1} for event, _ in events],
        )

    async def reset(self, session: AsyncSession, event: Any, envelope: Envelope) -> None:
        await session.execute(
            self.table.update().where(self.table.c.probe_id == event.probe_id).values(applied=0)
        )

    async def applied(self, engine: AsyncEngine, probe_id: str) -> int:
        async with engine.connect() as connection:
            count = await connection.scalar(
                select(self.table.c.applied).where(self.table.c.probe_id == probe_id)
            )
        return int(count or 0)


@pytest.fixture
def counts(metadata: MetaData) -> Counts:
    return Counts(metadata)


@pytest.fixture
def consumer(
    counts: Counts,
    engine: AsyncEngine,
    metadata: MetaData,
    kafka: KafkaTestClient,
    dead_letter_producer: AIOKafkaProducer,
) -> EventConsumer:
    name = f"test-batched-{uuid.uuid4().hex[:6]}"
    return EventConsumer(
        name=name,
        handlers={ProbeRecordedV1: Batched(counts.readings), ProbeResetV1: counts.reset},
        public=True,
        session_factory=async_sessionmaker(engine, expire_on_commit=False),
        inbox=metadata.tables["inbox"],
        dead_letters=DeadLetterPublisher(lambda: dead_letter_producer, name),
        kafka=kafka.settings(),
    )


def reading(probe_id: str, sequence: int) -> ProbeRecordedV1:
    return ProbeRecordedV1(probe_id=probe_id, sequence=sequence, person_id="person-1", person_name="Ana")


def record(kafka: KafkaTestClient, event: Event, offset: int) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        kafka.topic(PROBES.public),
        0,
        offset,
        0,
        0,
        event.subject.encode(),
        encode(to_public(event, KEY)),
        None,
        0,
        0,
        Envelope.for_event(event).to_headers(),
    )


async def test_consecutive_events_of_a_batched_handler_are_applied_in_one_call_in_their_order(
    consumer: EventConsumer, counts: Counts, engine: AsyncEngine, kafka: KafkaTestClient
) -> None:
    probe = f"ordered-{uuid.uuid4().hex[:6]}"
    events: list[Event] = [
        reading(probe, 1),
        reading(probe, 2),
        ProbeResetV1(probe_id=probe),
        reading(probe, 3),
    ]

    await consumer.handle_batch([record(kafka, event, offset) for offset, event in enumerate(events)])

    assert counts.runs == [[1, 2], [3]]
    assert await counts.applied(engine, probe) == 1


async def test_a_batch_delivered_again_has_no_second_effect(
    consumer: EventConsumer, counts: Counts, engine: AsyncEngine, kafka: KafkaTestClient
) -> None:
    probe = f"again-{uuid.uuid4().hex[:6]}"
    batch = [record(kafka, reading(probe, n), n) for n in range(3)]

    await consumer.handle_batch(batch)
    await consumer.handle_batch(batch)

    assert await counts.applied(engine, probe) == 3
    assert counts.runs == [[0, 1, 2]]


async def test_a_broken_event_in_a_run_goes_to_the_dead_letters_and_the_others_are_applied_once(
    consumer: EventConsumer, counts: Counts, engine: AsyncEngine, kafka: KafkaTestClient
) -> None:
    run = uuid.uuid4().hex[:6]
    good, broken = f"{run}-good", f"{run}-broken"
    counts.broken.add(broken)

    await consumer.handle_batch(
        [
            record(kafka, event, n)
            for n, event in enumerate([reading(good, 1), reading(broken, 2), reading(good, 3)])
        ]
    )

    letters = await kafka.read(
        PROBES.public + ".dlq", until=lambda rs: any(r.key == broken.encode() for r in rs), settle=0.5
    )
    (letter,) = [r for r in letters if r.key == broken.encode()]
    assert f"probe {broken} breaks an invariant" in dict(letter.headers)[dead_letters.REASON].decode()
    assert await counts.applied(engine, good) == 2
    assert await counts.applied(engine, broken) == 0


async def test_a_batched_consumer_applies_every_event_from_the_broker_once(
    consumer: EventConsumer, counts: Counts, engine: AsyncEngine, kafka: KafkaTestClient
) -> None:
    broker = new_broker(kafka.settings(), consumer.name)
    consumer.subscribe(broker)
    probe = f"broker-{uuid.uuid4().hex[:6]}"
    for n in range(50):
        event = reading(probe, n)
        await kafka.produce(
            PROBES.public,
            encode(to_public(event, KEY)),
            key=probe.encode(),
            headers=Envelope.for_event(event).to_headers(),
        )
    await broker.start()
    try:
        await eventually(lambda: _counted(counts, engine, probe, 50))
    finally:
        await broker.stop()
    # Other tests' probes share the topic; this probe's readings came in their order, each once.
    assert [sequence for probe_id, sequence in counts.seen if probe_id == probe] == list(range(50))


async def _counted(counts: Counts, engine: AsyncEngine, probe: str, expected: int) -> bool:
    return await counts.applied(engine, probe) == expected
