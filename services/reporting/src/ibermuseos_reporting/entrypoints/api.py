"""HTTP API: aggregate figures for data consumers (public, cached, rate-limited), exact ones for focal points and coordinators."""

import csv
import io
import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from ibermuseos_platform.auth import OptionalCaller
from ibermuseos_platform.inputs import Country, Line

from ..application import queries
from ..application.figures import for_signed_in_only
from ..application.queries import TableName
from ..application.views import FreshnessView
from ..domain.disclosure import Viewer
from ..domain.figures import Filters
from ..domain.opendata import giving_csv_rows, giving_package, iati_activity
from . import answers
from .web import ContainerDep, Reviewer, asked_by, cached, cached_bytes, rate_limited

router = APIRouter(tags=["figures"], dependencies=[Depends(rate_limited)])

Program = Literal["training_grants", "training_courses", "mini_courses", "conversatorios"]
Language = Literal["es", "pt", "en"]
CountryQuery = Annotated[Country | None, Query(description="ISO 3166-1 alpha-2 country")]
ProgramQuery = Annotated[Program | None, Query()]
YearQuery = Annotated[int | None, Query(ge=2000, le=2100)]
LanguageQuery = Annotated[Language, Query(description="language of labels and texts")]

NEEDS_AN_EXACT_VIEWER: dict[int | str, dict[str, Any]] = {
    401: {
        "description": "The question is answered for focal points and coordinators only, and no token came"
    },
    403: {"description": "The token's roles do not see this question's figures exactly"},
    404: {"description": "A focal point asking for another country's figures in fine detail"},
}
CSV = {"text/csv": {"schema": {"type": "string"}}}
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the figures are still those of the ETag sent in If-None-Match"}
}


def _filters(country: str | None, program: str | None, year: int | None) -> Filters:
    return Filters(str(country) if country else None, program, year)


async def _table(
    c: ContainerDep, caller: OptionalCaller, table: TableName, filters: Filters, by: str | None, lang: str
) -> tuple[dict[str, Any], Viewer]:
    """A table of figures as the caller may see it; a question not answered for the public takes a token."""
    viewer = Viewer.of(await asked_by(caller, for_signed_in_only=for_signed_in_only(table, by, filters)))
    return await queries.table(c.uow(), viewer, c.lag, table, filters, by, lang), viewer


def _cached(request: Request, c: ContainerDep, body: Any, viewer: Viewer) -> Response:
    return cached(request, body, viewer, max_age=c.settings.projections.cache_seconds)


@router.get(
    "/figures/applications",
    summary="Applications submitted, by country of residence (protected for the public, exact for who may)",
    response_model=answers.ApplicationsByCountry,
    responses=NOT_MODIFIED,
)
async def applications(request: Request, c: ContainerDep, caller: OptionalCaller) -> Response:
    viewer = Viewer.of(caller)
    return _cached(request, c, await queries.applications_by_country(c.uow(), viewer), viewer)


@router.get(
    "/figures/headline",
    summary="The headline: how many professionals benefited, how many institutions",
    response_model=answers.Headline,
    responses=NOT_MODIFIED,
)
async def headline(
    request: Request, c: ContainerDep, caller: OptionalCaller, lang: LanguageQuery = "es"
) -> Response:
    viewer = Viewer.of(caller)
    return _cached(request, c, await queries.headline(c.uow(), viewer, c.lag, lang), viewer)


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
    response_model=answers.BeneficiariesTable,
    responses={**NOT_MODIFIED, **NEEDS_AN_EXACT_VIEWER},
)
async def beneficiaries(
    request: Request,
    c: ContainerDep,
    caller: OptionalCaller,
    by: BeneficiaryBy | None = None,
    country: CountryQuery = None,
    program: ProgramQuery = None,
    year: YearQuery = None,
    lang: LanguageQuery = "es",
) -> Response:
    filters = _filters(country, program, year)
    body, viewer = await _table(c, caller, "beneficiaries", filters, by, lang)
    return _cached(request, c, body, viewer)


@router.get(
    "/figures/institutions",
    summary="Institutions reached, each counted once: directly and through replication",
    description="The public sees them over the whole program; by `program` or `year` they are for focal points "
    "(their country) and coordinators.",
    response_model=answers.InstitutionsTable,
    responses={**NOT_MODIFIED, **NEEDS_AN_EXACT_VIEWER},
)
async def institutions(
    request: Request,
    c: ContainerDep,
    caller: OptionalCaller,
    by: Literal["country", "institution_type", "channel"] | None = None,
    country: CountryQuery = None,
    program: ProgramQuery = None,
    year: YearQuery = None,
) -> Response:
    filters = _filters(country, program, year)
    body, viewer = await _table(c, caller, "institutions", filters, by, "es")
    return _cached(request, c, body, viewer)


@router.get(
    "/figures/grants",
    summary="Applications, eligibility, awards and amounts, by call, country or year",
    response_model=answers.GrantsTable,
    responses=NOT_MODIFIED,
)
async def grants(
    request: Request,
    c: ContainerDep,
    caller: OptionalCaller,
    by: Literal["call", "country", "year"] = "call",
    country: CountryQuery = None,
    year: YearQuery = None,
    lang: LanguageQuery = "es",
) -> Response:
    body, viewer = await _table(c, caller, "grants", _filters(country, None, year), by, lang)
    return _cached(request, c, body, viewer)


@router.get(
    "/figures/courses",
    summary="Enrolments, completion rate and hours certified, by offering, country, program or year",
    response_model=answers.CoursesTable,
    responses=NOT_MODIFIED,
)
async def courses(
    request: Request,
    c: ContainerDep,
    caller: OptionalCaller,
    by: Literal["offering", "country", "program", "year"] = "offering",
    country: CountryQuery = None,
    program: ProgramQuery = None,
    year: YearQuery = None,
    lang: LanguageQuery = "es",
) -> Response:
    body, viewer = await _table(c, caller, "courses", _filters(country, program, year), by, lang)
    return _cached(request, c, body, viewer)


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
    summary="A table of figures as CSV (same filters and protection as its JSON form)",
    description="`by`: beneficiaries by country, program, offering, subject_area, year, gender, institution_type or "
    "institution; institutions by country, institution_type or channel; grants by call (default), country or year; "
    "courses by offering (default), country, program or year.",
    response_class=Response,
    responses={
        200: {"description": "The table, one row per cell", "content": CSV},
        **NOT_MODIFIED,
        **NEEDS_AN_EXACT_VIEWER,
    },
)
async def table_csv(
    request: Request,
    c: ContainerDep,
    caller: OptionalCaller,
    table: Annotated[TableName, Path()],
    by: Annotated[Line | None, Query(max_length=40, description="the breakdown (see above)")] = None,
    country: CountryQuery = None,
    program: ProgramQuery = None,
    year: YearQuery = None,
    lang: LanguageQuery = "es",
) -> Response:
    breakdown = queries.breakdown(table, by or queries.BREAKDOWNS[table][0])
    body, viewer = await _table(c, caller, table, _filters(country, program, year), breakdown, lang)
    response = cached_bytes(
        request, _csv(body), "text/csv; charset=utf-8", viewer, max_age=c.settings.projections.cache_seconds
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{table}-by-{breakdown}.csv"'
    return response


def _freshness_out(view: FreshnessView) -> answers.FreshnessReport:
    serving, lag, run = view.serving, view.lag, view.last_rebuild
    return answers.FreshnessReport(
        serving=answers.Serving.model_validate(
            {
                "schema": serving.schema,
                "version": serving.version,
                "current_version": serving.current,
                "switched_at": serving.switched_at,
                "built_by_rebuild_at": serving.built_by_rebuild_at,
            }
        ),
        events_applied=view.events_applied,
        last_event_time=view.last_event_time,
        seconds_since_last_event=view.seconds_since_last_event,
        consumer_lag=answers.ConsumerLag(
            total=lag.total, by_topic=lag.by_topic, measured_at=lag.measured_at, error=lag.error
        ),
        last_rebuild=answers.RebuildRun.model_validate(run, from_attributes=True) if run else None,
    )


@router.get(
    "/freshness",
    summary="How far behind the figures are: consumer lag and the last event applied",
    response_model=answers.FreshnessReport,
)
async def freshness(c: ContainerDep) -> answers.FreshnessReport:
    return _freshness_out(await queries.freshness(c.uow(), c.clock, c.lag))


# ------------------------------------------------------------------ country detail


@router.get(
    "/countries/{country}/report",
    summary="Exact figures of one country in finer detail: for its focal point and coordinators",
    response_model=answers.CountryReport,
    responses={404: {"description": "Not the caller's country"}},
)
async def country_report(
    c: ContainerDep,
    caller: Reviewer,
    country: Annotated[Country, Path()],
    year: YearQuery = None,
    lang: LanguageQuery = "es",
) -> dict[str, Any]:
    return await queries.country_report(c.uow(), caller, c.lag, str(country), year, lang)


# ------------------------------------------------------------------------ open data


@router.get(
    "/open-data/iati-activity.xml",
    summary="IATI 2.03 activity results: people trained by year, country and gender (aid type E01)",
    response_class=Response,
    responses={
        200: {
            "description": "An IATI 2.03 activity file",
            "content": {"application/xml": {"schema": {"type": "string"}}},
        },
        **NOT_MODIFIED,
    },
)
async def iati(request: Request, c: ContainerDep) -> Response:
    indicators = await queries.iati_indicators(c.uow())
    content = iati_activity(c.publisher, indicators, _now(c))
    return cached_bytes(
        request, content, "application/xml", Viewer.public(), max_age=c.settings.projections.cache_seconds
    )


def _now(c: ContainerDep) -> datetime:
    return c.clock.now().replace(microsecond=0)


NO_GRANT_YET: dict[int | str, dict[str, Any]] = {
    404: {"description": "No grant to publish yet (a 360Giving file holds at least one)"}
}


@router.get(
    "/open-data/360giving.json",
    summary="360Giving grants: accepted training grants per call and country, grantees only in aggregate",
    response_model=answers.GivingPackage,
    responses={**NOT_MODIFIED, **NO_GRANT_YET},
)
async def giving_json(request: Request, c: ContainerDep) -> Response:
    generated = _now(c)
    records = await queries.giving_records(c.uow(), c.publisher, generated)
    content = json.dumps(giving_package(records, c.publisher, generated), ensure_ascii=False).encode()
    return cached_bytes(
        request, content, "application/json", Viewer.public(), max_age=c.settings.projections.cache_seconds
    )


@router.get(
    "/open-data/360giving.csv",
    summary="The 360Giving grants file as CSV, with the standard's column titles",
    response_class=Response,
    responses={200: {"description": "The grants, one a row", "content": CSV}, **NOT_MODIFIED, **NO_GRANT_YET},
)
async def giving_csv(request: Request, c: ContainerDep) -> Response:
    records = await queries.giving_records(c.uow(), c.publisher, _now(c))
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
