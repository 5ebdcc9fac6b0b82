"""Status lists stored in PostgreSQL: one row per list, its published bits and its given indices as bytes.

Whoever gives an index or sets a bit holds the list's row lock until the transaction ends, so
simultaneous issues and revocations of one list happen one after another and none is lost.
"""

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from ..domain.status_lists import StatusList, StatusPurpose
from . import mapping  # noqa: F401 - maps the status lists onto their table
from .tables import status_lists


class SqlStatusLists:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _one(self, query: Select[StatusList]) -> StatusList | None:
        found = await self._session.scalars(query.execution_options(populate_existing=True))
        return found.one_or_none()

    async def open_for_issuing(
        self, purpose: StatusPurpose, *, size: int, new_id: Callable[[], UUID], now: datetime
    ) -> StatusList:
        """The list taking new entries, locked; created when there is none. Two transactions that
        both find none both try to create one: the unique index keeps one, the other waits and uses it."""
        query = (
            select(StatusList).where(status_lists.c.purpose == purpose, status_lists.c.open).with_for_update()
        )
        for _ in range(3):
            found = await self._one(query)
            if found is not None:
                return found
            fresh = StatusList.new(id=new_id(), size=size, now=now)
            await self._session.execute(
                pg_insert(status_lists).values(**_columns(fresh)).on_conflict_do_nothing()
            )
        raise RuntimeError("no open status list could be found or created")

    async def get(self, list_id: UUID, *, lock: bool = False) -> StatusList | None:
        query = select(StatusList).where(status_lists.c.id == list_id)
        return await self._one(query.with_for_update() if lock else query)

    async def save(self, status_list: StatusList) -> None:
        """The bits change in place, where the session cannot see it: say so."""
        flag_modified(status_list, "revoked")
        flag_modified(status_list, "allocated")


def _columns(status_list: StatusList) -> dict[str, object]:
    return {column.name: getattr(status_list, column.name) for column in status_lists.columns}
