"""The unit of work: one transaction on the projection schema that serves now, and the durable tables beside it."""

from dataclasses import fields
from typing import Self

from ibermuseos_platform.outbox import Outbox
from ibermuseos_platform.uow import SqlAlchemyUnitOfWork
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..application.views import RebuildRun, ServingView
from .curation import SqlCuration
from .queries import MicrodataCache, SqlFigures, state
from .schemas import Serving, ensure_serving, read_serving
from .tables import rebuild_runs


class SqlStatus:
    """Which schema serves and how the last rebuild went (the `Status` port)."""

    def __init__(self, session: AsyncSession, serving: Serving) -> None:
        self._session = session
        self._serving = serving

    async def serving(self) -> ServingView:
        serving = self._serving
        built_at = (await state(self._session, serving.schema)).built_at
        return ServingView(serving.schema, serving.version, serving.current, serving.switched_at, built_at)

    async def last_rebuild(self) -> RebuildRun | None:
        table = rebuild_runs
        columns = (table.c[field.name] for field in fields(RebuildRun))
        row = (
            await self._session.execute(select(*columns).order_by(table.c.started_at.desc()).limit(1))
        ).first()
        return RebuildRun(**row._mapping) if row is not None else None


class SqlUnitOfWork(SqlAlchemyUnitOfWork):
    """Figures, curation and status read from (and decisions written beside) the schema serving when it began.

    Reporting publishes nothing, so its outbox stays empty; the platform's unit of work owns the
    transaction all the same (and an idempotent command's, when it joins one).
    """

    figures: SqlFigures
    curation: SqlCuration
    status: SqlStatus

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession] | None,
        outbox: Outbox,
        microdata: MicrodataCache,
        *,
        session: AsyncSession | None = None,
    ) -> None:
        super().__init__(sessions, outbox, session=session)
        self._sessions_of_own = sessions
        self._microdata = microdata

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        serving = await read_serving(self.session)
        if serving is None:
            serving = await self._first_schema()
        self.figures = SqlFigures(self.session, serving.schema, self._microdata)
        self.curation = SqlCuration(self.session, serving.schema)
        self.status = SqlStatus(self.session, serving)
        return self

    async def _first_schema(self) -> Serving:
        """On an empty database the first reader creates the (empty) serving schema, for every reader after it."""
        if self._sessions_of_own is None:
            return await ensure_serving(self.session)
        async with self._sessions_of_own() as session, session.begin():
            await ensure_serving(session)
        found = await read_serving(self.session)
        assert found is not None
        return found
