"""The unit of work: one transaction per command, with the events it caused written to the outbox in it."""

from collections.abc import Sequence
from types import TracebackType
from typing import Protocol, Self

from ibermuseos_contracts import Event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .outbox import Outbox


class RecordsEvents(Protocol):
    """An aggregate that remembers the events it caused until the unit of work takes them."""

    def pull_events(self) -> Sequence[Event]: ...


class SqlAlchemyUnitOfWork:
    """Owns the transaction: repositories never commit, handlers commit once.

    Built from a session factory it opens and commits its own transaction; built with
    `joining` it works inside a transaction someone else owns (a Kafka consumer's batch)
    and its commit only writes the outbox.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession] | None,
        outbox: Outbox,
        *,
        session: AsyncSession | None = None,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._owned = session is None
        self._session = session
        self._seen: list[RecordsEvents] = []
        self._events: list[Event] = []

    @classmethod
    def joining(cls, session: AsyncSession, outbox: Outbox) -> Self:
        return cls(None, outbox, session=session)

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside `async with`")
        return self._session

    async def __aenter__(self) -> Self:
        if self._owned:
            assert self._sessions is not None
            self._session = self._sessions()
            await self._session.begin()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._owned and self._session is not None:
            # What it loaded stays readable as loaded: a rollback would expire it, out of reach of a session.
            self._session.expunge_all()
            await self._session.rollback()
            await self._session.close()
            self._session = None
        self._seen.clear()
        self._events.clear()

    def track(self, aggregate: RecordsEvents) -> None:
        """Collect the aggregate's events at commit."""
        if not any(seen is aggregate for seen in self._seen):
            self._seen.append(aggregate)

    def record(self, *events: Event) -> None:
        """Events that belong to no tracked aggregate."""
        self._events.extend(events)

    async def commit(self) -> None:
        events = [event for aggregate in self._seen for event in aggregate.pull_events()] + self._events
        self._events.clear()
        # Outbox rows are written last, after the aggregates' rows were locked and updated,
        # so the events of one aggregate take positions in the order their transactions commit.
        await self.session.flush()
        await self._outbox.record(self.session, events)
        if self._owned:
            await self.session.commit()
        else:
            await self.session.flush()
