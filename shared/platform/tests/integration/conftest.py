from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaProducer
from ibermuseos_platform.kafka import dead_letter_topics, ensure_topics, new_producer, published_topics
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.postgres import TestDatabases
from ibermuseos_platform.testing.probe import PROBES, probe_metadata
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


@pytest.fixture(scope="module")
def metadata() -> MetaData:
    return probe_metadata()


@pytest.fixture
async def engine(databases: TestDatabases, metadata: MetaData) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(await databases.create("platform"))
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
async def probe_topics(kafka: KafkaTestClient) -> None:
    settings = kafka.settings()
    await ensure_topics(
        settings,
        published_topics([PROBES], settings)
        + dead_letter_topics([settings.topic(PROBES.private), settings.topic(PROBES.public)], settings),
    )


@pytest.fixture
async def dead_letter_producer(kafka: KafkaTestClient) -> AsyncIterator[AIOKafkaProducer]:
    producer = new_producer(kafka.settings(), "test-dead-letters")
    await producer.start()
    yield producer
    await producer.stop()
