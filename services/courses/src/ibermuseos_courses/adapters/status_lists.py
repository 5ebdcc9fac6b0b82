"""Status lists stored in PostgreSQL: one row per list, its published bits and its given indices as bytes.

Whoever gives an index or sets a bit holds the list's row lock until the transaction ends, so
simultaneous issues and revocations of one list happen one after another and none is lost.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.bitstring import Bitstring
from ..domain.status_lists import StatusList, StatusPurpose
from .tables import status_lists


def _status_list(row: Any) -> StatusList:
    return StatusList(
        id=row.id,
        purpose=StatusPurpose(row.purpose),
        revoked=Bitstring(row.revoked),
        allocated=Bitstring(row.allocated),
        allocated_count=row.allocated_count,
        open=row.open,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlStatusLists:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def open_for_issuing(
        self, purpose: StatusPurpose, *, size: int, new_id: Callable[[], UUID], now: datetime
    ) -> StatusList:
        """The list taking new entries, locked; created when there is none. Two transactions that
        both find none both try to create one: the unique index keeps one, the other waits and uses it."""
        query = (
            select(status_lists)
            .where(status_lists.c.purpose == purpose.value, status_lists.c.open)
            .with_for_update()
        )
        for _ in range(3):
            row = (await self._session.execute(query)).one_or_none()
            if row is not None:
                return _status_list(row)
            fresh = StatusList.new(id=new_id(), size=size, now=now)
            await self._session.execute(
                pg_insert(status_lists).values(**self._values(fresh), id=fresh.id).on_conflict_do_nothing()
            )
        raise RuntimeError("no open status list could be found or created")

    async def get(self, list_id: UUID, *, lock: bool = False) -> StatusList | None:
        query = select(status_lists).where(status_lists.c.id == list_id)
        row = (await self._session.execute(query.with_for_update() if lock else query)).one_or_none()
        return None if row is None else _status_list(row)

    async def save(self, status_list: StatusList) -> None:
        await self._session.execute(
            update(status_lists)
            .where(status_lists.c.id == status_list.id)
            .values(**self._values(status_list))
        )

    @staticmethod
    def _values(status_list: StatusList) -> dict[str, Any]:
        return {
            "purpose": status_list.purpose.value,
            "revoked": status_list.revoked.to_bytes(),
            "allocated": status_list.allocated.to_bytes(),
            "allocated_count": status_list.allocated_count,
            "open": status_list.open,
            "created_at": status_list.created_at,
            "updated_at": status_list.updated_at,
        }
