"""What the figures are asked by: filters, breakdowns (dimensions) and the measures of each table."""

from dataclasses import dataclass
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
