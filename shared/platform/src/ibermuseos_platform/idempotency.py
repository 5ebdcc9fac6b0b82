"""Idempotent commands: a front end that retries with the same `Idempotency-Key` gets the first answer again.

The key is reserved before the command runs and the answer stored after, both per caller.
A retry with the same key and body replays the stored answer; the same key with another
body is refused (422); a retry while the first is still running gets 409. Natural
uniqueness in each service (one application per call and person, one enrolment per run
and person) is the backstop for a crash between the command's commit and the stored answer.
"""

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .web import Problem

IN_PROGRESS = 0
HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
ABANDONED_AFTER = timedelta(minutes=5)


def fingerprint(body: Any) -> str:
    """A hash of the request body, to tell a retry from a different request reusing a key."""
    return hashlib.sha256(json.dumps(jsonable_encoder(body), sort_keys=True).encode()).hexdigest()


class IdempotencyKeys:
    def __init__(self, table: Table, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._table = table
        self._sessions = sessions

    async def run(
        self,
        *,
        principal: str,
        key: str | None,
        body: Any,
        command: Callable[[], Awaitable[tuple[int, Any]]],
    ) -> JSONResponse:
        """Run `command` (which returns status and JSON body) at most once per caller and key."""
        if key is None:
            status, content = await command()
            return JSONResponse(jsonable_encoder(content), status_code=status)
        if not 0 < len(key) <= MAX_KEY_LENGTH:
            raise Problem(400, f"{HEADER} must have 1 to {MAX_KEY_LENGTH} characters")
        request_hash = fingerprint(body)
        stored = await self._reserve(principal, key, request_hash)
        if stored is not None:
            return stored
        try:
            status, content = await command()
        except BaseException:
            await self._release(principal, key)
            raise
        encoded = jsonable_encoder(content)
        await self._store(principal, key, status, encoded)
        return JSONResponse(encoded, status_code=status, headers={"Idempotent-Replayed": "false"})

    async def _reserve(self, principal: str, key: str, request_hash: str) -> JSONResponse | None:
        table = self._table
        async with self._sessions() as session, session.begin():
            # An attempt that died without storing its answer does not block the key for ever.
            await session.execute(
                delete(table).where(
                    table.c.principal == principal,
                    table.c.key == key,
                    table.c.status_code == IN_PROGRESS,
                    table.c.created_at < datetime.now(UTC) - ABANDONED_AFTER,
                )
            )
            inserted = await session.execute(
                pg_insert(table)
                .values(
                    principal=principal,
                    key=key,
                    request_hash=request_hash,
                    status_code=IN_PROGRESS,
                    response_body="",
                )
                .on_conflict_do_nothing()
                .returning(table.c.key)
            )
            if inserted.first() is not None:
                return None
            row = (
                await session.execute(select(table).where(table.c.principal == principal, table.c.key == key))
            ).one()
        if row.request_hash != request_hash:
            raise Problem(422, f"this {HEADER} was used for a different request")
        if row.status_code == IN_PROGRESS:
            raise Problem(
                409, f"a request with this {HEADER} is still being processed", headers={"Retry-After": "1"}
            )
        return JSONResponse(
            json.loads(row.response_body),
            status_code=row.status_code,
            headers={"Idempotent-Replayed": "true"},
        )

    async def _store(self, principal: str, key: str, status: int, body: Any) -> None:
        table = self._table
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(table)
                .where(table.c.principal == principal, table.c.key == key)
                .values(status_code=status, response_body=json.dumps(body))
            )

    async def _release(self, principal: str, key: str) -> None:
        table = self._table
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(table).where(
                    table.c.principal == principal, table.c.key == key, table.c.status_code == IN_PROGRESS
                )
            )
