"""Dead letters: where a consumer parks an event it can never process, with why and where it came from."""

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from ibermuseos_contracts import dead_letter_topic

from .metrics import DEAD_LETTERS

REASON = "dlq_reason"
ERROR_TYPE = "dlq_error_type"
ORIGINAL_TOPIC = "dlq_original_topic"
ORIGINAL_PARTITION = "dlq_original_partition"
ORIGINAL_OFFSET = "dlq_original_offset"
CONSUMER = "dlq_consumer"
FAILED_AT = "dlq_failed_at"
DLQ_HEADERS = (REASON, ERROR_TYPE, ORIGINAL_TOPIC, ORIGINAL_PARTITION, ORIGINAL_OFFSET, CONSUMER, FAILED_AT)
MAX_REASON_BYTES = 4_000


@dataclass(frozen=True)
class DeadLetter:
    """A dead-letter record as an operator sees it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]

    def header(self, name: str) -> str | None:
        for header, value in self.headers:
            if header == name:
                return value.decode(errors="replace")
        return None

    @property
    def original_headers(self) -> list[tuple[str, bytes]]:
        """The headers the event was published with, without what the dead-lettering added."""
        return [(name, value) for name, value in self.headers if name not in DLQ_HEADERS]

    def summary(self) -> dict[str, Any]:
        return {
            "dead_letter": f"{self.topic}/{self.partition}/{self.offset}",
            "original": f"{self.header(ORIGINAL_TOPIC)}/{self.header(ORIGINAL_PARTITION)}/{self.header(ORIGINAL_OFFSET)}",
            "consumer": self.header(CONSUMER),
            "failed_at": self.header(FAILED_AT),
            "ce_type": self.header("ce_type"),
            "ce_id": self.header("ce_id"),
            "error_type": self.header(ERROR_TYPE),
            "reason": self.header(REASON),
        }


def describe(error: BaseException) -> str:
    """The reason of a dead letter: the error and where it was raised, bounded in size."""
    lines = traceback.format_exception_only(error)
    frames = traceback.extract_tb(error.__traceback__)
    if frames:
        last = frames[-1]
        lines.append(f"at {last.filename}:{last.lineno} in {last.name}")
    return "".join(lines).strip()[:MAX_REASON_BYTES]


class DeadLetterPublisher:
    """Sends a record that can never be processed to `<topic>.dlq`, and waits until Kafka has it."""

    def __init__(self, producer: Callable[[], AIOKafkaProducer], consumer: str) -> None:
        self._producer = producer
        self._consumer = consumer

    async def publish(
        self,
        *,
        topic: str,
        partition: int,
        offset: int,
        key: bytes | None,
        value: bytes | None,
        headers: Sequence[tuple[str, bytes]],
        error: BaseException | str,
    ) -> None:
        reason = error if isinstance(error, str) else describe(error)
        error_type = "InvalidEvent" if isinstance(error, str) else type(error).__name__
        added = [
            (REASON, reason),
            (ERROR_TYPE, error_type),
            (ORIGINAL_TOPIC, topic),
            (ORIGINAL_PARTITION, str(partition)),
            (ORIGINAL_OFFSET, str(offset)),
            (CONSUMER, self._consumer),
            (FAILED_AT, datetime.now(UTC).isoformat()),
        ]
        kept = [(name, value) for name, value in headers if name not in DLQ_HEADERS]
        await self._producer().send_and_wait(
            dead_letter_topic(topic),
            value,
            key=key,
            headers=kept + [(name, text.encode()) for name, text in added],
        )
        DEAD_LETTERS.labels(self._consumer, topic).inc()
