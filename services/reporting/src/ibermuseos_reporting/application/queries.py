"""What people read: the figures as the caller may see them, institutions as matched, the service's freshness.

Each query opens its own unit of work on the schema that serves now; none changes anything.
"""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from ibermuseos_kernel.caller import Caller
from ibermuseos_kernel.clock import Clock
from ibermuseos_kernel.errors import Invalid, NotFound
from ibermuseos_kernel.paging import Page, Slice

from ..domain.disclosure import Viewer
from ..domain.figures import (
    BENEFICIARY_BREAKDOWNS,
    COURSE_BREAKDOWNS,
    GRANT_BREAKDOWNS,
    INSTITUTION_BREAKDOWNS,
    ConsumerLag,
    Filters,
    State,
)
from ..domain.institutions import suggest_duplicates
from ..domain.opendata import Indicator, Publisher
from . import figures
from .ports import Curation, Figures, UnitOfWork
from .views import FreshnessView, InstitutionView, KnownAbbreviation, Suggestion

TableName = Literal["beneficiaries", "institutions", "grants", "courses"]

BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "beneficiaries": BENEFICIARY_BREAKDOWNS,
    "institutions": INSTITUTION_BREAKDOWNS,
    "grants": GRANT_BREAKDOWNS,
    "courses": COURSE_BREAKDOWNS,
}
"""The breakdowns of each table; the first is the default of those that always have one."""

COUNTRY_REPORT_BREAKDOWNS = (
    "program",
    "year",
    "gender",
    "offering",
    "subject_area",
    "institution_type",
    "institution",
)
MAX_SUGGESTIONS = 10_000
"""Pairs of alike institutions looked at, at most, per city."""


def freshness_of(state: State, lag: ConsumerLag) -> dict[str, Any]:
    """What every figures answer says of its age."""
    return {
        "last_event_time": state.last_event_time,
        "events_applied": state.events_applied,
        "lag_events": lag.total,
    }


def breakdown(table: TableName, by: str | None) -> str | None:
    """The breakdown asked for, or the table's default; every breakdown the table does not have is refused."""
    if by is None:
        return None if table in ("beneficiaries", "institutions") else BREAKDOWNS[table][0]
    if by not in BREAKDOWNS[table]:
        raise Invalid.one("query.by", f"one of {', '.join(BREAKDOWNS[table])}")
    return by


async def _compute(
    source: Figures, viewer: Viewer, table: TableName, filters: Filters, by: str | None, language: str
) -> dict[str, Any]:
    if table == "beneficiaries":
        return await figures.beneficiaries(source, viewer, filters, by, language)
    if table == "institutions":
        return await figures.institutions(source, viewer, filters, by)
    if table == "grants":
        return await figures.grants(source, viewer, filters, by or "call", language)
    return await figures.courses(source, viewer, filters, by or "offering", language)


async def table(
    uow: UnitOfWork,
    viewer: Viewer,
    lag: ConsumerLag,
    name: TableName,
    filters: Filters,
    by: str | None,
    language: str,
) -> dict[str, Any]:
    """One table of figures (total and rows by one breakdown): exact where the viewer may, protected elsewhere."""
    async with uow:
        body = await _compute(uow.figures, viewer, name, filters, breakdown(name, by), language)
        body["freshness"] = freshness_of(await uow.figures.state(), lag)
    return body


async def headline(uow: UnitOfWork, viewer: Viewer, lag: ConsumerLag, language: str) -> dict[str, Any]:
    async with uow:
        body = await figures.headline_figures(uow.figures, viewer, language)
        body["freshness"] = freshness_of(await uow.figures.state(), lag)
    return body


async def applications_by_country(uow: UnitOfWork, viewer: Viewer) -> dict[str, Any]:
    async with uow:
        return await figures.applications_by_country(uow.figures, viewer)


async def country_report(
    uow: UnitOfWork, caller: Caller, lag: ConsumerLag, country: str, year: int | None, language: str
) -> dict[str, Any]:
    """Exact figures of one country in finer detail: for coordinators, and the focal point of that country."""
    if not caller.is_coordinator and not caller.is_focal_point_of(country):
        raise NotFound("No report for that country")
    viewer, filters = Viewer.of(caller), Filters(country, None, year)
    async with uow:
        source = uow.figures
        return {
            "country": country,
            "year": year,
            "beneficiaries": {
                by: await figures.beneficiaries(source, viewer, filters, by, language)
                for by in COUNTRY_REPORT_BREAKDOWNS
            },
            "institutions": {
                by: await figures.institutions(source, viewer, filters, by)
                for by in ("institution_type", "channel")
            },
            "grants": await figures.grants(source, viewer, filters, "call", language),
            "courses": await figures.courses(source, viewer, filters, "offering", language),
            "freshness": freshness_of(await source.state(), lag),
        }


async def freshness(uow: UnitOfWork, clock: Clock, lag: ConsumerLag) -> FreshnessView:
    """How far behind the figures are: the schema serving, events applied, consumer lag, the last rebuild."""
    async with uow:
        serving = await uow.status.serving()
        state = await uow.figures.state()
        last_rebuild = await uow.status.last_rebuild()
    since = state.last_event_time
    return FreshnessView(
        serving=serving,
        events_applied=state.events_applied,
        last_event_time=since,
        seconds_since_last_event=round((clock.now() - since).total_seconds(), 1) if since else None,
        lag=lag,
        last_rebuild=last_rebuild,
    )


async def iati_indicators(uow: UnitOfWork) -> list[Indicator]:
    async with uow:
        return await figures.iati_indicators(uow.figures)


async def giving_records(uow: UnitOfWork, publisher: Publisher, generated: datetime) -> list[dict[str, Any]]:
    """The 360Giving records from the public figures; none to publish while no call has a grantee among them."""
    async with uow:
        records = await figures.giving_records(uow.figures, publisher, generated)
    if not records:
        raise NotFound(
            "No grants to publish yet: 360Giving files hold at least one grant, and no call has an accepted "
            "grant among the public figures"
        )
    return records


# ------------------------------------------------------------------------- institutions

NOBODYS = "--"
"""A country no institution has: what a focal point without a country of its own sees."""


def scope_of(caller: Caller, country: str | None) -> str | None:
    """The country whose institutions the caller reviews: any for coordinators, a focal point's own only."""
    if caller.is_coordinator:
        return country
    if country is not None and country != caller.country:
        raise NotFound("No institutions of that country for you")
    return caller.country or NOBODYS


async def institutions(
    uow: UnitOfWork,
    caller: Caller,
    *,
    country: str | None,
    search: str | None,
    confirmed: bool | None,
    page: Page,
) -> Slice[InstitutionView]:
    """Institutions as matched, with their spellings and how many beneficiaries they had."""
    scope = scope_of(caller, country)
    async with uow:
        return await uow.curation.institutions(country=scope, search=search, confirmed=confirmed, page=page)


async def institution(uow: UnitOfWork, caller: Caller, institution_id: UUID) -> InstitutionView:
    async with uow:
        found = await uow.curation.institutions(
            country=scope_of(caller, None),
            search=None,
            confirmed=None,
            page=Page(1),
            institution_id=institution_id,
        )
    if not found.items:
        raise NotFound("No such institution")
    return found.items[0]


async def suggestions(uow: UnitOfWork, caller: Caller, country: str | None, page: Page) -> Slice[Suggestion]:
    """Institutions of one city whose names are alike, most alike first, for a coordinator to merge or leave apart."""
    scope = scope_of(caller, country)
    async with uow:
        pairs = await _alike(uow.curation, scope)
        shown = pairs[page.offset : page.offset + page.limit]
        names = await uow.curation.names([id_ for pair in shown for id_ in pair[:2]])
    return Slice(
        [
            Suggestion(first, names.get(first), second, names.get(second), score)
            for first, second, score in shown
        ],
        len(pairs),
        page.following(len(shown), len(pairs)),
    )


async def _alike(curation: Curation, country: str | None) -> list[tuple[UUID, UUID, float]]:
    pairs = [
        (first.institution_id, second.institution_id, score)
        for candidates in (await curation.candidates(country)).values()
        for first, second, score in suggest_duplicates(candidates, limit=MAX_SUGGESTIONS)
    ]
    pairs.sort(key=lambda pair: -pair[2])
    return pairs


async def abbreviations(
    uow: UnitOfWork, caller: Caller, country: str | None, page: Page
) -> Slice[KnownAbbreviation]:
    """The known abbreviations of institution names, per country and city."""
    scope = scope_of(caller, country)
    async with uow:
        return await uow.curation.abbreviations(scope, page)
