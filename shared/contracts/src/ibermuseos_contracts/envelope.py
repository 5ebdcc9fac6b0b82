"""The CloudEvents 1.0 envelope in Kafka binary mode: metadata in headers, the event in the value."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from .base import Event, EventType, event_class
from .privacy import public_model

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"

Headers = list[tuple[str, bytes]]


class EnvelopeError(ValueError):
    """A record that is not a readable event of ours: it can never be processed."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """The CloudEvents attributes of one event, plus the ids that follow a request across services."""

    type: str
    source: str
    subject: str
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    correlation_id: str = ""
    causation_id: str | None = None

    @classmethod
    def for_event(
        cls, event: Event, *, correlation_id: str | None = None, causation_id: str | None = None
    ) -> "Envelope":
        """A new envelope for `event`; a new correlation id when none is being followed."""
        event_id = uuid.uuid4()
        return cls(
            type=str(event.event_type),
            source=event.event_type.source,
            subject=event.subject,
            id=event_id,
            correlation_id=correlation_id or str(event_id),
            causation_id=causation_id,
        )

    def to_headers(self) -> Headers:
        """Kafka headers in CloudEvents binary mode."""
        headers = [
            ("ce_specversion", SPEC_VERSION),
            ("ce_id", str(self.id)),
            ("ce_type", self.type),
            ("ce_source", self.source),
            ("ce_time", self.time.isoformat()),
            ("ce_subject", self.subject),
            ("content-type", CONTENT_TYPE),
            ("correlation_id", self.correlation_id),
        ]
        if self.causation_id:
            headers.append(("causation_id", self.causation_id))
        return [(name, value.encode()) for name, value in headers]

    @classmethod
    def from_headers(cls, headers: Iterable[tuple[str, bytes]]) -> "Envelope":
        """Read the envelope of a Kafka record; every problem is named in the error."""
        values: dict[str, str] = {}
        for name, raw in headers:
            try:
                values[name] = raw.decode()
            except UnicodeDecodeError:
                raise EnvelopeError(f"header {name} is not UTF-8") from None
        problems = [
            f"missing header {name}"
            for name in ("ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time", "ce_subject")
            if name not in values
        ]
        if problems:
            raise EnvelopeError("; ".join(problems))
        if values["ce_specversion"] != SPEC_VERSION:
            problems.append(f"ce_specversion {values['ce_specversion']} is not {SPEC_VERSION}")
        content_type = values.get("content-type", CONTENT_TYPE)
        if content_type.split(";")[0].strip() != CONTENT_TYPE:
            problems.append(f"content-type {content_type} is not {CONTENT_TYPE}")
        try:
            event_id = uuid.UUID(values["ce_id"])
        except ValueError:
            problems.append(f"ce_id {values['ce_id']!r} is not a UUID")
        try:
            time = datetime.fromisoformat(values["ce_time"])
        except ValueError:
            problems.append(f"ce_time {values['ce_time']!r} is not an RFC 3339 time")
        if problems:
            raise EnvelopeError("; ".join(problems))
        return cls(
            type=values["ce_type"],
            source=values["ce_source"],
            subject=values["ce_subject"],
            id=event_id,
            time=time,
            correlation_id=values.get("correlation_id", values["ce_id"]),
            causation_id=values.get("causation_id"),
        )


def encode(event: BaseModel) -> bytes:
    """The record value: the event's JSON."""
    return event.model_dump_json().encode()


def decode(envelope: Envelope, value: bytes | None, *, public: bool) -> BaseModel:
    """The event carried by a record, validated against its contract (or its public model).

    Raises EnvelopeError when no contract declares the type or the value does not match it.
    """
    contract = event_class(envelope.type)
    if contract is None:
        raise EnvelopeError(f"no contract declares {envelope.type}")
    model = public_model(contract) if public else contract
    if value is None:
        raise EnvelopeError(f"{envelope.type} {envelope.id} has no value")
    try:
        return model.model_validate_json(value)
    except ValidationError as error:
        raise EnvelopeError(f"{envelope.type} does not match its contract: {_summary(error)}") from None


def known_name_unknown_version(envelope: Envelope, known: Iterable[str]) -> bool:
    """Whether the event is one we handle, in a version we do not know (a poison event)."""
    try:
        received = EventType.parse(envelope.type)
    except ValueError:
        return False
    for name in known:
        wanted = EventType.parse(name)
        if (wanted.source, wanted.name) == (received.source, received.name):
            return True
    return False


def _summary(error: ValidationError) -> str:
    parts: list[Any] = []
    for problem in error.errors(include_url=False):
        location = ".".join(str(part) for part in problem["loc"]) or "value"
        parts.append(f"{location}: {problem['msg']}")
    return "; ".join(parts)
