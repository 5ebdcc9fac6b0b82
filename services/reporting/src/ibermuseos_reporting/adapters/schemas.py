"""Projection schemas: creating a fresh one, the pointer to the one serving, and the atomic switch.

Writers (the live consumer, a rebuild's final catch-up) and the switch agree through a
PostgreSQL advisory lock: each live batch holds it shared for its transaction, the switch
holds it exclusively while it reads the last events and moves the pointer. So no live
batch is half-applied to the old schema when the pointer moves, and every event applied
to the old schema is in the new one.
"""

# ruff: noqa: S608 - the only names put into SQL are projection schemas that passed `schemas.checked`, and constants

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.schema import CreateIndex, CreateTable

from ..domain.projections import version
from .tables import PLACEHOLDER, projection_metadata

SWITCH_LOCK = 7_240_001
"""Advisory lock: live batches hold it shared, the switch exclusively."""
CREATE_LOCK = 7_240_002
"""Advisory lock: one process at a time creates the first schema."""

_SCHEMA_NAME = re.compile(r"^rm_[a-z0-9_]{1,55}$")


class NotReady(OSError):
    """The serving projections are of another version and are being rebuilt: try again later.

    An OSError, so the platform's consumer retries the batch instead of dead-lettering it.
    """


def checked(schema: str) -> str:
    """A schema name safe to put in SQL: only ones this module makes are accepted."""
    if not _SCHEMA_NAME.match(schema):
        raise ValueError(f"{schema!r} is not a projection schema name")
    return schema


def new_schema_name(now: datetime | None = None) -> str:
    moment = now or datetime.now(UTC)
    return f"rm_{version()}_{moment.strftime('%Y%m%d%H%M%S%f')}"


def _views(schema: str) -> list[str]:
    s = checked(schema)
    return [
        f"""
        CREATE VIEW {s}.spelling_resolution AS
        SELECT sp.spelling, sp.country, sp.city, sp.city_norm, sp.name, sp.name_norm, sp.type,
               sp.quality, sp.rank, mk.matched_key, ab.name AS expanded_name,
               COALESCE(sl.institution_id, kl.institution_id, md5(mk.matched_key)::uuid) AS institution_id
        FROM {s}.spellings sp
        LEFT JOIN LATERAL (
            SELECT a.name, a.name_norm FROM public.institution_abbreviations a
            WHERE a.country = sp.country AND a.abbreviation_norm = sp.name_norm
              AND (a.city_norm = sp.city_norm OR a.city_norm = '')
            ORDER BY (a.city_norm = '') LIMIT 1
        ) ab ON true
        CROSS JOIN LATERAL (
            SELECT sp.country || '|' || sp.city_norm || '|' || COALESCE(ab.name_norm, sp.name_norm) AS matched_key
        ) mk
        LEFT JOIN public.institution_spelling_links sl ON sl.spelling = sp.spelling
        LEFT JOIN public.institution_key_links kl ON kl.matched_key = mk.matched_key
        """,
        f"""
        CREATE VIEW {s}.institutions AS
        SELECT DISTINCT ON (r.institution_id)
               r.institution_id, r.country, r.city, r.type,
               COALESCE(rv.name, CASE WHEN r.expanded_name IS NOT NULL THEN r.expanded_name ELSE r.name END) AS name,
               COALESCE(rv.confirmed, false) AS confirmed
        FROM {s}.spelling_resolution r
        LEFT JOIN public.institution_reviews rv ON rv.institution_id = r.institution_id
        ORDER BY r.institution_id, (r.expanded_name IS NULL) DESC, r.quality DESC, r.rank DESC
        """,
        f"""
        CREATE VIEW {s}.participations AS
        SELECT e.person,
               CASE e.kind WHEN 'training_course' THEN 'training_courses'
                           WHEN 'mini_course' THEN 'mini_courses'
                           WHEN 'conversatorio' THEN 'conversatorios' ELSE e.kind END AS program,
               e.offering_id::text AS offering, e.subject_area, e.year,
               COALESCE(e.country, 'ZZ') AS country, COALESCE(e.gender, 'not_given') AS gender,
               e.spelling, e.institution_type, e.enrolment_id AS source
        FROM {s}.enrolments e
        WHERE e.outcome = 'completed' AND e.person IS NOT NULL AND e.year IS NOT NULL
          AND NOT (
              EXISTS (SELECT 1 FROM {s}.certificates c WHERE c.enrolment_id = e.enrolment_id AND c.revoked_at IS NOT NULL)
              AND NOT EXISTS (SELECT 1 FROM {s}.certificates c WHERE c.enrolment_id = e.enrolment_id AND c.revoked_at IS NULL)
          )
        UNION ALL
        SELECT a.person, 'training_grants', a.call_id::text, NULL, a.call_year,
               COALESCE(a.country, 'ZZ'), COALESCE(a.gender, 'not_given'),
               a.spelling, a.institution_type, a.application_id
        FROM {s}.applications a
        WHERE a.accepted_at IS NOT NULL AND (a.declined_at IS NULL OR a.declined_at <= a.accepted_at)
          AND a.person IS NOT NULL AND a.call_year IS NOT NULL
        """,
        f"""
        CREATE VIEW {s}.replications AS
        SELECT ri.application_id, ri.call_year, ri.spelling, ri.institution_type
        FROM {s}.replication_institutions ri
        JOIN {s}.applications a ON a.application_id = ri.application_id AND a.report_at = ri.report_at
        """,
    ]


async def create_projection_schema(connection: AsyncConnection, schema: str) -> None:
    """A fresh schema with every projection table and view, empty."""
    s = checked(schema)
    translated = await connection.execution_options(schema_translate_map={PLACEHOLDER: s})
    await connection.execute(text(f"CREATE SCHEMA {s}"))
    for table in projection_metadata.sorted_tables:
        await translated.execute(CreateTable(table))
        for index in table.indexes:
            await translated.execute(CreateIndex(index))
    for view in _views(s):
        await connection.execute(text(view))
    await connection.execute(text(f"INSERT INTO {s}.projection_state (id, events_applied) VALUES (1, 0)"))


def _on(schema: str, compiled: object) -> str:
    return str(compiled).replace(f"{PLACEHOLDER}.", f"{schema}.")


def schema_ddl(schema: str) -> list[str]:
    """The statements that create a projection schema, for tools that speak plain SQL."""
    from sqlalchemy.dialects import postgresql

    s = checked(schema)
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    statements = [f"CREATE SCHEMA {s}"]
    for table in projection_metadata.sorted_tables:
        statements.append(_on(s, CreateTable(table).compile(dialect=dialect)))
        statements += [_on(s, CreateIndex(index).compile(dialect=dialect)) for index in table.indexes]
    statements += _views(s)
    statements.append(f"INSERT INTO {s}.projection_state (id, events_applied) VALUES (1, 0)")
    return statements


@dataclass(frozen=True)
class Serving:
    schema: str
    version: str
    switched_at: datetime

    @property
    def current(self) -> bool:
        return self.version == version()


async def read_serving(session: AsyncSession | AsyncConnection) -> Serving | None:
    row = (await session.execute(text("SELECT schema_name, version, switched_at FROM serving"))).first()
    return Serving(checked(row[0]), row[1], row[2]) if row is not None else None


async def ensure_serving(session: AsyncSession) -> Serving:
    """The serving schema; the first caller on an empty database creates one (empty) of this version."""
    found = await read_serving(session)
    if found is not None:
        return found
    await session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": CREATE_LOCK})
    found = await read_serving(session)
    if found is not None:
        return found
    schema = new_schema_name()
    connection = await session.connection()
    await create_projection_schema(connection, schema)
    await session.execute(
        text("INSERT INTO serving (id, schema_name, version) VALUES (1, :schema, :version)"),
        {"schema": schema, "version": version()},
    )
    return Serving(schema, version(), datetime.now(UTC))


async def schema_for_writing(session: AsyncSession) -> str:
    """The schema a live batch writes to, holding the switch lock shared until its transaction ends."""
    cached = session.info.get("reporting_schema")
    if isinstance(cached, str):
        return cached
    await session.execute(text("SELECT pg_advisory_xact_lock_shared(:lock)"), {"lock": SWITCH_LOCK})
    serving = await ensure_serving(session)
    if not serving.current:
        raise NotReady(
            f"serving projections are version {serving.version}, this code writes {version()}: "
            "waiting for the rebuild to switch"
        )
    session.info["reporting_schema"] = serving.schema
    return serving.schema


async def projection_schemas(connection: AsyncConnection | AsyncSession) -> list[str]:
    rows = await connection.execute(
        text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rm\\_%' ORDER BY nspname")
    )
    return [row[0] for row in rows if _SCHEMA_NAME.match(row[0])]
