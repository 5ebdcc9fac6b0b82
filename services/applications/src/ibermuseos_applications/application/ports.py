"""What the handlers need from the outside world, as protocols the adapters implement."""

from datetime import datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from ..domain.applications import Application


class Applications(Protocol):
    async def add(self, application: Application) -> None: ...

    async def get(self, application_id: UUID) -> Application | None: ...


class UnitOfWork(Protocol):
    @property
    def applications(self) -> Applications: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime: ...
