"""HTTP API: aggregate figures for data consumers (public, cached, rate-limited), exact ones for focal points and coordinators."""

import csv
import io
import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from ibermuseos_contracts.types import CountryCode
from ibermuseos_platform.auth import CurrentPrincipal, Role
from sqlalchemy import text

from ..adapters.queries import SqlFigures
from ..adapters.schemas import read_serving
from ..application import figures as figures_of
from ..application.figures import NotVisible
from ..domain.disclosure import Viewer
from ..domain.figures import (
    BENEFICIARY_BREAKDOWNS,
    COURSE_BREAKDOWNS,
    GRANT_BREAKDOWNS,
    INSTITUTION_BREAKDOWNS,
    Filters,
)
from ..domain.opendata import giving_csv_rows, giving_package, iati_activity
from . import answers
from .web import (
    ContainerDep,
    OptionalPrincipal,
    cached,
    cached_bytes,
    problem,
    rate_limited,
    serving_session,
    viewer_of,
)

router = APIRouter(tags=["figures"], dependencies=[Depends(rate_limited)])

Program = Literal["training_grants", "training_courses", "mini_courses", "conversatorios"]
Language = Literal["es", "pt", "en"]
Table = Literal["beneficiaries", "institutions", "grants", "courses"]
CountryQuery = Annotated[CountryCode | None, Query(description="ISO 3166-1 alpha-2 country")]
ProgramQuery = Annotated[Program | None, Query()]
YearQuery = Annotated[int | None, Query(ge=2000, le=2100)]
LanguageQuery = Annotated[Language, Query(description="language of labels and texts")]


async def _freshness(session: Any, schema: str, c: Any) -> dict[str, Any]:
    state = await SqlFigures(session, schema).state()
    return {
        "last_event_time": state.last_event_time,
        "events_applied": state.events_applied,
        "lag_events": sum(c.lag.by_topic.values()) if c.lag.measured_at else None,
    }


def _visible(error: NotVisible) -> Exception:
    return problem(error.status, error.reason)


async def _table(
    c: Any,
    viewer: Viewer,
    table: str,
    filters: Filters,
    by: str | None,
    language: str,
) -> dict[str, Any]:
    async with serving_session(c) as (session, schema):
        source = SqlFigures(session, schema, c.microdata)
        try:
            if table == "beneficiaries":
                body = await figures_of.beneficiaries(source, viewer, filters, by, language)
            elif table == "institutions":
                body = await figures_of.institutions(source, viewer, filters, by)
            elif table == "grants":
                body = await figures_of.grants(source, viewer, filters, by or "call", language)
            else:
                body = await figures_of.courses(source, viewer, filters, by or "offering", language)
        except NotVisible as error:
            raise _visible(error) from None
        body["freshness"] = await _freshness(session, schema, c)
    return body


@router.get(
    "/figures/applications",
    summary="Applications submitted, by country of residence (protected for the public, exact for who may)",
    responses={200: {"model": answers.ApplicationsByCountry}},
)
async def applications(request: Request, c: ContainerDep, principal: OptionalPrincipal) -> Response:
    viewer = viewer_of(principal)
    async with serving_session(c) as (session, schema):
        body = await figures_of.applications_by_country(SqlFigures(session, schema, c.microdata), viewer)
    return cached(request, body, viewer, max_age=c.settings.projections.cache_seconds)


@router.get(
    "/figures/headline",
    summary="The headline: how many professionals benefited, how many institutions",
    responses={200: {"model": answers.Headline}},
)
async def headline(
    request: Request, c: ContainerDep, principal: OptionalPrincipal, lang: LanguageQuery = "es"
) -> Response:
    viewer = viewer_of(principal)
    async with serving_session(c) as (session, schema):
        body = await figures_of.headline_figures(SqlFigures(session, schema, c.microdata), viewer, lang)
        body["freshness"] = await _freshness(session, schema, c)
    return cached(request, body, viewer, max_age=c.settings.projections.cache_seconds)


BeneficiaryBy = Literal[
    "country", "program", "offering", "subject_area", "year", "gender", "institution_type", "institution"
]


@router.get(
    "/figures/beneficiaries",
    summary="Unique professionals who benefited, in total and by one breakdown",
    description=(
        "A beneficiary is a person (pseudonymous id) who completed a training or mini course, attended a "
        "conversatorio, or accepted a grant (and did not decline it); each is counted once however many programs "
        "they took part in, and once in each cell they are in. Exact for coordinators, and for a focal point's own "
        "country; for everyone else every count is protected: a sum of the microdata's class counts under fixed "
        "random rounding to base 3, consistent with every other public figure, so that a count published as r may be "
        "any true count from r - 2 to r + 2 (README, Disclosure control). Nothing is hidden. "
        "`by=institution` needs a coordinator or the focal point of the country."
    ),
    responses={200: {"model": answers.BeneficiariesTable}},
)
async def beneficiaries(
    request: Request,
    c: ContainerDep,
    principal: OptionalPrincipal,
    by: BeneficiaryBy | None = None,
    country: CountryQuery = None,
    program: ProgramQuery = None,
    year: YearQuery = None,
    lang: LanguageQuery = "es",
) -> Response:
    viewer = viewer_of(principal)
    body = await _table(c, viewer, "beneficiaries", Filters(country, program, year), by, lang)
    return cached(request, body, viewer, max_age=c.settings.projections.cache_seconds)


@router.get(
    "/figures/institutions",
    summary="Institutions reached, each counted once: directly and through replication",
    responses={200: {"model": answers.InstitutionsTable}},
)
async def institutions(
    request: Request,
    c: ContainerDep,
    principal: OptionalPrincipal,
    by: Literal["country", "institution_type", "channel"] | None = None,
    country: CountryQuery = None,
    program: ProgramQuery = None,
    year: YearQuery = None,
) -> Response:
    viewer = viewer_of(principal)
    body = await _table(c, viewer, "institutions", Filters(country, program, year), by, "es")
    return cached(request, body, viewer, max_age=c.settings.projections.cache_seconds)


@router.get(
    "/figures/grants",
    summary="Applications, eligibility, awards and amounts, by call, country or year",
    responses={200: {"model": answers.GrantsTable}},
)
async def grants(
    request: Request,
    c: ContainerDep,
    principal: OptionalPrincipal,
    by: Literal["call", "country", "year"] = "call",
    country: CountryQuery = None,
    year: YearQuery = None,
    lang: LanguageQuery = "es",
) -> Response:
    viewer = viewer_of(principal)
    body = await _table(c, viewer, "grants", Filters(country, None, year), by, lang)
    return cached(request, body, viewer, max_age=c.settings.projections.cache_seconds)


@router.get(
    "/figures/courses",
    summary="Enrolments, completion rate and hours certified, by offering, country, program or year",
    responses={200: {"model": answers.CoursesTable}},
)
async def courses(
    request: Request,
    c: ContainerDep,
    principal: OptionalPrincipal,
    by: Literal["offering", "country", "program", "year"] = "offering",
    country: CountryQuery = None,
    program: ProgramQuery = None,
    year: YearQuery = None,
    lang: LanguageQuery = "es",
) -> Response:
    viewer = viewer_of(principal)
    body = await _table(c, viewer, "courses", Filters(country, program, year), by, lang)
    return cached(request, body, viewer, max_age=c.settings.projections.cache_seconds)


def _cell(value: object) -> object:
    """A value safe to open in a spreadsheet: text that would start a formula is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(body: dict[str, Any]) -> bytes:
    rows: list[dict[str, Any]] = body["rows"]
    columns: list[str] = ["key", "label"]
    for row in rows:
        columns += [name for name in row if name not in columns and name not in ("suppressed", "protecting")]
    columns += ["suppressed", "protecting"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        values: list[object] = []
        for name in columns:
            value = row.get(name)
            if name in ("suppressed", "protecting"):
                values.append(";".join(value or []))
            elif isinstance(value, dict):
                values.append(";".join(f"{currency} {amount}" for currency, amount in value.items()))
            else:
                values.append("" if value is None else _cell(value))
        writer.writerow(values)
    return out.getvalue().encode()


@router.get(
    "/figures/{table}.csv",
    summary="A table of figures as CSV (same filters and suppression as its JSON form)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def table_csv(
    request: Request,
    c: ContainerDep,
    principal: OptionalPrincipal,
    table: Annotated[Table, Path()],
    by: Annotated[str | None, Query(max_length=40)] = None,
    country: CountryQuery = None,
    program: ProgramQuery = None,
    year: YearQuery = None,
    lang: LanguageQuery = "es",
) -> Response:
    allowed = {
        "beneficiaries": BENEFICIARY_BREAKDOWNS,
        "institutions": INSTITUTION_BREAKDOWNS,
        "grants": GRANT_BREAKDOWNS,
        "courses": COURSE_BREAKDOWNS,
    }[table]
    breakdown = by or allowed[0]
    if breakdown not in allowed:
        raise problem(
            422,
            "The request is not valid",
            [{"field": "query.by", "problem": f"one of {', '.join(allowed)}"}],
        )
    viewer = viewer_of(principal)
    body = await _table(c, viewer, table, Filters(country, program, year), breakdown, lang)
    response = cached_bytes(
        request, _csv(body), "text/csv; charset=utf-8", viewer, max_age=c.settings.projections.cache_seconds
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{table}-by-{breakdown}.csv"'
    return response


@router.get("/freshness", summary="How far behind the figures are: consumer lag and the last event applied")
async def freshness(c: ContainerDep) -> dict[str, Any]:
    async with serving_session(c) as (session, schema):
        serving = await read_serving(session)
        state = await SqlFigures(session, schema).state()
        run = (
            await session.execute(
                text(
                    "SELECT state, started_at, updated_at, finished_at, events_done, events_total, "
                    "events_per_second, error FROM rebuild_runs ORDER BY started_at DESC LIMIT 1"
                )
            )
        ).first()
    lag = c.lag
    return {
        "serving": {
            "schema": schema,
            "version": serving.version if serving else None,
            "current_version": serving.current if serving else None,
            "switched_at": serving.switched_at if serving else None,
            "built_by_rebuild_at": state.built_at,
        },
        "events_applied": state.events_applied,
        "last_event_time": state.last_event_time,
        "seconds_since_last_event": (
            round((datetime.now(UTC) - state.last_event_time).total_seconds(), 1)
            if state.last_event_time
            else None
        ),
        "consumer_lag": {
            "total": sum(lag.by_topic.values()) if lag.measured_at else None,
            "by_topic": lag.by_topic,
            "measured_at": lag.measured_at,
            "error": lag.error,
        },
        "last_rebuild": dict(run._mapping) if run is not None else None,
    }


# ------------------------------------------------------------------ country detail


@router.get(
    "/countries/{country}/report",
    summary="Exact figures of one country in finer detail: for its focal point and coordinators",
    responses={401: {"description": "no token"}, 404: {"description": "not the caller's country"}},
)
async def country_report(
    c: ContainerDep,
    principal: CurrentPrincipal,
    country: Annotated[CountryCode, Path()],
    year: YearQuery = None,
    lang: LanguageQuery = "es",
) -> dict[str, Any]:
    if not principal.has(Role.COORDINATOR, Role.FOCAL_POINT):
        raise problem(403, "Country reports are for focal points and coordinators")
    if not principal.has(Role.COORDINATOR) and principal.country != country:
        raise problem(404, "No report for that country")
    viewer = viewer_of(principal)
    filters = Filters(country, None, year)
    async with serving_session(c) as (session, schema):
        source = SqlFigures(session, schema, c.microdata)
        report: dict[str, Any] = {"country": country, "year": year}
        report["beneficiaries"] = {
            by: await figures_of.beneficiaries(source, viewer, filters, by, lang)
            for by in (
                "program",
                "year",
                "gender",
                "offering",
                "subject_area",
                "institution_type",
                "institution",
            )
        }
        report["institutions"] = {
            by: await figures_of.institutions(source, viewer, filters, by)
            for by in ("institution_type", "channel")
        }
        report["grants"] = await figures_of.grants(source, viewer, filters, "call", lang)
        report["courses"] = await figures_of.courses(source, viewer, filters, "offering", lang)
        report["freshness"] = await _freshness(session, schema, c)
    return report


# ------------------------------------------------------------------------ open data


@router.get(
    "/open-data/iati-activity.xml",
    summary="IATI 2.03 activity results: people trained by year, country and gender (aid type E01)",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}},
)
async def iati(request: Request, c: ContainerDep) -> Response:
    async with serving_session(c) as (session, schema):
        indicators = await figures_of.iati_indicators(SqlFigures(session, schema, c.microdata))
    content = iati_activity(c.publisher, indicators, datetime.now(UTC).replace(microsecond=0))
    return cached_bytes(
        request, content, "application/xml", Viewer.public(), max_age=c.settings.projections.cache_seconds
    )


async def _giving(c: Any) -> tuple[list[dict[str, Any]], datetime]:
    """The 360Giving records from the public figures; 404 while no call has a grantee to publish."""
    generated = datetime.now(UTC).replace(microsecond=0)
    async with serving_session(c) as (session, schema):
        records = await figures_of.giving_records(
            SqlFigures(session, schema, c.microdata), c.publisher, generated
        )
    if not records:
        raise problem(
            404,
            "No grants to publish yet: 360Giving files hold at least one grant, and no call has an accepted "
            "grant among the public figures",
        )
    return records, generated


@router.get(
    "/open-data/360giving.json",
    summary="360Giving grants: accepted training grants per call and country, grantees only in aggregate",
    responses={404: {"description": "no grant to publish yet (a 360Giving file holds at least one)"}},
)
async def giving_json(request: Request, c: ContainerDep) -> Response:
    records, generated = await _giving(c)
    content = json.dumps(giving_package(records, c.publisher, generated), ensure_ascii=False).encode()
    return cached_bytes(
        request, content, "application/json", Viewer.public(), max_age=c.settings.projections.cache_seconds
    )


@router.get(
    "/open-data/360giving.csv",
    summary="The 360Giving grants file as CSV, with the standard's column titles",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, 404: {"description": "no grant to publish yet"}},
)
async def giving_csv(request: Request, c: ContainerDep) -> Response:
    records, _ = await _giving(c)
    columns, rows = giving_csv_rows(records)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return cached_bytes(
        request,
        out.getvalue().encode(),
        "text/csv; charset=utf-8",
        Viewer.public(),
        max_age=c.settings.projections.cache_seconds,
    )
