"""Giving each certificate issued in a transaction its random bit of the open revocation list."""

import secrets
import uuid
from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from ..domain.status_lists import RandomBelow, StatusEntry, StatusList, StatusPurpose
from .ports import UnitOfWork


class StatusEntries:
    """Takes the open list's lock on first use and keeps it to the commit: simultaneous issues get
    their indices one after another, never the same. `save` before the commit."""

    def __init__(
        self,
        uow: UnitOfWork,
        *,
        list_size: int,
        now: datetime,
        random_below: RandomBelow = secrets.randbelow,
        new_id: Callable[[], UUID] = uuid.uuid4,
    ) -> None:
        self._uow = uow
        self._list_size = list_size
        self._now = now
        self._random_below = random_below
        self._new_id = new_id
        self._current: StatusList | None = None

    async def next(self) -> StatusEntry:
        if self._current is None or not self._current.open:
            await self.save()  # a list that just closed is saved before the next one is opened
            self._current = await self._uow.status_lists.open_for_issuing(
                StatusPurpose.REVOCATION, size=self._list_size, new_id=self._new_id, now=self._now
            )
        return self._current.allocate(self._random_below)

    async def save(self) -> None:
        if self._current is not None:
            await self._uow.status_lists.save(self._current)


async def revoke_status(uow: UnitOfWork, entry: StatusEntry | None, now: datetime) -> None:
    """Sets the revoked certificate's bit, under the list's lock, in the revocation's transaction.
    Certificates issued before status lists have no entry: nothing to set."""
    if entry is None:
        return
    status_list = await uow.status_lists.get(entry.list_id, lock=True)
    if status_list is None:
        raise LookupError(f"the status list {entry.list_id} of a certificate is missing")
    status_list.revoke(entry.index, now)
    await uow.status_lists.save(status_list)
