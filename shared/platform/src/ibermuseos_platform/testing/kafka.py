"""Reading and writing the real broker from tests, inside the session's topic namespace."""

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from ..kafka import connection
from ..settings import KafkaSettings


class KafkaTestClient:
    __test__ = False

    def __init__(self, bootstrap: str, prefix: str, **security: Any) -> None:
        self.bootstrap = bootstrap
        self.prefix = prefix
        self._security = security
        """KafkaSettings fields that reach a secured broker (security_protocol, sasl_username, ...)."""
        self._connection = connection(self.settings())
        self._producer: AIOKafkaProducer | None = None

    def settings(self, **overrides: Any) -> KafkaSettings:
        return KafkaSettings(
            bootstrap_servers=self.bootstrap, topic_prefix=self.prefix, **(self._security | overrides)
        )

    def topic(self, name: str) -> str:
        return self.prefix + name

    async def create_topics(self, *names: str, partitions: int = 3) -> None:
        admin = AIOKafkaAdminClient(**self._connection)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(self.topic(name), partitions, 1) for name in names])
        finally:
            await admin.close()

    async def produce(
        self,
        name: str,
        value: bytes | None,
        *,
        key: bytes | None = None,
        headers: Sequence[tuple[str, bytes]] = (),
    ) -> None:
        if self._producer is None:
            self._producer = AIOKafkaProducer(**self._connection, enable_idempotence=True, acks="all")
            await self._producer.start()
        await self._producer.send_and_wait(self.topic(name), value, key=key, headers=list(headers))

    async def read(
        self,
        name: str,
        *,
        until: Callable[[list[ConsumerRecord[bytes, bytes]]], bool] | None = None,
        count: int | None = None,
        timeout: float = 30.0,
        settle: float = 0.0,
    ) -> list[ConsumerRecord[bytes, bytes]]:
        """Every record of a topic from its start, in partition order, once `until` holds (or `count` arrived).

        With `settle`, keeps reading that long after the condition held, to catch what should not come.
        """
        if until is None:
            wanted = count

            def until(records: list[ConsumerRecord[bytes, bytes]]) -> bool:
                return wanted is None or len(records) >= wanted

        consumer = AIOKafkaConsumer(
            **self._connection,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            topic = self.topic(name)
            deadline = time.monotonic() + timeout
            partitions: set[int] | None = None
            while partitions is None and time.monotonic() < deadline:
                partitions = consumer.partitions_for_topic(topic)
                if partitions is None:
                    await consumer._client.force_metadata_update()
                    await asyncio.sleep(0.2)
            if partitions is None:
                raise AssertionError(f"topic {topic} does not exist")
            consumer.assign([TopicPartition(topic, p) for p in sorted(partitions)])
            await consumer.seek_to_beginning()
            records: list[ConsumerRecord[bytes, bytes]] = []
            held_at: float | None = None
            while time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=200)
                for partition_records in batch.values():
                    records.extend(partition_records)
                if until(records):
                    held_at = held_at or time.monotonic()
                    if time.monotonic() - held_at >= settle:
                        return records
            raise AssertionError(f"{topic}: condition not met within {timeout}s; got {len(records)} records")
        finally:
            await consumer.stop()

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()


async def delete_topics(bootstrap: str, prefix: str) -> None:
    """Delete every topic whose name starts with `prefix`."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        doomed = [name for name in await admin.list_topics() if name.startswith(prefix)]
        if doomed:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()
