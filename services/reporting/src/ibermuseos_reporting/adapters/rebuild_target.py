"""The rebuild's side of PostgreSQL: a fresh schema written over asyncpg, the switch, the record of runs."""

# ruff: noqa: S608 - the only names put into SQL are projection schemas that passed `schemas.checked`, and constants

import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg

from ..domain.projections import version
from .schemas import SWITCH_LOCK, checked, new_schema_name, schema_ddl
from .store import BulkWriter, Rows

REBUILD_LOCK = 7_240_003
"""Advisory lock held by the one rebuild that may run at a time."""


class RebuildRunning(RuntimeError):
    """Another rebuild holds the lock."""


def asyncpg_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://", 1)


class PostgresTarget:
    """A new projection schema, its writer, the rebuild's record, and the switch to it."""

    def __init__(self, writer: Any, control: Any, schema: str, run_id: uuid.UUID) -> None:
        self._writer = writer
        self._control = control
        self._schema = schema
        self._writes = BulkWriter(writer, schema)
        self.run_id = run_id
        self.switched = False

    @property
    def schema(self) -> str:
        return self._schema

    @classmethod
    @contextlib.asynccontextmanager
    async def create(cls, database_url: str) -> AsyncIterator["PostgresTarget"]:
        """A fresh schema to rebuild into; dropped again if the rebuild does not switch to it."""
        url = asyncpg_url(database_url)
        control = await asyncpg.connect(url)
        writer = await asyncpg.connect(url)
        try:
            if not await control.fetchval("SELECT pg_try_advisory_lock($1)", REBUILD_LOCK):
                raise RebuildRunning("another rebuild is running")
            schema = new_schema_name()
            async with writer.transaction():
                for statement in schema_ddl(schema):
                    await writer.execute(statement)
            run_id = uuid.uuid4()
            await control.execute(
                "INSERT INTO rebuild_runs (id, schema_name, version, state) VALUES ($1, $2, $3, 'running')",
                run_id,
                schema,
                version(),
            )
            target = cls(writer, control, schema, run_id)
            try:
                yield target
            except BaseException as error:
                await control.execute(
                    "UPDATE rebuild_runs SET state = 'failed', error = $2, finished_at = now(), updated_at = now() "
                    "WHERE id = $1",
                    run_id,
                    repr(error)[:2000],
                )
                raise
            finally:
                if not target.switched:
                    await writer.execute(f"DROP SCHEMA IF EXISTS {checked(schema)} CASCADE")
        finally:
            await writer.close()
            await control.close()

    async def write(self, rows: Rows, events: int, last_event_time: datetime | None) -> None:
        await self._writes.write(rows, events, last_event_time)

    async def report(self, done: int, total: int, rate: float) -> None:
        await self._control.execute(
            "UPDATE rebuild_runs SET events_done = $2, events_total = $3, events_per_second = $4, "
            "updated_at = now() WHERE id = $1",
            self.run_id,
            done,
            total,
            rate,
        )

    @contextlib.asynccontextmanager
    async def switching(self) -> AsyncIterator[Callable[[], Awaitable[None]]]:
        """Hold the switch lock (live batches wait); the function given moves the serving pointer."""
        transaction = self._control.transaction()
        await transaction.start()
        try:
            await self._control.execute("SELECT pg_advisory_xact_lock($1)", SWITCH_LOCK)

            async def switch() -> None:
                await self._writer.execute(
                    f"UPDATE {self._schema}.projection_state SET built_at = $1, rebuild_events = events_applied "
                    "WHERE id = 1",
                    datetime.now(UTC),
                )
                await self._control.execute(
                    "INSERT INTO serving (id, schema_name, version, switched_at) VALUES (1, $1, $2, now()) "
                    "ON CONFLICT (id) DO UPDATE SET schema_name = EXCLUDED.schema_name, "
                    "version = EXCLUDED.version, switched_at = EXCLUDED.switched_at",
                    self._schema,
                    version(),
                )
                await self._control.execute(
                    "UPDATE rebuild_runs SET state = 'switched', finished_at = now(), updated_at = now() "
                    "WHERE id = $1",
                    self.run_id,
                )

            yield switch
        except BaseException:
            await transaction.rollback()
            raise
        else:
            await transaction.commit()
            self.switched = True

    async def drop_old(self, keep: int) -> list[str]:
        """Drop projection schemas no longer serving, keeping the `keep` most recent for a roll-back."""
        rows = await self._control.fetch(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rm\\_%' ORDER BY nspname DESC"
        )
        serving = await self._control.fetchval("SELECT schema_name FROM serving")
        running = {
            row["schema_name"]
            for row in await self._control.fetch(
                "SELECT schema_name FROM rebuild_runs WHERE state = 'running'"
            )
        }
        old = [
            row["nspname"]
            for row in rows
            if row["nspname"] != serving and row["nspname"] not in running and _is_projection(row["nspname"])
        ]
        dropped = []
        for schema in sorted(old, key=_built_order, reverse=True)[keep:]:
            await self._control.execute(f"DROP SCHEMA IF EXISTS {checked(schema)} CASCADE")
            dropped.append(schema)
        return dropped


def _is_projection(name: str) -> bool:
    try:
        checked(name)
    except ValueError:
        return False
    return True


def _built_order(name: str) -> str:
    return name.rsplit("_", 1)[-1]
