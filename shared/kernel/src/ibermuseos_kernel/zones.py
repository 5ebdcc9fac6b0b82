"""Time zones by IANA name, checked against the zone database (never a path, never a folder)."""

import zoneinfo
from functools import cache


@cache
def zone_names() -> frozenset[str]:
    """Every IANA zone name the zone database knows (from the `tzdata` package where the system has none)."""
    return frozenset(zoneinfo.available_timezones())


def is_zone(name: str) -> bool:
    return name in zone_names()


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone called `name`; `ValueError` for anything that is not a zone's name."""
    if not is_zone(name):
        raise ValueError(f"{name!r} is not an IANA time zone name")
    return zoneinfo.ZoneInfo(name)
