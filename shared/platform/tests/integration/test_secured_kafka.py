"""Kafka over TLS with SASL/SCRAM: a service's admin client (topics, readiness), outbox relay (producer)
and consumers (with their dead-letter producer) all work against a broker whose only client listener
is SASL_SSL; a wrong password is refused."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ibermuseos_contracts import Envelope
from ibermuseos_platform.kafka import KafkaProbe
from ibermuseos_platform.runtime import Platform, PlatformSettings
from ibermuseos_platform.settings import DatabaseSettings, OutboxSettings, PrivacySettings
from ibermuseos_platform.testing.postgres import TestDatabases
from ibermuseos_platform.testing.private_kafka import PrivateBroker, private_broker
from ibermuseos_platform.testing.probe import ProbeRecordedV1, probe_metadata
from ibermuseos_platform.testing.waiting import eventually
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[4]


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateBroker]:
    with private_broker(REPO, tmp_path_factory.mktemp("secured-kafka"), secured=True) as started:
        yield started


async def test_a_wrong_password_is_refused(broker: PrivateBroker) -> None:
    probe = KafkaProbe(broker.settings(password="not-the-password"))

    with pytest.raises(Exception):  # noqa: B017, PT011 - aiokafka's SASL failure has no single type
        await probe()
    await probe.close()


async def test_events_go_through_a_sasl_ssl_broker_from_outbox_to_consumer(
    broker: PrivateBroker, databases: TestDatabases
) -> None:
    url = await databases.create("secured")
    metadata = probe_metadata()
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    await engine.dispose()
    kafka = broker.settings(topic_prefix="secured.")
    platform = Platform(
        PlatformSettings(
            "secured", DatabaseSettings(url=SecretStr(url)), kafka, OutboxSettings(), PrivacySettings()
        ),
        metadata,
        publishes=[ProbeRecordedV1.topic],
    )
    applied: list[str] = []

    async def apply(session: AsyncSession, event: Any, envelope: Envelope) -> None:
        applied.append(event.probe_id)

    platform.add_consumer("secured-consumer", {ProbeRecordedV1: apply}, public=False)

    async def started() -> bool:
        return platform.kafka_started.is_set()

    async with platform:
        await eventually(started, timeout=60, what="topics created, consumers started")
        async with platform.sessions.begin() as session:
            await platform.outbox.record(
                session,
                [
                    ProbeRecordedV1(probe_id=f"p{n}", sequence=n, person_id="ana", person_name="Ana")
                    for n in range(3)
                ],
            )

        async def consumed() -> bool:
            return sorted(applied) == ["p0", "p1", "p2"]

        await eventually(consumed, timeout=60, what="the three events consumed over SASL_SSL")
        await platform.kafka_probe()
