"""The typed fields of what people send and what a domain keeps: texts, time zones, instants, days.

Here rather than in the platform so that a domain's value objects (a call's terms, a form) hold
the same types its request bodies are checked with. Every stored text is a `Line` or `Prose`
(never a bare `str`): no NUL, no control character that could reach a mail header, a CSV cell
or a page. Time zones are IANA names from the zone database, instants and days lie within the
span the program deals in, and models refuse fields they do not know (so nobody sets `status`
or `amount` by adding it).
"""

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import pycountry
from ibermuseos_contracts.types import Localized
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from .instants import FIRST_YEAR, LAST_YEAR, within_span
from .text import LINE, PROSE
from .zones import is_zone, zone_names


class Strict(BaseModel):
    """A request body (or a value object read from one): unknown fields are refused, every problem is listed."""

    model_config = ConfigDict(extra="forbid")


Line = Annotated[str, StringConstraints(pattern=LINE)]
"""A single line of text (a name, a title, a city): no control character at all."""

Prose = Annotated[str, StringConstraints(pattern=PROSE)]
"""Free text over several lines: tab and line breaks allowed, no other control character."""

Name = Annotated[Line, Field(min_length=1, max_length=300)]
"""A person's, an institution's or a place's name."""


class LocalizedTitle(Localized):
    """A title in the program's three languages, each one line (it reaches mail subjects and CSV cells)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    es: Annotated[Line, Field(min_length=1, max_length=300)]
    pt: Annotated[Line, Field(min_length=1, max_length=300)]
    en: Annotated[Line, Field(min_length=1, max_length=300)]


class LocalizedText(Localized):
    """A text in the program's three languages, each free text over several lines."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    es: Annotated[Prose, Field(min_length=1, max_length=10_000)]
    pt: Annotated[Prose, Field(min_length=1, max_length=10_000)]
    en: Annotated[Prose, Field(min_length=1, max_length=10_000)]


def _zone_name(value: Any) -> Any:
    """A clear refusal naming what was sent, before the enumeration would list all its members."""
    if isinstance(value, str) and is_zone(value):
        return value
    shown = repr(value[:64]) if isinstance(value, str) else "null" if value is None else type(value).__name__
    raise ValueError(f"{shown} is not an IANA time zone name (such as America/Mexico_City)")


if TYPE_CHECKING:
    TimeZoneName = str
    Country = str
else:
    Country = StrEnum(
        "Country", [(country.alpha_2, country.alpha_2) for country in pycountry.countries], module=__name__
    )
    Country.__doc__ = "An ISO 3166-1 alpha-2 country code, e.g. MX"
    _Zones = StrEnum("TimeZoneName", [(name, name) for name in sorted(zone_names())], module=__name__)
    _Zones.__doc__ = "An IANA time zone name, e.g. America/Mexico_City (from the zone database)"
    TimeZoneName = Annotated[_Zones, BeforeValidator(_zone_name)]
"""Time zones and countries are enumerations: a front end can offer the list, and nothing else gets in."""

Moment = TypeVar("Moment", date, datetime)


def _within_span(moment: Moment) -> Moment:
    if not within_span(moment):
        raise ValueError(f"must lie between the years {FIRST_YEAR} and {LAST_YEAR}")
    return moment


Instant = Annotated[
    AwareDatetime,
    AfterValidator(_within_span),
    Field(description=f"An ISO 8601 date and time with its UTC offset, between {FIRST_YEAR} and {LAST_YEAR}"),
]

LocalInstant = Annotated[
    datetime,
    AfterValidator(_within_span),
    Field(
        description="An ISO 8601 date and time, with its UTC offset or without one to be read in the time "
        f"zone the request names, between {FIRST_YEAR} and {LAST_YEAR}"
    ),
]
"""An `Instant`, or a wall-clock time in a zone given beside it (a session of a run in the run's zone)."""

Day = Annotated[
    date,
    AfterValidator(_within_span),
    Field(description=f"An ISO 8601 calendar day, between {FIRST_YEAR} and {LAST_YEAR}"),
]
"""A calendar day: bounded like an instant, so that adding a few weeks to it never overflows."""
