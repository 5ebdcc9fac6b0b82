"""The figures, computed from the serving projection schema when asked.

Every figure is a query over the fact tables and views (see `schemas._views`); filters
are country, program and year. Definitions are in the README; each is tested with
hand-computed values.
"""

# ruff: noqa: S608 - the only names put into SQL are projection schemas that passed `schemas.checked`, and constants

import asyncio
import time
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.disclosure import rounding_key
from ..domain.figures import Filters, State
from ..domain.microdata import Course, Grant, Microdata, Person, Record, Unit
from ..settings import DEV_DISCLOSURE_SECRET
from .schemas import checked


def _where(conditions: list[str]) -> str:
    return ("WHERE " + " AND ".join(conditions)) if conditions else ""


def _participation_filters(filters: Filters, alias: str = "p") -> tuple[list[str], dict[str, Any]]:
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if filters.country:
        conditions.append(f"{alias}.country = :country")
        params["country"] = filters.country
    if filters.program:
        conditions.append(f"{alias}.program = :program")
        params["program"] = filters.program
    if filters.year is not None:
        conditions.append(f"{alias}.year = :year")
        params["year"] = filters.year
    return conditions, params


async def beneficiaries_by_institution(
    session: AsyncSession, schema: str, filters: Filters
) -> list[dict[str, Any]]:
    """Unique people who benefited, per institution (as matched): the fine breakdown only exact viewers see."""
    s = checked(schema)
    conditions, params = _participation_filters(filters)
    rows = await session.execute(
        text(
            f"""
            WITH f AS (
                SELECT r.institution_id::text AS key, COUNT(DISTINCT p.person) AS people
                FROM {s}.participations p JOIN {s}.spelling_resolution r ON r.spelling = p.spelling
                {_where(conditions)}
                GROUP BY 1
            )
            SELECT f.key, COALESCE(i.name, f.key) AS label, f.people
            FROM f LEFT JOIN {s}.institutions i ON i.institution_id::text = f.key
            ORDER BY f.people DESC, f.key
            """
        ),
        params,
    )
    return [{"key": row.key, "label": row.label, "people": int(row.people)} for row in rows]


async def labels(session: AsyncSession, schema: str, language: str) -> dict[str, str]:
    """The titles of offerings and calls in `language`, by id: the labels of rows keyed by them."""
    s = checked(schema)
    lang = language if language in ("es", "pt", "en") else "es"
    rows = await session.execute(
        text(
            f"SELECT offering_id::text AS key, title_{lang} AS title FROM {s}.offerings "
            f"UNION ALL SELECT call_id::text, title_{lang} FROM {s}.calls"
        )
    )
    return {row.key: row.title for row in rows if row.title}


INSTITUTION_DIMENSIONS = {"country": "i.country", "institution_type": "i.type", "channel": None}


async def institutions_reached(
    session: AsyncSession, schema: str, filters: Filters, by: str | None
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Institutions reached, each counted once: directly (beneficiaries' own) and through replication only."""
    s = checked(schema)
    conditions, params = _participation_filters(Filters(program=filters.program, year=filters.year))
    replication_conditions = []
    if filters.program and filters.program != "training_grants":
        replication_conditions.append("false")
    if filters.year is not None:
        replication_conditions.append("x.call_year = :year")
    outer = []
    if filters.country:
        outer.append("i.country = :country")
        params["country"] = filters.country
    base = f"""
        WITH reached AS (
            SELECT r.institution_id, true AS direct
            FROM {s}.participations p JOIN {s}.spelling_resolution r ON r.spelling = p.spelling
            {_where(conditions)}
            UNION ALL
            SELECT r.institution_id, false
            FROM {s}.replications x JOIN {s}.spelling_resolution r ON r.spelling = x.spelling
            {_where(replication_conditions)}
        ), per_institution AS (
            SELECT institution_id, bool_or(direct) AS direct FROM reached GROUP BY institution_id
        )
    """
    totals = (
        await session.execute(
            text(
                base
                + f"""
                SELECT COUNT(*) AS total, COUNT(*) FILTER (WHERE pi.direct) AS direct,
                       COUNT(*) FILTER (WHERE NOT pi.direct) AS replication_only
                FROM per_institution pi JOIN {s}.institutions i USING (institution_id) {_where(outer)}
                """
            ),
            params,
        )
    ).one()
    summary = {
        "total": int(totals.total),
        "direct": int(totals.direct),
        "through_replication_only": int(totals.replication_only),
    }
    if by is None:
        return summary, []
    if by == "channel":
        cells = [
            {"key": "direct", "label": "direct", "institutions": summary["direct"]},
            {
                "key": "through_replication_only",
                "label": "through_replication_only",
                "institutions": summary["through_replication_only"],
            },
        ]
        return summary, cells
    dimension = INSTITUTION_DIMENSIONS[by]
    rows = await session.execute(
        text(
            base
            + f"""
            SELECT {dimension} AS key, COUNT(*) AS institutions,
                   COUNT(*) FILTER (WHERE pi.direct) AS direct,
                   COUNT(*) FILTER (WHERE NOT pi.direct) AS through_replication_only
            FROM per_institution pi JOIN {s}.institutions i USING (institution_id) {_where(outer)}
            GROUP BY 1 ORDER BY 2 DESC, 1
            """
        ),
        params,
    )
    return summary, [
        {
            "key": row.key,
            "label": row.key,
            "institutions": int(row.institutions),
            "direct": int(row.direct),
            "through_replication_only": int(row.through_replication_only),
        }
        for row in rows
    ]


_ACCEPTED = "a.accepted_at IS NOT NULL AND (a.declined_at IS NULL OR a.declined_at <= a.accepted_at)"
_DECLINED = "a.declined_at IS NOT NULL AND (a.accepted_at IS NULL OR a.declined_at > a.accepted_at)"
_COURSE_YEAR = (
    "COALESCE(e.year, EXTRACT(YEAR FROM COALESCE(r.starts_at, e.enrolled_at, e.waitlisted_at))::int)"
)


async def units(session: AsyncSession, schema: str) -> list[Unit]:
    """What the figures about people count, as units: each beneficiary's qualifying records together, every other
    application and enrolment alone (see `domain.microdata`)."""
    s = checked(schema)
    institution = (
        "LEFT JOIN {s}.spelling_resolution sr ON sr.spelling = {alias}.spelling "
        "LEFT JOIN {s}.institutions i ON i.institution_id = sr.institution_id"
    )
    grants = await session.execute(
        text(
            f"""
            SELECT a.call_id::text AS call, a.call_year AS year, a.country, a.person,
                   a.submitted_at IS NOT NULL AS submitted, a.eligible, a.withdrawn_at IS NOT NULL AS withdrawn,
                   a.awarded_at IS NOT NULL AS awarded, a.waitlisted_at IS NOT NULL AS waitlisted,
                   a.rejected_at IS NOT NULL AS rejected, {_ACCEPTED} AS accepted, {_DECLINED} AS declined,
                   a.report_at IS NOT NULL AS report, a.awarded_currency, a.awarded_amount,
                   a.accepted_currency, a.accepted_amount, COALESCE(a.gender, 'not_given') AS gender,
                   a.institution_type, i.country AS institution_country, i.type AS institution_kind
            FROM {s}.applications a {institution.format(s=s, alias="a")}
            """
        )
    )
    courses = await session.execute(
        text(
            f"""
            WITH cert AS (
                SELECT enrolment_id, COUNT(*) FILTER (WHERE revoked_at IS NULL) AS kept,
                       COALESCE(SUM(hours) FILTER (WHERE revoked_at IS NULL), 0) AS hours,
                       COUNT(*) FILTER (WHERE revoked_at IS NOT NULL) AS revoked
                FROM {s}.certificates WHERE enrolment_id IS NOT NULL GROUP BY 1
            )
            SELECT e.offering_id::text AS offering, e.kind, {_COURSE_YEAR} AS year, e.country, e.person,
                   e.year AS completion_year, e.enrolled_at IS NOT NULL AS enrolled,
                   e.waitlisted_at IS NOT NULL AND e.enrolled_at IS NULL AS waitlisted_only,
                   e.cancelled_at IS NOT NULL AND COALESCE(e.cancelled_was_enrolled, false) AS cancelled,
                   e.outcome, COALESCE(cert.kept, 0) AS certificates, COALESCE(cert.hours, 0) AS hours,
                   COALESCE(cert.revoked, 0) AS revoked, e.subject_area, COALESCE(e.gender, 'not_given') AS gender,
                   e.institution_type, i.country AS institution_country, i.type AS institution_kind
            FROM {s}.enrolments e
            LEFT JOIN {s}.runs r ON r.run_id = e.run_id
            LEFT JOIN cert ON cert.enrolment_id = e.enrolment_id
            {institution.format(s=s, alias="e")}
            """
        )
    )
    people: dict[str, list[tuple[Record, Decimal, Decimal]]] = defaultdict(list)
    found: list[Unit] = []
    for row in grants:
        qualifying = bool(row.accepted) and row.person is not None and row.year is not None
        grant = Grant(
            row.call,
            row.year,
            row.country,
            bool(row.submitted),
            None
            if row.withdrawn
            else row.eligible,  # no figure tells the eligibility of a withdrawn application
            bool(row.withdrawn),
            bool(row.awarded),
            bool(row.waitlisted),
            bool(row.rejected),
            bool(row.accepted),
            bool(row.declined),
            bool(row.report),
            row.awarded_currency if row.awarded else None,
            row.accepted_currency if row.accepted else None,
            _person(row) if qualifying else None,
        )
        awarded = Decimal(row.awarded_amount or 0) if row.awarded else Decimal(0)
        accepted = Decimal(row.accepted_amount or 0) if row.accepted else Decimal(0)
        if qualifying:
            people[row.person].append((grant, awarded, accepted))
        else:
            found.append(Unit((grant,), (awarded,), (accepted,)))
    for row in courses:
        qualifying = (
            row.outcome == "completed"
            and row.person is not None
            and row.completion_year is not None
            and not (row.revoked and not row.certificates)
        )
        course = Course(
            row.offering,
            row.kind,
            row.year,
            row.country,
            bool(row.enrolled),
            bool(row.waitlisted_only),
            bool(row.cancelled),
            row.outcome,
            int(row.certificates),
            Decimal(row.hours).normalize() if row.hours else Decimal(0),
            row.subject_area if qualifying else None,
            _person(row) if qualifying else None,
        )
        if qualifying:
            people[row.person].append((course, Decimal(0), Decimal(0)))
        else:
            found.append(Unit((course,)))
    for records in people.values():
        found.append(
            Unit(
                tuple(record for record, _, _ in records),
                tuple(awarded for _, awarded, _ in records),
                tuple(accepted for _, _, accepted in records),
            )
        )
    return found


def _person(row: Any) -> Person:
    return Person(row.gender, row.institution_type, (row.institution_country, row.institution_kind))


async def data_version(session: AsyncSession, schema: str) -> tuple[str, int, int]:
    """What the figures of `schema` depend on: events applied to it and coordinators' decisions about institutions."""
    s = checked(schema)
    row = (
        await session.execute(
            text(
                f"SELECT (SELECT events_applied FROM {s}.projection_state WHERE id = 1) AS events, "
                "(SELECT COALESCE(MAX(id), 0) FROM curation_log) AS decisions"
            )
        )
    ).one()
    return s, int(row.events or 0), int(row.decisions)


class MicrodataCache:
    """The protected microdata of the serving schema, built again when what it depends on changed.

    Building it reads every application and enrolment (seconds for a program of a hundred thousand
    people), so while events keep arriving it is built at most once every `seconds`: the figures
    may then be that much older than the projections.
    """

    def __init__(self, secret: bytes, seconds: float = 0.0) -> None:
        self._key = rounding_key(secret)
        self._seconds = seconds
        self._version: tuple[str, int, int] | None = None
        self._data: Microdata | None = None
        self._built = 0.0
        self._lock = asyncio.Lock()

    async def of(self, session: AsyncSession, schema: str) -> Microdata:
        async with self._lock:
            if self._data is not None and time.monotonic() - self._built < self._seconds:
                return self._data
            version = await data_version(session, schema)
            if self._data is None or version != self._version:
                self._data = Microdata.of(await units(session, schema), self._key)
                self._version = version
                self._built = time.monotonic()
            return self._data


async def institution_reach(session: AsyncSession, schema: str) -> list[dict[str, Any]]:
    """Per country and type of institution, over the whole program: how many were reached directly (by a
    beneficiary) and how many through replication only."""
    s = checked(schema)
    rows = await session.execute(
        text(
            f"""
            WITH reached AS (
                SELECT r.institution_id, true AS direct
                FROM {s}.participations p JOIN {s}.spelling_resolution r ON r.spelling = p.spelling
                UNION ALL
                SELECT r.institution_id, false
                FROM {s}.replications x JOIN {s}.spelling_resolution r ON r.spelling = x.spelling
            ), per_institution AS (
                SELECT institution_id, bool_or(direct) AS direct FROM reached GROUP BY institution_id
            )
            SELECT i.country, i.type, COUNT(*) FILTER (WHERE pi.direct) AS direct,
                   COUNT(*) FILTER (WHERE NOT pi.direct) AS through_replication_only
            FROM per_institution pi JOIN {s}.institutions i USING (institution_id)
            GROUP BY 1, 2
            """
        )
    )
    return [
        {
            "country": row.country,
            "type": row.type,
            "direct": int(row.direct),
            "through_replication_only": int(row.through_replication_only),
        }
        for row in rows
    ]


async def calls(session: AsyncSession, schema: str) -> dict[str, dict[str, Any]]:
    """Each call's year, titles and the day its first grant was awarded (the award date of the open-data file)."""
    s = checked(schema)
    rows = await session.execute(
        text(
            f"""
            SELECT c.call_id::text AS call, c.year, c.title_es, c.title_en, MIN(a.awarded_at) AS first_award
            FROM {s}.calls c LEFT JOIN {s}.applications a ON a.call_id = c.call_id
            GROUP BY 1, 2, 3, 4
            """
        )
    )
    return {row.call: dict(row._mapping) for row in rows}


async def state(session: AsyncSession, schema: str) -> State:
    s = checked(schema)
    row = (
        await session.execute(
            text(f"SELECT events_applied, last_event_time, built_at FROM {s}.projection_state WHERE id = 1")
        )
    ).one()
    return State(int(row.events_applied), row.last_event_time, row.built_at)


class SqlFigures:
    """The figures of one projection schema, read in one session (the `Figures` port)."""

    def __init__(self, session: AsyncSession, schema: str, microdata: MicrodataCache | None = None) -> None:
        self._session = session
        self.schema = checked(schema)
        self._microdata = microdata or MicrodataCache(DEV_DISCLOSURE_SECRET)

    async def microdata(self) -> Microdata:
        return await self._microdata.of(self._session, self.schema)

    async def labels(self, language: str) -> dict[str, str]:
        return await labels(self._session, self.schema, language)

    async def beneficiaries_by_institution(self, filters: Filters) -> list[dict[str, Any]]:
        return await beneficiaries_by_institution(self._session, self.schema, filters)

    async def institutions(
        self, filters: Filters, by: str | None
    ) -> tuple[dict[str, int], list[dict[str, Any]]]:
        return await institutions_reached(self._session, self.schema, filters, by)

    async def institution_reach(self) -> list[dict[str, Any]]:
        return await institution_reach(self._session, self.schema)

    async def calls(self) -> dict[str, dict[str, Any]]:
        return await calls(self._session, self.schema)

    async def state(self) -> State:
        return await state(self._session, self.schema)
