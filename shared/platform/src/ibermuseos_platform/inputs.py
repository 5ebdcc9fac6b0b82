"""What a request may carry, typed once for every service and described in each OpenAPI document.

Every text a request stores is a `Line` or `Prose` (never a bare `str`): no NUL, no control
character that could reach a mail header, a CSV cell or a page. Time zones are IANA names from
the zone database, instants lie within the span the program deals in, and bodies refuse fields
they do not know (so nobody sets `status` or `amount` by adding it).
"""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import pycountry
from ibermuseos_kernel.instants import FIRST_YEAR, LAST_YEAR, within_span
from ibermuseos_kernel.text import LINE, PROSE
from ibermuseos_kernel.zones import zone_names
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints


class Strict(BaseModel):
    """A request body: unknown fields are refused, every problem is listed at once."""

    model_config = ConfigDict(extra="forbid")


Line = Annotated[str, StringConstraints(pattern=LINE)]
"""A single line of text (a name, a title, a city): no control character at all."""

Prose = Annotated[str, StringConstraints(pattern=PROSE)]
"""Free text over several lines: tab and line breaks allowed, no other control character."""

Name = Annotated[Line, Field(min_length=1, max_length=300)]
"""A person's, an institution's or a place's name."""

if TYPE_CHECKING:
    TimeZoneName = str
    Country = str
else:
    Country = StrEnum(
        "Country", [(country.alpha_2, country.alpha_2) for country in pycountry.countries], module=__name__
    )
    Country.__doc__ = "An ISO 3166-1 alpha-2 country code, e.g. MX"
    TimeZoneName = StrEnum("TimeZoneName", [(name, name) for name in sorted(zone_names())], module=__name__)
    TimeZoneName.__doc__ = "An IANA time zone name, e.g. America/Mexico_City (from the zone database)"
"""Time zones and countries are enumerations: a front end can offer the list, and nothing else gets in."""


def _within_span(moment: datetime) -> datetime:
    if not within_span(moment):
        raise ValueError(f"must lie between the years {FIRST_YEAR} and {LAST_YEAR}")
    return moment


Instant = Annotated[
    AwareDatetime,
    AfterValidator(_within_span),
    Field(description=f"An ISO 8601 date and time with its UTC offset, between {FIRST_YEAR} and {LAST_YEAR}"),
]
