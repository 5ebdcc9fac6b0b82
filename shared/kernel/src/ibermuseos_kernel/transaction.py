"""What every unit of work is, as the application layer sees it; each service's port adds its repositories."""

from types import TracebackType
from typing import Protocol, Self


class Transaction(Protocol):
    """One transaction: `async with` opens it, `commit()` keeps what was done, leaving without it undoes it."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...
