"""Kafka topics: one per aggregate type, in a private and a public tier."""

from dataclasses import dataclass

PUBLIC_PREFIX = "public."
DEAD_LETTER_SUFFIX = ".dlq"


@dataclass(frozen=True, slots=True)
class Topic:
    """The topic of one aggregate type, owned by the service that publishes its events."""

    source: str
    aggregate: str
    version: int = 1

    @property
    def private(self) -> str:
        """The full events, readable only by the platform's own services."""
        return f"{self.source}.{self.aggregate}.v{self.version}"

    @property
    def public(self) -> str:
        """The same events with personal fields removed and people pseudonymised."""
        return PUBLIC_PREFIX + self.private


def dead_letter_topic(topic: str) -> str:
    """Where a consumer of `topic` parks the events it can never process."""
    return topic + DEAD_LETTER_SUFFIX


def is_public(topic: str) -> bool:
    """Whether `topic` is in the public tier (its own name, without any namespace prefix)."""
    return topic.startswith(PUBLIC_PREFIX)
