"""What the queries answer besides the figures themselves: institutions as matched, abbreviations, the service's state.

The figures are JSON documents already (`figures.py` builds them, the adversary and the open-data
files read them); these are the other reads, as plain values.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ..domain.figures import ConsumerLag


@dataclass(frozen=True, slots=True)
class SpellingView:
    """An institution as someone wrote it."""

    id: UUID
    name: str | None
    city: str | None
    country: str | None
    type: str | None
    abbreviation_of: str | None
    """The name a known abbreviation spelt out, when the spelling is one."""


@dataclass(frozen=True, slots=True)
class InstitutionView:
    """An institution as matched: its spellings, and how many beneficiaries and replication reports name it."""

    institution_id: UUID
    name: str | None
    country: str | None
    city: str | None
    type: str | None
    confirmed: bool
    beneficiaries: int
    replication_mentions: int
    spellings: list[SpellingView]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Two institutions of one city whose names are alike: a coordinator may merge them."""

    first: UUID
    first_name: str | None
    second: UUID
    second_name: str | None
    similarity: float


@dataclass(frozen=True, slots=True)
class KnownAbbreviation:
    id: UUID
    abbreviation: str
    name: str
    country: str
    city: str | None
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ServingView:
    """The projection schema that answers, and whether it is of the version this code writes."""

    schema: str
    version: str | None
    current: bool | None
    switched_at: datetime | None
    built_by_rebuild_at: datetime | None


@dataclass(frozen=True, slots=True)
class RebuildRun:
    state: str
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    events_done: int
    events_total: int
    events_per_second: float | None
    error: str | None


@dataclass(frozen=True, slots=True)
class FreshnessView:
    """How far behind the figures are."""

    serving: ServingView
    events_applied: int
    last_event_time: datetime | None
    seconds_since_last_event: float | None
    lag: ConsumerLag
    last_rebuild: RebuildRun | None
