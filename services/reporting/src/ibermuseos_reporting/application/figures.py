"""The figures as each caller may see them: exact where the viewer may, small cells suppressed elsewhere."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ..domain.disclosure import Measure, Viewer, headline, suppress_table, suppress_total
from ..domain.figures import COURSE_MEASURES, FINE_DIMENSIONS, GRANT_MEASURES, Filters, State


class Figures(Protocol):
    """What the figures are computed from: the serving projections."""

    async def beneficiaries(
        self, filters: Filters, by: str | None, language: str
    ) -> tuple[int, list[dict[str, Any]]]: ...

    async def institutions(
        self, filters: Filters, by: str | None
    ) -> tuple[dict[str, int], list[dict[str, Any]]]: ...

    async def grants(self, filters: Filters, by: str, language: str) -> list[dict[str, Any]]: ...

    async def courses(self, filters: Filters, by: str, language: str) -> list[dict[str, Any]]: ...

    async def countries_reached(self) -> int: ...

    async def state(self) -> State: ...


class NotVisible(Exception):
    """The viewer may not see this breakdown: `status` says whether to answer 401, 403 or 404."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _filters_out(filters: Filters) -> dict[str, Any]:
    return {"country": filters.country, "program": filters.program, "year": filters.year}


def _row_exactness(viewer: Viewer, by: str | None, filters: Filters) -> Any:
    def exact(row: Mapping[str, object]) -> bool:
        country = row.get("key") if by == "country" else filters.country
        return viewer.exact_for(country if isinstance(country, str) else None)

    return exact


def check_fine(viewer: Viewer, by: str | None, filters: Filters) -> None:
    """Breakdowns fine enough to point at a person are for focal points (their country) and coordinators."""
    if by not in FINE_DIMENSIONS or viewer.everything:
        return
    if viewer.is_public:
        raise NotVisible(401, f"the breakdown by {by} needs a focal point's or coordinator's token")
    if viewer.country is None:
        raise NotVisible(403, f"the breakdown by {by} is for focal points and coordinators")
    if filters.country != viewer.country:
        raise NotVisible(404, f"no breakdown by {by} for that country")


@dataclass(frozen=True)
class Freshness:
    events_applied: int
    last_event_time: datetime | None


async def beneficiaries(
    figures: Figures, viewer: Viewer, filters: Filters, by: str | None, language: str
) -> dict[str, Any]:
    """Unique people who benefited, total and per `by`; cells under five people hidden unless the viewer sees them exactly."""
    check_fine(viewer, by, filters)
    total, rows = await figures.beneficiaries(filters, by, language)
    shown = suppress_table(rows, [Measure("people")], _row_exactness(viewer, by, filters))
    return {
        "table": "beneficiaries",
        "by": by,
        "filters": _filters_out(filters),
        "total": suppress_total(total, viewer, filters.country),
        "rows": shown,
    }


async def institutions(figures: Figures, viewer: Viewer, filters: Filters, by: str | None) -> dict[str, Any]:
    """Institutions reached, each counted once: institutions are not people, so nothing is suppressed."""
    summary, rows = await figures.institutions(filters, by)
    return {
        "table": "institutions",
        "by": by,
        "filters": _filters_out(filters),
        **summary,
        "rows": [{**row, "suppressed": []} for row in rows],
    }


GRANT_TABLE_MEASURES = [
    *(Measure(name) for name in GRANT_MEASURES),
    Measure("amount_awarded", people="awarded"),
    Measure("amount_accepted", people="accepted"),
]


async def grants(
    figures: Figures, viewer: Viewer, filters: Filters, by: str, language: str
) -> dict[str, Any]:
    """Applications, eligibility, awards and amounts; a count under five (and the amount it protects) is hidden."""
    rows = await figures.grants(filters, by, language)
    return {
        "table": "grants",
        "by": by,
        "filters": _filters_out(filters),
        "rows": suppress_table(rows, GRANT_TABLE_MEASURES, _row_exactness(viewer, by, filters)),
    }


COURSE_TABLE_MEASURES = [
    *(Measure(name) for name in COURSE_MEASURES),
    Measure("completion_rate", people="evaluated"),
    Measure("hours_certified", people="certificates"),
]


async def courses(
    figures: Figures, viewer: Viewer, filters: Filters, by: str, language: str
) -> dict[str, Any]:
    """Enrolments, completion rate and hours certified; a count under five (and what it protects) is hidden."""
    rows = await figures.courses(filters, by, language)
    return {
        "table": "courses",
        "by": by,
        "filters": _filters_out(filters),
        "rows": suppress_table(rows, COURSE_TABLE_MEASURES, _row_exactness(viewer, by, filters)),
    }


async def headline_figures(figures: Figures, viewer: Viewer, language: str) -> dict[str, Any]:
    """The program's headline ("more than N professionals, more than M institutions"), computed from the projections."""
    people, by_program = await figures.beneficiaries(Filters(), "program", language)
    summary, _ = await figures.institutions(Filters(), None)
    countries = await figures.countries_reached()
    shown_people = suppress_total(people, viewer, None)
    programs = suppress_table(by_program, [Measure("people")], _row_exactness(viewer, "program", Filters()))
    return {
        "beneficiaries": shown_people,
        "institutions": summary["total"],
        "institutions_direct": summary["direct"],
        "institutions_through_replication_only": summary["through_replication_only"],
        "countries": countries,
        "by_program": {row["key"]: row["people"] for row in programs},
        "text": headline(shown_people or 0, summary["total"], language) if shown_people is not None else None,
        "language": language,
    }
