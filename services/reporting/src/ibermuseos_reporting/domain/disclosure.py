"""Who may see which figure exactly, and how everyone else's figures protect the people counted.

The public figures are computed from protected microdata (`microdata.py`): the count of each
class of alike units is published under fixed random rounding to base 3, and every figure is a
sum of such counts. Focal points see the figures of their own country exactly, coordinators
everything. The method, its protection interval and why it holds for everything published
together are in the README ("Disclosure control").
"""

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from ibermuseos_kernel.caller import Caller

BASE = 3
"""Published counts of a class are multiples of this."""
INTERVAL = BASE - 1
"""A class published as r may hold any count from r - INTERVAL (at least 0) to r + INTERVAL."""
THRESHOLD = 5
"""Open-data records of fewer grantees than this (as published) are pooled."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """What the caller may see exactly: everything (coordinator), one country (focal point) or nothing (public)."""

    everything: bool = False
    country: str | None = None

    @classmethod
    def public(cls) -> "Viewer":
        return cls()

    @classmethod
    def of(cls, caller: Caller | None) -> "Viewer":
        """Coordinators see every figure exactly, focal points those of their country, everyone else the public ones."""
        if caller is None:
            return cls.public()
        if caller.is_coordinator:
            return cls(everything=True)
        if caller.focal_country is not None:
            return cls(country=caller.focal_country)
        return cls.public()

    def exact_for(self, country: str | None) -> bool:
        """Whether figures of `country` (None: of several countries) are shown exactly."""
        return self.everything or (self.country is not None and country == self.country)

    @property
    def is_public(self) -> bool:
        return not self.everything and self.country is None


def protected_count(key: bytes, what: str, count: int) -> int:
    """`count` under fixed random rounding to base 3: to the multiple of 3 below or above it.

    Up with probability (count mod 3) / 3, so the published count is the true one on average;
    the draw is a keyed hash of the class (`what`) and its count, so the same class with the
    same count is always published the same (asking again, or rebuilding, changes nothing),
    and without the key nobody can tell which way a class went. Zero stays zero; 1 and 2 are
    published as 0 or 3.
    """
    low, rest = divmod(count, BASE)
    if rest == 0:
        return count
    digest = hmac.new(key, f"{what}#{count}".encode(), hashlib.sha256).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    return BASE * (low + (draw < rest / BASE))


def rounding_key(secret: bytes) -> bytes:
    """The key of the rounding draws, derived from the service's disclosure secret."""
    return hmac.new(secret, b"ibermuseos reporting: fixed random rounding v1", hashlib.sha256).digest()


def possible_counts(published: int) -> tuple[int, int]:
    """The true counts of a class that could have been published as `published`: the protection interval."""
    return max(published - INTERVAL, 0), published + INTERVAL


K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Group:
    """Cells published together as one open-data record, and how many people it counts as published."""

    keys: tuple[object, ...]
    people: int


def pool(cells: Mapping[K, int]) -> list[Group]:
    """The one pooling rule of the open-data files, applied to published (protected) counts.

    A cell of at least THRESHOLD people has a record of its own; every other cell that is not
    zero goes into one pooled record, whatever its size (its count is protected like every
    other). Cells published as zero are in no record.
    """
    alone = sorted(((k, n) for k, n in cells.items() if n >= THRESHOLD), key=lambda kv: (-kv[1], str(kv[0])))
    pooled = sorted(((k, n) for k, n in cells.items() if 0 < n < THRESHOLD), key=lambda kv: str(kv[0]))
    groups = [Group((key,), n) for key, n in alone]
    if pooled:
        groups.append(Group(tuple(key for key, _ in pooled), sum(n for _, n in pooled)))
    return groups


_PHRASES = {
    # people (one, other), institutions (one, other), and what joins them
    "es": (
        ("{} profesional de museos se ha beneficiado", "{} profesionales de museos se han beneficiado"),
        ("{} institución", "{} instituciones"),
        " y ",
    ),
    "pt": (
        ("{} profissional de museus beneficiado", "{} profissionais de museus beneficiados"),
        ("{} instituição", "{} instituições"),
        " e ",
    ),
    "en": (
        ("{} museum professional benefited", "{} museum professionals benefited"),
        ("{} institution", "{} institutions"),
        ", and ",
    ),
}


def _format(number: int, language: str) -> str:
    grouped = f"{number:,}"
    return grouped if language == "en" else grouped.replace(",", ".")


def headline(people: int, institutions: int, language: str) -> str:
    """The program's headline sentence, computed: "N museum professionals benefited, and M institutions".

    It says the figures as given (for the public, the protected ones every table adds up to): they are
    rounded already, and a "more than" of a rounded figure could be untrue.
    """
    (person, persons), (institution, several), joined = _PHRASES.get(language, _PHRASES["es"])
    said_people = (person if people == 1 else persons).format(_format(people, language))
    said_institutions = (institution if institutions == 1 else several).format(
        _format(institutions, language)
    )
    return said_people + joined + said_institutions
