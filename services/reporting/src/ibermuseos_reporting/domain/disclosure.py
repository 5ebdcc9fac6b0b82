"""Who may see which figure exactly, and how small cells are hidden from everyone else.

A published figure that counts fewer than five people could single someone out ("the one
conservator from Andorra who got a grant in 2027"). Such cells are suppressed for the
public; when only one cell of a breakdown is suppressed, the next smallest is suppressed
too, so that the total minus the others does not give it away. Focal points see exact
figures of their own country, coordinators see everything exactly.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

THRESHOLD = 5
"""Cells of fewer people than this (but more than none) are suppressed."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """What the caller may see exactly: everything (coordinator), one country (focal point) or nothing (public)."""

    everything: bool = False
    country: str | None = None

    @classmethod
    def public(cls) -> "Viewer":
        return cls()

    def exact_for(self, country: str | None) -> bool:
        """Whether figures of `country` (None: of several countries) are shown exactly."""
        return self.everything or (self.country is not None and country == self.country)

    @property
    def is_public(self) -> bool:
        return not self.everything and self.country is None


def is_small(count: int | None) -> bool:
    return count is not None and 0 < count < THRESHOLD


def suppress_column(counts: Sequence[int | None], exact: Sequence[bool]) -> list[bool]:
    """Which cells of one column to hide: small ones, and one more when a single cell would be hidden."""
    hidden = [not is_exact and is_small(count) for count, is_exact in zip(counts, exact, strict=True)]
    if sum(hidden) == 1:
        others = [
            (count, index)
            for index, (count, is_exact) in enumerate(zip(counts, exact, strict=True))
            if not hidden[index] and not is_exact and count
        ]
        if others:
            hidden[min(others)[1]] = True
    return hidden


@dataclass(frozen=True, slots=True)
class Measure:
    """A column of a table of figures; `people` names the count that protects it (itself when None)."""

    name: str
    people: str | None = None


Row = dict[str, object]


def suppress_table(
    rows: Sequence[Row],
    measures: Sequence[Measure],
    exact: Callable[[Row], bool],
) -> list[Row]:
    """The rows with every measure that could single someone out replaced by None, named in `suppressed`."""
    exact_rows = [exact(row) for row in rows]
    hidden: dict[str, list[bool]] = {}
    small: dict[str, list[bool]] = {}
    for measure in measures:
        if measure.people is not None:
            continue
        counts = [_count(row.get(measure.name)) for row in rows]
        hidden[measure.name] = suppress_column(counts, exact_rows)
        small[measure.name] = [is_small(count) for count in counts]
    result: list[Row] = []
    for index, row in enumerate(rows):
        shown = dict(row)
        suppressed, protecting_others = [], []
        for measure in measures:
            protecting = measure.people or measure.name
            if protecting in hidden and hidden[protecting][index]:
                shown[measure.name] = None
                suppressed.append(measure.name)
                if not small[protecting][index]:
                    protecting_others.append(measure.name)
        shown["suppressed"] = suppressed
        # Hidden though not small, so that a small cell cannot be worked out from the total:
        # saying "<5" of these would be false.
        shown["protecting"] = protecting_others
        result.append(shown)
    return result


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def suppress_total(total: int, viewer: Viewer, country: str | None) -> int | None:
    return total if viewer.exact_for(country) or not is_small(total) else None


K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Group:
    """Cells published together as one record, with enough people in it."""

    keys: tuple[object, ...]
    people: int


def disclosure_groups(cells: Mapping[K, int], threshold: int = THRESHOLD) -> tuple[list[Group], int]:
    """Cells gathered so that every published record counts at least `threshold` people.

    Cells big enough stand alone; the small ones are pooled into one record; a pool still
    too small joins the smallest standing record. Returns the records and how many people
    had to be withheld because even everything together was too few.
    """
    big = sorted(
        ((key, n) for key, n in cells.items() if n >= threshold), key=lambda kv: (-kv[1], str(kv[0]))
    )
    small = sorted(((key, n) for key, n in cells.items() if 0 < n < threshold), key=lambda kv: str(kv[0]))
    groups = [Group((key,), n) for key, n in big]
    pooled = sum(n for _, n in small)
    if not small:
        return groups, 0
    if pooled >= threshold:
        groups.append(Group(tuple(key for key, _ in small), pooled))
        return groups, 0
    if groups:
        last = groups[-1]
        groups[-1] = Group(last.keys + tuple(key for key, _ in small), last.people + pooled)
        return groups, 0
    return [], pooled


def more_than(count: int) -> int | None:
    """The round figure the headline says "more than" of: two significant digits, strictly below `count`.

    None when the count is too small to round (below 10): then the exact count is said.
    """
    if count < 10:
        return None
    step = int(10 ** max(len(str(count)) - 2, 0))
    return (count - 1) // step * step


_PHRASES = {
    "es": (
        "Más de {people} profesionales de museos se han beneficiado y más de {institutions} instituciones",
        "{people} profesionales de museos se han beneficiado y {institutions} instituciones",
    ),
    "pt": (
        "Mais de {people} profissionais de museus beneficiados e mais de {institutions} instituições",
        "{people} profissionais de museus beneficiados e {institutions} instituições",
    ),
    "en": (
        "More than {people} museum professionals benefited, and more than {institutions} institutions",
        "{people} museum professionals benefited, and {institutions} institutions",
    ),
}


def _format(number: int, language: str) -> str:
    grouped = f"{number:,}"
    return grouped if language == "en" else grouped.replace(",", ".")


def headline(people: int, institutions: int, language: str) -> str:
    """The program's headline sentence, computed: "More than N professionals benefited, more than M institutions"."""
    rounded_people, rounded_institutions = more_than(people), more_than(institutions)
    more, exact = _PHRASES.get(language, _PHRASES["es"])
    if rounded_people is not None and rounded_institutions is not None:
        return more.format(
            people=_format(rounded_people, language), institutions=_format(rounded_institutions, language)
        )
    return exact.format(people=_format(people, language), institutions=_format(institutions, language))
