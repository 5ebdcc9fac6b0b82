"""Time as the handlers read it: a port, so tests can set it."""

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, time zone aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
