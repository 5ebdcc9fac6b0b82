"""The base of every event contract, and the registry of all of them."""

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from .topics import Topic

TYPE_PREFIX = "org.ibermuseos"
_CLASS_NAME = re.compile(r"^(?P<name>[A-Z][A-Za-z]+)V(?P<version>[1-9][0-9]*)$")
_TYPE = re.compile(
    r"^"
    + re.escape(TYPE_PREFIX)
    + r"\.(?P<source>[a-z]+)\.(?P<name>[A-Z][A-Za-z]+)\.v(?P<version>[1-9][0-9]*)$"
)


@dataclass(frozen=True, slots=True)
class EventType:
    """What `ce_type` says: which service published which event in which version."""

    source: str
    name: str
    version: int

    def __str__(self) -> str:
        return f"{TYPE_PREFIX}.{self.source}.{self.name}.v{self.version}"

    @classmethod
    def parse(cls, value: str) -> "EventType":
        """Read a `ce_type` such as `org.ibermuseos.applications.GrantAwarded.v1`."""
        match = _TYPE.match(value)
        if match is None:
            raise ValueError(f"'{value}' is not an Ibermuseos event type")
        return cls(match["source"], match["name"], int(match["version"]))


class Event(BaseModel):
    """A fact that happened, as published to Kafka: past tense, one class per version.

    Subclasses are named `<Name>V<version>` and declare their topic and the field that
    holds the aggregate id (the Kafka key and `ce_subject`), for example::

        class GrantAwardedV1(Event, topic=APPLICATION, subject="application_id"): ...

    Consumers are tolerant readers: fields they do not know are ignored, so that a
    version can gain optional fields without breaking anyone.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    topic: ClassVar[Topic]
    subject_field: ClassVar[str]
    event_type: ClassVar[EventType]

    def __init_subclass__(
        cls, *, topic: Topic | None = None, subject: str | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if topic is None or subject is None:
            raise TypeError(f"{cls.__name__} must declare topic= and subject=")
        match = _CLASS_NAME.match(cls.__name__)
        if match is None:
            raise TypeError(f"{cls.__name__} must be named <PastTenseName>V<version>")
        cls.topic = topic
        cls.subject_field = subject
        cls.event_type = EventType(topic.source, match["name"], int(match["version"]))
        _register(cls)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.subject_field not in cls.model_fields:
            raise TypeError(f"{cls.__name__}.{cls.subject_field} (its subject) is not a field")

    @property
    def subject(self) -> str:
        """The aggregate id: Kafka key and `ce_subject`."""
        return str(getattr(self, self.subject_field))


_REGISTRY: dict[str, type[Event]] = {}


def _register(cls: type[Event]) -> None:
    key = str(cls.event_type)
    if key in _REGISTRY and _REGISTRY[key].__qualname__ != cls.__qualname__:
        raise TypeError(f"two classes claim {key}: {_REGISTRY[key].__name__} and {cls.__name__}")
    _REGISTRY[key] = cls


def event_class(event_type: str) -> type[Event] | None:
    """The contract class of a `ce_type`, or None when no contract declares it."""
    return _REGISTRY.get(event_type)


def all_events() -> list[type[Event]]:
    """Every event contract, in a stable order."""
    return sorted(_REGISTRY.values(), key=lambda cls: str(cls.event_type))


def events_of(source: str) -> list[type[Event]]:
    """The events one service publishes."""
    return [cls for cls in all_events() if cls.event_type.source == source]
