"""Idempotent commands: a front end that retries with the same `Idempotency-Key` gets the first answer again.

The key's fate is decided in the command's own transaction: the key is claimed, the command
runs in that transaction (its unit of work joins it), and the answer is stored before the one
commit. A crash at any point either loses all three (the retry runs the command afresh) or
keeps all three (the retry gets the stored answer). A retry that arrives while the first is
still running waits on the key's row and then gets the first's answer. The same key with
another body is refused (422). Errors are not stored: a refused command changed nothing, and
its retry is judged anew.
"""

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Header
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .problems import Problem

IN_PROGRESS = 0
HEADER = "Idempotency-Key"
KEY_PATTERN = r"^[\x21-\x7e]([\x20-\x7e]{0,253}[\x21-\x7e])?$"
"""1 to 255 visible ASCII characters (spaces inside only), as a header can carry them unchanged."""

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        pattern=KEY_PATTERN,
        description="A key of the client's choosing (a UUID, say): a retry with the same key and body "
        "gets the first answer again instead of doing it twice",
        examples=["6f1c2d4e-0a7b-4c2e-9f1d-3b5a7c9e1f20"],
    ),
]


U = TypeVar("U")
"""The service's unit of work."""
Command = Callable[[U], Awaitable[tuple[int, Any]]]


def fingerprint(body: Any) -> str:
    """A hash of the request body, to tell a retry from a different request reusing a key."""
    return hashlib.sha256(json.dumps(jsonable_encoder(body), sort_keys=True).encode()).hexdigest()


class IdempotencyKeys(Generic[U]):
    """Runs commands at most once per caller and key; `fresh` and `joining` make the service's unit of work."""

    def __init__(
        self,
        table: Table,
        sessions: async_sessionmaker[AsyncSession],
        *,
        fresh: Callable[[], U],
        joining: Callable[[AsyncSession], U],
    ) -> None:
        self._table = table
        self._sessions = sessions
        self._fresh = fresh
        self._joining = joining

    async def run(self, *, principal: str, key: str | None, body: Any, command: Command[U]) -> JSONResponse:
        """Run `command` (given a unit of work, it returns status and JSON body) at most once per caller and key."""
        if key is None:
            status, content = await command(self._fresh())
            return JSONResponse(jsonable_encoder(content), status_code=status)
        if not re.match(KEY_PATTERN, key):
            raise Problem(400, f"{HEADER} must be 1 to 255 visible ASCII characters")
        request_hash = fingerprint(body)
        async with self._sessions() as session, session.begin():
            stored = await self._claim(session, principal, key, request_hash)
            if stored is not None:
                return stored
            status, content = await command(self._joining(session))
            encoded = jsonable_encoder(content)
            table = self._table
            await session.execute(
                update(table)
                .where(table.c.principal == principal, table.c.key == key)
                .values(status_code=status, response_body=json.dumps(encoded))
            )
        return JSONResponse(encoded, status_code=status, headers={"Idempotent-Replayed": "false"})

    async def _claim(
        self, session: AsyncSession, principal: str, key: str, request_hash: str
    ) -> JSONResponse | None:
        """Claim the key in this transaction, or the stored answer of the request that claimed it first.

        The insert waits while another transaction holds the same key, so a concurrent retry
        sees the first request's outcome: its answer if it committed, a free key if it did not.
        """
        table = self._table
        this_key = (table.c.principal == principal, table.c.key == key)
        claim = (
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
        if (await session.execute(claim)).first() is not None:
            return None
        row = (await session.execute(select(table).where(*this_key))).one()
        if row.status_code == IN_PROGRESS:
            # Only a claim committed by the former scheme (claim, command and answer apart) looks so.
            raise Problem(409, f"a request with this {HEADER} is still being processed")
        if row.request_hash != request_hash:
            raise Problem(422, f"this {HEADER} was used for a different request")
        return JSONResponse(
            json.loads(row.response_body),
            status_code=row.status_code,
            headers={"Idempotent-Replayed": "true"},
        )
