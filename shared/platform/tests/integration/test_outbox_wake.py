"""A commit wakes the relay: in memory when the leading relay runs in the same process, else by NOTIFY."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from ibermuseos_contracts import Pseudonymiser
from ibermuseos_platform.outbox import CHANNEL, Outbox, OutboxRelay
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.probe import ProbeRecordedV1, probe_relay
from ibermuseos_platform.testing.waiting import eventually
from sqlalchemy import MetaData, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("probe_topics")]

KEY = Pseudonymiser(b"integration-test-pseudonym-key!!")


@pytest.fixture
async def relay(
    engine: AsyncEngine, metadata: MetaData, kafka: KafkaTestClient
) -> AsyncIterator[OutboxRelay]:
    """A relay that never polls on its own: only a wake-up makes it look for rows."""
    relay = probe_relay(engine, metadata.tables["outbox"], kafka.settings(), poll_interval_seconds=3600)
    task = asyncio.create_task(relay.run())
    await eventually(_leads(relay), what="the relay leads")
    yield relay
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await relay.close()


class Listener:
    """What PostgreSQL notifies on the relay's channel, as another process listening would see it."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection
        self._received: list[str] = []

    async def start(self) -> None:
        await self._connection.add_listener(
            CHANNEL, lambda _connection, _pid, channel, _payload: self._received.append(channel)
        )

    async def received(self) -> list[str]:
        # Notifications reach a session between its transactions: a round trip delivers those sent before.
        await self._connection.fetchval("SELECT 1")
        await asyncio.sleep(0)
        return self._received


@pytest.fixture
async def notifications(engine: AsyncEngine) -> AsyncIterator[Listener]:
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(url)
    listener = Listener(connection)
    await listener.start()
    yield listener
    await connection.close()


async def record_one(engine: AsyncEngine, outbox: Outbox) -> None:
    async with async_sessionmaker(engine)() as session, session.begin():
        await outbox.record(
            session,
            [
                ProbeRecordedV1(
                    probe_id=f"wake-{uuid.uuid4().hex[:6]}", sequence=1, person_id="p1", person_name="Ana"
                )
            ],
        )


async def test_a_commit_in_the_leading_relays_process_wakes_it_without_a_notify(
    engine: AsyncEngine, metadata: MetaData, relay: OutboxRelay, notifications: Listener
) -> None:
    outbox = Outbox(metadata.tables["outbox"], KEY)
    outbox.wake_locally(relay)

    await record_one(engine, outbox)

    await eventually(_all_sent(engine, metadata), what="the event is published")
    assert await notifications.received() == []


async def test_a_commit_elsewhere_wakes_the_relay_by_notify(
    engine: AsyncEngine, metadata: MetaData, relay: OutboxRelay, notifications: Listener
) -> None:
    elsewhere = Outbox(metadata.tables["outbox"], KEY)

    await record_one(engine, elsewhere)

    await eventually(_all_sent(engine, metadata), what="the event is published")
    assert await notifications.received() == [CHANNEL]


async def test_commits_elsewhere_within_a_window_send_one_notify_and_one_after_it(
    engine: AsyncEngine, metadata: MetaData, relay: OutboxRelay, notifications: Listener
) -> None:
    elsewhere = Outbox(metadata.tables["outbox"], KEY)
    # A window far longer than the commits take, so that they all fall in it; closing the outbox
    # sends the NOTIFY owed to the commits after the first at once instead of at the window's end.
    elsewhere.coalesce_notify(engine, window_seconds=600)

    for _ in range(5):
        await record_one(engine, elsewhere)
    await elsewhere.close()

    await eventually(_all_sent(engine, metadata), what="every event is published")
    assert await notifications.received() == [CHANNEL, CHANNEL]


def _leads(relay: OutboxRelay):  # type: ignore[no-untyped-def]
    async def check() -> bool:
        return relay.leading

    return check


def _all_sent(engine: AsyncEngine, metadata: MetaData):  # type: ignore[no-untyped-def]
    table = metadata.tables["outbox"]

    async def check() -> bool:
        async with engine.connect() as connection:
            unsent = await connection.scalar(select(func.count()).where(table.c.sent_at.is_(None)))
        return unsent == 0

    return check
