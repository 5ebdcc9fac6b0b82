"""The outbox relay publishes every committed event once, in order per key, to both tiers."""

import asyncio
import contextlib
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from ibermuseos_contracts import Pseudonymiser
from ibermuseos_platform.kafka import ensure_topics, published_topics
from ibermuseos_platform.outbox import Outbox, OutboxRelay
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.private_kafka import start_private_broker
from ibermuseos_platform.testing.probe import PROBES, ProbeRecordedV1, probe_relay
from ibermuseos_platform.testing.waiting import eventually
from sqlalchemy import MetaData, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("probe_topics")]

KEY = Pseudonymiser(b"integration-test-pseudonym-key!!")
REPO = Path(__file__).resolve().parents[4]


def probe(probe_id: str, sequence: int) -> ProbeRecordedV1:
    return ProbeRecordedV1(
        probe_id=probe_id, sequence=sequence, person_id=f"person-{probe_id}", person_name="Ana Souza"
    )


@pytest.fixture
def outbox(metadata: MetaData) -> Outbox:
    return Outbox(metadata.tables["outbox"], KEY)


@pytest.fixture
async def relay(
    engine: AsyncEngine, metadata: MetaData, kafka: KafkaTestClient
) -> AsyncIterator[OutboxRelay]:
    relay = probe_relay(
        engine, metadata.tables["outbox"], kafka.settings(), batch_size=7, poll_interval_seconds=0.5
    )
    yield relay
    await relay.close()


@contextlib.asynccontextmanager
async def running(relay: OutboxRelay) -> AsyncIterator[None]:
    task = asyncio.create_task(relay.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def commit_events(
    sessions: async_sessionmaker[AsyncSession], outbox: Outbox, *events: ProbeRecordedV1
) -> None:
    async with sessions() as session, session.begin():
        await outbox.record(session, events)


def mine(records: list, run: str) -> list:  # type: ignore[type-arg]
    return [record for record in records if record.key and record.key.decode().startswith(run)]


async def unsent(engine: AsyncEngine, metadata: MetaData) -> int:
    table = metadata.tables["outbox"]
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).where(table.c.sent_at.is_(None))) or 0)


async def test_every_event_arrives_once_in_order_per_key_on_both_tiers(
    engine: AsyncEngine, metadata: MetaData, outbox: Outbox, relay: OutboxRelay, kafka: KafkaTestClient
) -> None:
    run = uuid.uuid4().hex[:6]
    sessions = async_sessionmaker(engine)
    async with running(relay):
        for sequence in range(10):
            await commit_events(sessions, outbox, *(probe(f"{run}-{key}", sequence) for key in "abc"))

        private = mine(
            await kafka.read(PROBES.private, until=lambda r: len(mine(r, run)) >= 30, settle=1.0), run
        )
        public = mine(
            await kafka.read(PROBES.public, until=lambda r: len(mine(r, run)) >= 30, settle=1.0), run
        )

    for records in (private, public):
        assert len(records) == 30
        assert len({dict(record.headers)["ce_id"] for record in records}) == 30
        by_key: dict[bytes, list[int]] = defaultdict(list)
        for record in records:
            by_key[record.key].append(json.loads(record.value)["sequence"])
        assert sorted(by_key) == [f"{run}-{key}".encode() for key in "abc"]
        assert all(sequences == list(range(10)) for sequences in by_key.values())
    assert all("Ana Souza" not in record.value.decode() for record in public)
    assert all(json.loads(record.value)["person_id"].startswith("p-") for record in public)
    assert all("Ana Souza" in record.value.decode() for record in private)
    assert await unsent(engine, metadata) == 0


async def test_a_row_committed_after_a_later_one_was_published_is_still_published(
    engine: AsyncEngine, metadata: MetaData, outbox: Outbox, relay: OutboxRelay, kafka: KafkaTestClient
) -> None:
    run = uuid.uuid4().hex[:6]
    sessions = async_sessionmaker(engine)
    async with sessions() as slow, slow.begin():
        await outbox.record(slow, [probe(f"{run}-slow", 1)])  # takes the lower position, commits last
        await commit_events(sessions, outbox, probe(f"{run}-fast", 2))

        assert await relay.publish_pending() == 1
    assert await relay.publish_pending() == 1

    records = mine(await kafka.read(PROBES.private, until=lambda r: len(mine(r, run)) >= 2, settle=1.0), run)
    assert sorted(json.loads(record.value)["probe_id"] for record in records) == [
        f"{run}-fast",
        f"{run}-slow",
    ]
    assert await unsent(engine, metadata) == 0


async def test_commits_wake_the_relay_long_before_its_fallback_poll(
    engine: AsyncEngine, metadata: MetaData, outbox: Outbox, kafka: KafkaTestClient
) -> None:
    sleepy = probe_relay(engine, metadata.tables["outbox"], kafka.settings(), poll_interval_seconds=600)
    run = uuid.uuid4().hex[:6]
    async with running(sleepy):
        await asyncio.sleep(1)  # the relay has found nothing and sleeps until notified
        await commit_events(async_sessionmaker(engine), outbox, probe(f"{run}-woken", 1))

        records = await kafka.read(PROBES.private, until=lambda r: len(mine(r, run)) >= 1, timeout=20)

    assert len(mine(records, run)) == 1


async def test_writes_go_on_while_the_broker_is_down_and_are_published_when_it_is_back(
    engine: AsyncEngine, metadata: MetaData, outbox: Outbox, tmp_path: Path
) -> None:
    # A broker of the test's own: stopping the shared one would take it from every other test.
    broker = await asyncio.to_thread(start_private_broker, REPO, tmp_path / "kafka")
    try:
        kafka = KafkaTestClient(broker.bootstrap, "restart.")
        settings = kafka.settings()
        await ensure_topics(settings, published_topics([PROBES], settings))
        relay = probe_relay(
            engine, metadata.tables["outbox"], settings, batch_size=7, poll_interval_seconds=0.5
        )
        run = uuid.uuid4().hex[:6]
        sessions = async_sessionmaker(engine)
        try:
            async with running(relay):
                await commit_events(sessions, outbox, probe(f"{run}-k", 0))
                await kafka.read(PROBES.private, until=lambda r: len(mine(r, run)) >= 1)
                await asyncio.to_thread(broker.stop)
                for sequence in range(1, 21):
                    await commit_events(sessions, outbox, probe(f"{run}-k", sequence))
                await asyncio.sleep(2)
                assert await unsent(engine, metadata) == 20
                await asyncio.to_thread(broker.start)

                await eventually(lambda: _none_unsent(engine, metadata), timeout=120)
                records = mine(
                    await kafka.read(PROBES.private, until=lambda r: len(mine(r, run)) >= 21, settle=1.0), run
                )
        finally:
            await relay.close()
            await kafka.close()
    finally:
        await asyncio.to_thread(broker.stop)

    assert [json.loads(record.value)["sequence"] for record in records] == list(range(21))


async def _none_unsent(engine: AsyncEngine, metadata: MetaData) -> bool:
    return await unsent(engine, metadata) == 0
