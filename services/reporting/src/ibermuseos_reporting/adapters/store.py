"""Writing facts: one upsert per table whose ON CONFLICT clause applies each column's merge policy.

The live consumer writes through SQLAlchemy inside the platform's batch transaction; a
rebuild writes with asyncpg, copying each batch into a temporary table and upserting from
it. Both use the same generated conflict clause, so both merge the same way.
"""

# ruff: noqa: S608 - the only names put into SQL are projection schemas that passed `schemas.checked`, and constants

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Table,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.facts import Fact, FactTable, Greatest, Keep, Latest, Least, merge_facts
from .schemas import checked
from .tables import PLACEHOLDER, PROJECTION_TABLES, projection_state

Rows = Mapping[FactTable, Mapping[tuple[Any, ...], Mapping[str, Any]]]


def conflict_updates(fact: FactTable, table: Table, excluded: Any) -> dict[str, ColumnElement[Any]]:
    """SET clauses of the upsert: each column merged by its policy, the same as `merge_rows`."""
    updates: dict[str, ColumnElement[Any]] = {}
    for name, column in fact.columns.items():
        old, new = table.c[name], excluded[name]
        policy = column.policy
        if isinstance(policy, Keep):
            updates[name] = func.coalesce(old, new)
        elif isinstance(policy, Greatest):
            updates[name] = func.greatest(old, new)
        elif isinstance(policy, Least):
            updates[name] = func.least(old, new)
        else:
            assert isinstance(policy, Latest)
            first = policy.by[0]
            newer = and_(
                excluded[first].is_not(None),
                or_(
                    table.c[first].is_(None),
                    tuple_(*(excluded[by] for by in policy.by)) > tuple_(*(table.c[by] for by in policy.by)),
                ),
            )
            updates[name] = case((newer, new), else_=old)
    return updates


@cache
def _upsert(fact: FactTable) -> Any:
    """The upsert of a table's rows, built once: executed with every row of a batch (executemany), its SQL
    compiled once per schema."""
    table = PROJECTION_TABLES[fact]
    statement = pg_insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(fact.key), set_=conflict_updates(fact, table, statement.excluded)
    )


_COUNT_EVENTS = (
    projection_state.update()
    .where(projection_state.c.id == 1)
    .values(
        events_applied=projection_state.c.events_applied + bindparam("events", type_=BigInteger),
        last_event_time=func.greatest(
            projection_state.c.last_event_time, bindparam("event_time", type_=DateTime(timezone=True))
        ),
    )
)


async def apply_live(
    session: AsyncSession, schema: str, facts: Iterable[Fact], event_time: datetime, *, events: int = 1
) -> None:
    """Apply the facts of `events` events (the last at `event_time`) to `schema` inside the caller's
    transaction, one statement per table, and count the events."""
    options = {"schema_translate_map": {PLACEHOLDER: checked(schema)}}
    for fact, rows in merge_facts(facts).items():
        names = fact.column_names
        await session.execute(
            _upsert(fact),
            [{name: row.get(name) for name in names} for row in rows.values()],
            execution_options=options,
        )
    await session.execute(
        _COUNT_EVENTS, {"events": events, "event_time": event_time}, execution_options=options
    )


def translated(compiled: Any, schema: str) -> str:
    """The SQL of a compiled statement on the placeholder schema, written for `schema`."""
    return str(compiled).replace(f"{PLACEHOLDER}.", f"{checked(schema)}.")


def _stage(fact: FactTable) -> str:
    return f"stage_{fact.name}"


def bulk_statements(schema: str) -> dict[FactTable, str]:
    """Per table, the SQL that upserts the staged rows of a batch into `schema`."""
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    statements: dict[FactTable, str] = {}
    for fact, table in PROJECTION_TABLES.items():
        names = fact.column_names
        # WHERE true: without it PostgreSQL would read ON CONFLICT as the ON of a join.
        source: Any = (
            select(*(literal_column(name) for name in names))
            .select_from(text(_stage(fact)))
            .where(text("true"))
        )
        statement = pg_insert(table).from_select(names, source)
        statement = statement.on_conflict_do_update(
            index_elements=list(fact.key), set_=conflict_updates(fact, table, statement.excluded)
        )
        statements[fact] = translated(statement.compile(dialect=dialect), schema)
    return statements


class BulkWriter:
    """Writes batches of facts into a projection schema over one asyncpg connection: COPY, then upsert."""

    def __init__(self, connection: Any, schema: str) -> None:
        self._connection = connection
        self._schema = checked(schema)
        self._statements = bulk_statements(schema)
        self._staged = False

    async def _create_stages(self) -> None:
        for fact in PROJECTION_TABLES:
            await self._connection.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {_stage(fact)} "
                f"(LIKE {self._schema}.{fact.name} INCLUDING DEFAULTS)"
            )
        self._staged = True

    async def write(self, rows: Rows, events: int, last_event_time: datetime | None) -> None:
        """One batch in one transaction: staged rows upserted, and the events counted."""
        if not self._staged:
            await self._create_stages()
        async with self._connection.transaction():
            for fact, by_key in rows.items():
                if not by_key:
                    continue
                names = fact.column_names
                await self._connection.copy_records_to_table(
                    _stage(fact),
                    records=[tuple(row.get(name) for name in names) for row in by_key.values()],
                    columns=names,
                )
                await self._connection.execute(self._statements[fact])
                await self._connection.execute(f"TRUNCATE {_stage(fact)}")
            await self._connection.execute(
                f"UPDATE {self._schema}.projection_state SET events_applied = events_applied + $1, "
                "last_event_time = GREATEST(last_event_time, $2) WHERE id = 1",
                events,
                last_event_time,
            )
