"""What the figures are asked by: filters, breakdowns (dimensions) and the measures of each table."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Filters:
    """Every figure can be narrowed to one country, one program and one year."""

    country: str | None = None
    program: str | None = None
    year: int | None = None


@dataclass(frozen=True, slots=True)
class State:
    """How far the serving projections have got."""

    events_applied: int
    last_event_time: datetime | None
    built_at: datetime | None


@dataclass
class ConsumerLag:
    """The live consumer's lag per public topic, as last measured (the service measures it every few seconds)."""

    by_topic: dict[str, int] = field(default_factory=dict)
    measured_at: datetime | None = None
    error: str | None = None

    @property
    def total(self) -> int | None:
        """Events published and not yet applied; None until measured."""
        return sum(self.by_topic.values()) if self.measured_at else None


BENEFICIARY_BREAKDOWNS = (
    "country",
    "program",
    "offering",
    "subject_area",
    "year",
    "gender",
    "institution_type",
    "institution",
)
FINE_DIMENSIONS = {"institution"}
"""Breakdowns shown only to those who see exact figures: an institution's count can point at a person."""
INSTITUTION_BREAKDOWNS = ("country", "institution_type", "channel")
GRANT_BREAKDOWNS = ("call", "country", "year")
COURSE_BREAKDOWNS = ("offering", "country", "program", "year")
