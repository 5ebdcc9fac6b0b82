"""Reading the public topics from their start, in batches, for a rebuild; and the live consumer's lag.

A rebuild reads with its own aiokafka consumer, without a consumer group: it assigns every
partition, starts at the beginning and reads up to a goal (the end offsets at some moment).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from ibermuseos_contracts import Envelope, EnvelopeError, decode
from ibermuseos_platform.kafka import connection, start_or_close
from ibermuseos_platform.settings import KafkaSettings

log = logging.getLogger(__name__)

Offsets = dict[TopicPartition, int]


@dataclass(frozen=True, slots=True)
class Decoded:
    """One event read from a public topic: its type, its public twin, and its time."""

    type: str
    event: Any
    time: datetime


async def _partitions(consumer: AIOKafkaConsumer, topics: Iterable[str]) -> list[TopicPartition]:
    """Every partition of those of `topics` that exist (a topic nobody has published to yet may not)."""
    cluster = await consumer._client.fetch_all_metadata()
    return [
        TopicPartition(topic, partition)
        for topic in topics
        for partition in sorted(cluster.partitions_for_topic(topic) or ())
    ]


class PublicTopicsSource:
    """Every partition of the public topics, read from the beginning in batches."""

    def __init__(self, kafka: KafkaSettings, topics: Iterable[str], handled: set[str]) -> None:
        self._kafka = kafka
        self._topics = sorted({kafka.topic(topic) for topic in topics})
        self._handled = handled
        self._consumer: AIOKafkaConsumer | None = None
        self._positions: Offsets = {}
        self.skipped = 0
        """Records that are not readable events of ours (the live consumer dead-letters them)."""

    async def start(self) -> None:
        consumer = AIOKafkaConsumer(
            **connection(self._kafka),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=8 * 1024 * 1024,
            fetch_max_bytes=64 * 1024 * 1024,
        )
        await start_or_close(consumer, consumer.stop)
        self._consumer = consumer
        partitions = await _partitions(consumer, self._topics)
        consumer.assign(partitions)
        if partitions:
            beginning = await consumer.beginning_offsets(partitions)
            await consumer.seek_to_beginning(*partitions)
            self._positions = {partition: int(beginning[partition]) for partition in partitions}

    @property
    def topics(self) -> list[str]:
        return self._topics

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    def _started(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            raise RuntimeError("the source is not started")
        return self._consumer

    async def end_offsets(self) -> Offsets:
        partitions = list(self._positions)
        if not partitions:
            return {}
        ends = await self._started().end_offsets(partitions)
        return {partition: int(offset) for partition, offset in ends.items()}

    def remaining(self, goal: Offsets) -> int:
        return sum(max(0, goal[partition] - self._positions.get(partition, 0)) for partition in goal)

    async def next_batch(self, goal: Offsets, max_records: int) -> tuple[int, list[Decoded]] | None:
        """The next records (count read, events decoded) below `goal`; None once every partition reached it."""
        active = [partition for partition, end in goal.items() if self._positions.get(partition, 0) < end]
        if not active:
            return None
        fetched = await self._started().getmany(*active, timeout_ms=1000, max_records=max_records)
        read = 0
        events: list[Decoded] = []
        for partition, records in fetched.items():
            for record in records:
                read += 1
                self._positions[partition] = record.offset + 1
                item = self._decode(record)
                if item is not None:
                    events.append(item)
        return read, events

    def _decode(self, record: Any) -> Decoded | None:
        try:
            envelope = Envelope.from_headers(record.headers or ())
            if envelope.type not in self._handled:
                return None
            return Decoded(envelope.type, decode(envelope, record.value, public=True), envelope.time)
        except EnvelopeError as error:
            self.skipped += 1
            log.warning(
                "unreadable record skipped",
                extra={
                    "topic": record.topic,
                    "partition": record.partition,
                    "offset": record.offset,
                    "error": str(error),
                },
            )
            return None


class LagMeter:
    """Events on each public topic that the live consumer group has not committed yet.

    Keeps one admin client and one group-less consumer open between measurements (they are
    measured every few seconds), and opens them again after a failure.
    """

    def __init__(self, kafka: KafkaSettings, group: str, topics: Iterable[str]) -> None:
        self._kafka = kafka
        self._group = group
        self._topics = sorted({kafka.topic(topic) for topic in topics})
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def _open(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._consumer is None:
            await self.close()
            admin = AIOKafkaAdminClient(**connection(self._kafka), request_timeout_ms=5_000)
            consumer = AIOKafkaConsumer(**connection(self._kafka), group_id=None, enable_auto_commit=False)
            self._admin, self._consumer = admin, consumer
            await admin.start()
            await consumer.start()
        return self._admin, self._consumer

    async def measure(self) -> dict[str, int]:
        try:
            admin, consumer = await self._open()
            partitions = await _partitions(consumer, self._topics)
            if not partitions:
                return {}
            ends = await consumer.end_offsets(partitions)
            committed = await admin.list_consumer_group_offsets(self._group, partitions=partitions)
        except BaseException:
            await self.close()
            raise
        lag: dict[str, int] = {}
        for partition in partitions:
            meta = committed.get(partition)
            done = meta.offset if meta is not None and meta.offset >= 0 else 0
            topic = partition.topic.removeprefix(self._kafka.topic_prefix)
            lag[topic] = lag.get(topic, 0) + max(0, int(ends[partition]) - done)
        return lag

    async def close(self) -> None:
        admin, consumer = self._admin, self._consumer
        self._admin = self._consumer = None
        if consumer is not None:
            await consumer.stop()
        if admin is not None:
            await admin.close()
