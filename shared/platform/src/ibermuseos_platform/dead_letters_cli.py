"""Operators' tool for dead letters: list them, show one, send them back to be processed again.

    ibermuseos-dead-letters list                     every dead-letter topic and how many records it holds
    ibermuseos-dead-letters show TOPIC [--limit N]   the records of one dead-letter topic: origin, consumer, reason
    ibermuseos-dead-letters redrive TOPIC [--offset N ...]
                                                     republish records to their original topic, as they were

Redriven events are processed again by every consumer of the original topic that dead-lettered
them (the inbox lets a dead-lettered event through again) and skipped by those that had
processed it. Payloads of private topics hold personal data: `show` prints them only with
--payload. The broker comes from KAFKA_BOOTSTRAP_SERVERS (default 127.0.0.1:9092), and for a secured
cluster KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SSL_CA_FILE.
"""

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from ibermuseos_contracts.topics import DEAD_LETTER_SUFFIX

from .dead_letters import ORIGINAL_TOPIC, DeadLetter
from .kafka import connection
from .settings import KafkaSettings, KafkaToolSettings


async def _topics(kafka: KafkaSettings) -> list[str]:
    admin = AIOKafkaAdminClient(**connection(kafka))
    await admin.start()
    try:
        return sorted(name for name in await admin.list_topics() if name.endswith(DEAD_LETTER_SUFFIX))
    finally:
        await admin.close()


async def read_dead_letters(kafka: KafkaSettings, topic: str, limit: int | None = None) -> list[DeadLetter]:
    """Every record of a dead-letter topic, oldest first per partition."""
    consumer = AIOKafkaConsumer(
        **connection(kafka), group_id=None, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = [
                TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])
            ]
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        letters: list[DeadLetter] = []
        while [p for p in partitions if await consumer.position(p) < ends[p]]:
            batch = await consumer.getmany(timeout_ms=1000)
            for records in batch.values():
                for record in records:
                    letters.append(
                        DeadLetter(
                            record.topic,
                            record.partition,
                            record.offset,
                            record.key,
                            record.value,
                            list(record.headers),
                        )
                    )
            if limit is not None and len(letters) >= limit:
                return letters[:limit]
        return letters
    finally:
        await consumer.stop()


async def redrive(kafka: KafkaSettings, letters: Sequence[DeadLetter]) -> int:
    """Publish each dead letter to its original topic with its original key, value and headers."""
    producer = AIOKafkaProducer(**connection(kafka), enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for letter in letters:
            original = letter.header(ORIGINAL_TOPIC)
            if not original:
                raise SystemExit(
                    f"{letter.topic}/{letter.partition}/{letter.offset} does not say its original topic"
                )
            await producer.send_and_wait(
                original, letter.value, key=letter.key, headers=letter.original_headers
            )
    finally:
        await producer.stop()
    return len(letters)


async def _main(args: argparse.Namespace) -> int:
    kafka = KafkaToolSettings()
    if args.command == "list":
        for topic in await _topics(kafka):
            print(json.dumps({"topic": topic, "records": len(await read_dead_letters(kafka, topic))}))
        return 0
    letters = await read_dead_letters(kafka, args.topic, args.limit if args.command == "show" else None)
    if args.command == "show":
        for letter in letters:
            line = letter.summary()
            if args.payload:
                line["payload"] = (letter.value or b"").decode(errors="replace")
            print(json.dumps(line, ensure_ascii=False))
        return 0
    chosen = [letter for letter in letters if not args.offset or letter.offset in args.offset]
    print(f"redrove {await redrive(kafka, chosen)} record(s) from {args.topic}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ibermuseos-dead-letters",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list")
    show = commands.add_parser("show")
    show.add_argument("topic")
    show.add_argument("--limit", type=int, default=100)
    show.add_argument(
        "--payload", action="store_true", help="print the events too (private ones hold personal data)"
    )
    again = commands.add_parser("redrive")
    again.add_argument("topic")
    again.add_argument("--offset", type=int, action="append", help="only these offsets (default: all)")
    return asyncio.run(_main(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
