"""The figures, computed from the serving projection schema when asked.

Every figure is a query over the fact tables and views (see `schemas._views`); filters
are country, program and year. Definitions are in the README; each is tested with
hand-computed values.
"""

# ruff: noqa: S608 - the only names put into SQL are projection schemas that passed `schemas.checked`, and constants

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.figures import COURSE_MEASURES, GRANT_MEASURES, Filters, State
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


BENEFICIARY_DIMENSIONS = {
    "country": "p.country",
    "program": "p.program",
    "offering": "p.offering",
    "subject_area": "COALESCE(p.subject_area, 'not_applicable')",
    "year": "p.year::text",
    "gender": "p.gender",
    "institution_type": "COALESCE(p.institution_type, 'other')",
    "institution": "r.institution_id::text",
}


def _label_join(schema: str, by: str, language: str) -> tuple[str, str]:
    s = checked(schema)
    lang = language if language in ("es", "pt", "en") else "es"
    if by == "offering":
        return (
            f"LEFT JOIN {s}.offerings o ON o.offering_id::text = f.key "
            f"LEFT JOIN {s}.calls c ON c.call_id::text = f.key",
            f"COALESCE(o.title_{lang}, c.title_{lang}, f.key)",
        )
    if by == "institution":
        return f"LEFT JOIN {s}.institutions i ON i.institution_id::text = f.key", "COALESCE(i.name, f.key)"
    return "", "f.key"


async def beneficiaries(
    session: AsyncSession, schema: str, filters: Filters, by: str | None, language: str = "es"
) -> tuple[int, list[dict[str, Any]]]:
    """Unique people who benefited (see the README), in total and per value of `by`."""
    s = checked(schema)
    conditions, params = _participation_filters(filters)
    total = (
        await session.execute(
            text(f"SELECT COUNT(DISTINCT p.person) FROM {s}.participations p {_where(conditions)}"), params
        )
    ).scalar_one()
    if by is None:
        return int(total), []
    dimension = BENEFICIARY_DIMENSIONS[by]
    join = f"JOIN {s}.spelling_resolution r ON r.spelling = p.spelling" if by == "institution" else ""
    label_join, label = _label_join(schema, by, language)
    rows = await session.execute(
        text(
            f"""
            WITH f AS (
                SELECT {dimension} AS key, COUNT(DISTINCT p.person) AS people
                FROM {s}.participations p {join} {_where(conditions)}
                GROUP BY 1
            )
            SELECT f.key, {label} AS label, f.people FROM f {label_join}
            ORDER BY f.people DESC, f.key
            """
        ),
        params,
    )
    return int(total), [{"key": row.key, "label": row.label, "people": int(row.people)} for row in rows]


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


GRANT_DIMENSIONS = {"call": "a.call_id::text", "country": "a.country", "year": "a.call_year::text"}
_ACCEPTED = "a.accepted_at IS NOT NULL AND (a.declined_at IS NULL OR a.declined_at <= a.accepted_at)"
_DECLINED = "a.declined_at IS NOT NULL AND (a.accepted_at IS NULL OR a.declined_at > a.accepted_at)"


async def grants(
    session: AsyncSession, schema: str, filters: Filters, by: str, language: str = "es"
) -> list[dict[str, Any]]:
    """Applications, eligibility, awards and amounts, per call, country or year."""
    s = checked(schema)
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if filters.country:
        conditions.append("a.country = :country")
        params["country"] = filters.country
    if filters.year is not None:
        conditions.append("a.call_year = :year")
        params["year"] = filters.year
    if filters.program and filters.program != "training_grants":
        conditions.append("false")
    dimension = GRANT_DIMENSIONS[by]
    lang = language if language in ("es", "pt", "en") else "es"
    label = f"COALESCE(c.title_{lang}, f.key)" if by == "call" else "f.key"
    label_join = f"LEFT JOIN {s}.calls c ON c.call_id::text = f.key" if by == "call" else ""
    rows = await session.execute(
        text(
            f"""
            WITH f AS (
                SELECT {dimension} AS key,
                       COUNT(*) FILTER (WHERE a.submitted_at IS NOT NULL) AS applications,
                       COUNT(*) FILTER (WHERE a.eligible) AS eligible,
                       COUNT(*) FILTER (WHERE a.eligible = false) AS ineligible,
                       COUNT(*) FILTER (WHERE a.withdrawn_at IS NOT NULL) AS withdrawn,
                       COUNT(*) FILTER (WHERE a.awarded_at IS NOT NULL) AS awarded,
                       COUNT(*) FILTER (WHERE a.waitlisted_at IS NOT NULL) AS waitlisted,
                       COUNT(*) FILTER (WHERE a.rejected_at IS NOT NULL) AS rejected,
                       COUNT(*) FILTER (WHERE {_ACCEPTED}) AS accepted,
                       COUNT(*) FILTER (WHERE {_DECLINED}) AS declined,
                       COUNT(*) FILTER (WHERE a.report_at IS NOT NULL) AS reports
                FROM {s}.applications a {_where(conditions)}
                GROUP BY 1
            )
            SELECT f.*, {label} AS label FROM f {label_join} WHERE f.key IS NOT NULL ORDER BY f.key
            """
        ),
        params,
    )
    result = {
        row.key: {"key": row.key, "label": row.label, **{m: int(getattr(row, m)) for m in GRANT_MEASURES}}
        for row in rows
    }
    amounts = await session.execute(
        text(
            f"""
            SELECT {dimension} AS key, 'awarded' AS what, a.awarded_currency AS currency, SUM(a.awarded_amount) AS amount
            FROM {s}.applications a {_where([*conditions, "a.awarded_at IS NOT NULL"])} GROUP BY 1, 3
            UNION ALL
            SELECT {dimension}, 'accepted', a.accepted_currency, SUM(a.accepted_amount)
            FROM {s}.applications a {_where([*conditions, _ACCEPTED])} GROUP BY 1, 3
            """
        ),
        params,
    )
    for row in result.values():
        row["amount_awarded"] = {}
        row["amount_accepted"] = {}
    for amount in amounts:
        if amount.key in result and amount.currency:
            result[amount.key][f"amount_{amount.what}"][amount.currency] = str(
                Decimal(amount.amount).quantize(Decimal("0.01"))
            )
    return list(result.values())


COURSE_DIMENSIONS = {
    "offering": "e.offering_id::text",
    "country": "COALESCE(e.country, 'ZZ')",
    "program": "e.kind",
    "year": "COALESCE(e.year, EXTRACT(YEAR FROM COALESCE(r.starts_at, e.enrolled_at, e.waitlisted_at))::int)::text",
}


async def courses(
    session: AsyncSession, schema: str, filters: Filters, by: str, language: str = "es"
) -> list[dict[str, Any]]:
    """Enrolments, completions, completion rate and hours certified, per offering, country, program or year."""
    s = checked(schema)
    year = COURSE_DIMENSIONS["year"]
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if filters.country:
        conditions.append("e.country = :country")
        params["country"] = filters.country
    if filters.year is not None:
        conditions.append(f"{year} = :year")
        params["year"] = str(filters.year)
    if filters.program:
        kinds = {
            "training_courses": "training_course",
            "mini_courses": "mini_course",
            "conversatorios": "conversatorio",
        }
        conditions.append("e.kind = :kind")
        params["kind"] = kinds.get(filters.program, "-")
    dimension = COURSE_DIMENSIONS[by]
    lang = language if language in ("es", "pt", "en") else "es"
    label = f"COALESCE(o.title_{lang}, f.key)" if by == "offering" else "f.key"
    label_join = f"LEFT JOIN {s}.offerings o ON o.offering_id::text = f.key" if by == "offering" else ""
    if by == "program":
        dimension = (
            "CASE e.kind WHEN 'training_course' THEN 'training_courses' WHEN 'mini_course' THEN 'mini_courses' "
            "WHEN 'conversatorio' THEN 'conversatorios' ELSE e.kind END"
        )
    rows = await session.execute(
        text(
            f"""
            WITH cert AS (
                SELECT enrolment_id, COUNT(*) AS certificates, SUM(hours) AS hours
                FROM {s}.certificates WHERE revoked_at IS NULL AND enrolment_id IS NOT NULL GROUP BY 1
            ), f AS (
                SELECT {dimension} AS key,
                       COUNT(*) FILTER (WHERE e.enrolled_at IS NOT NULL) AS enrolments,
                       COUNT(*) FILTER (WHERE e.waitlisted_at IS NOT NULL AND e.enrolled_at IS NULL) AS waitlisted,
                       COUNT(*) FILTER (WHERE e.cancelled_at IS NOT NULL AND e.cancelled_was_enrolled) AS cancellations,
                       COUNT(*) FILTER (WHERE e.outcome IS NOT NULL) AS evaluated,
                       COUNT(*) FILTER (WHERE e.outcome = 'completed') AS completed,
                       COALESCE(SUM(cert.certificates), 0)::bigint AS certificates,
                       COALESCE(SUM(cert.hours), 0) AS hours_certified
                FROM {s}.enrolments e
                LEFT JOIN {s}.runs r ON r.run_id = e.run_id
                LEFT JOIN cert ON cert.enrolment_id = e.enrolment_id
                {_where(conditions)}
                GROUP BY 1
            )
            SELECT f.*, {label} AS label FROM f {label_join} WHERE f.key IS NOT NULL ORDER BY f.key
            """
        ),
        params,
    )
    result = []
    for row in rows:
        item: dict[str, Any] = {"key": row.key, "label": row.label}
        item.update({measure: int(getattr(row, measure)) for measure in COURSE_MEASURES})
        item["completion_rate"] = round(row.completed / row.evaluated, 4) if row.evaluated else None
        item["hours_certified"] = (
            f"{Decimal(row.hours_certified).normalize():f}" if row.hours_certified else "0"
        )
        result.append(item)
    return result


async def applications_by_country(session: AsyncSession, schema: str) -> dict[str, int]:
    """Applications submitted, by the applicant's country of residence (the walking skeleton's figure)."""
    s = checked(schema)
    rows = await session.execute(
        text(
            f"SELECT country, COUNT(*) FROM {s}.applications WHERE submitted_at IS NOT NULL "
            "AND country IS NOT NULL GROUP BY country ORDER BY country"
        )
    )
    return {country: int(count) for country, count in rows}


async def countries_reached(session: AsyncSession, schema: str) -> int:
    s = checked(schema)
    return int(
        (
            await session.execute(
                text(f"SELECT COUNT(DISTINCT country) FROM {s}.participations WHERE country <> 'ZZ'")
            )
        ).scalar_one()
    )


async def state(session: AsyncSession, schema: str) -> State:
    s = checked(schema)
    row = (
        await session.execute(
            text(f"SELECT events_applied, last_event_time, built_at FROM {s}.projection_state WHERE id = 1")
        )
    ).one()
    return State(int(row.events_applied), row.last_event_time, row.built_at)


async def accepted_grants_by_call_and_country(session: AsyncSession, schema: str) -> list[Mapping[str, Any]]:
    """Accepted grants per call, country of residence and currency: what the 360Giving file aggregates."""
    s = checked(schema)
    rows = await session.execute(
        text(
            f"""
            SELECT a.call_id, a.call_year, c.title_es, c.title_en, COALESCE(a.country, 'ZZ') AS country,
                   a.accepted_currency AS currency, COUNT(*) AS grants, SUM(a.accepted_amount) AS amount,
                   MIN(a.accepted_at) AS first_accepted, MAX(a.accepted_at) AS last_accepted
            FROM {s}.applications a LEFT JOIN {s}.calls c ON c.call_id = a.call_id
            WHERE {_ACCEPTED}
            GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 2, 1, 5, 6
            """
        )
    )
    return [dict(row._mapping) for row in rows]


class SqlFigures:
    """The figures of one projection schema, read in one session (the `Figures` port)."""

    def __init__(self, session: AsyncSession, schema: str) -> None:
        self._session = session
        self.schema = checked(schema)

    async def beneficiaries(
        self, filters: Filters, by: str | None, language: str
    ) -> tuple[int, list[dict[str, Any]]]:
        return await beneficiaries(self._session, self.schema, filters, by, language)

    async def institutions(
        self, filters: Filters, by: str | None
    ) -> tuple[dict[str, int], list[dict[str, Any]]]:
        return await institutions_reached(self._session, self.schema, filters, by)

    async def grants(self, filters: Filters, by: str, language: str) -> list[dict[str, Any]]:
        return await grants(self._session, self.schema, filters, by, language)

    async def courses(self, filters: Filters, by: str, language: str) -> list[dict[str, Any]]:
        return await courses(self._session, self.schema, filters, by, language)

    async def applications_by_country(self) -> dict[str, int]:
        return await applications_by_country(self._session, self.schema)

    async def countries_reached(self) -> int:
        return await countries_reached(self._session, self.schema)

    async def state(self) -> State:
        return await state(self._session, self.schema)

    async def accepted_grants(self) -> list[Mapping[str, Any]]:
        return await accepted_grants_by_call_and_country(self._session, self.schema)
