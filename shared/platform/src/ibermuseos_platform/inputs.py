"""What a request may carry, typed once for every service and described in each OpenAPI document.

The types live in `ibermuseos_kernel.fields`, so that a domain's value objects (a call's terms,
an application form) hold the same types as the request bodies; entrypoints import them from here.
"""

from ibermuseos_kernel.fields import (
    Country,
    Day,
    Instant,
    Line,
    LocalInstant,
    LocalizedText,
    LocalizedTitle,
    Name,
    Prose,
    Strict,
    TimeZoneName,
)

__all__ = [
    "Country",
    "Day",
    "Instant",
    "Line",
    "LocalInstant",
    "LocalizedText",
    "LocalizedTitle",
    "Name",
    "Prose",
    "Strict",
    "TimeZoneName",
]
