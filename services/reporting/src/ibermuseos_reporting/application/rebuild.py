"""Rebuild: replay every public topic from its start into fresh tables, then switch to them.

The old tables keep answering (and the live consumer keeps applying new events to them)
while the new ones fill. Once the rebuild has nearly caught up it takes the switch lock,
which pauses live batches, reads what is left up to the end of every partition, moves the
serving pointer and lets go. Events the live consumer then applies again are harmless:
every projection is idempotent.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ..domain.facts import Fact, FactTable, merge_facts
from ..domain.projections import project

Offsets = dict[Any, int]


class DecodedEvent(Protocol):
    @property
    def type(self) -> str: ...

    @property
    def event(self) -> Any: ...

    @property
    def time(self) -> datetime: ...


class EventSource(Protocol):
    async def end_offsets(self) -> Offsets: ...

    def remaining(self, goal: Offsets) -> int: ...

    async def next_batch(self, goal: Offsets, max_records: int) -> tuple[int, list[Any]] | None: ...


Rows = dict[FactTable, dict[tuple[Any, ...], dict[str, Any]]]


class Target(Protocol):
    """Where the new projections are written, and how they are switched in."""

    @property
    def schema(self) -> str: ...

    async def write(self, rows: Rows, events: int, last_event_time: datetime | None) -> None: ...

    def switching(self) -> AbstractAsyncContextManager[Callable[[], Awaitable[None]]]: ...


@dataclass
class Progress:
    """Events done and left, the rate, and the time left; reported every `every` seconds."""

    report: Callable[["Progress"], Awaitable[None]]
    every: float = 1.0
    done: int = 0
    total: int = 0
    started: float = 0.0
    _last: float = 0.0

    def start(self, total: int) -> None:
        self.total, self.started, self._last = total, time.monotonic(), time.monotonic()

    @property
    def elapsed(self) -> float:
        return max(time.monotonic() - self.started, 1e-9)

    @property
    def rate(self) -> float:
        return self.done / self.elapsed

    @property
    def seconds_left(self) -> float | None:
        rate = self.rate
        return max(self.total - self.done, 0) / rate if rate > 0 else None

    def line(self) -> str:
        left = self.seconds_left
        share = 100.0 * self.done / self.total if self.total else 100.0
        return f"{self.done:,} / {self.total:,} events ({share:.1f}%), {self.rate:,.0f} events/s, " + (
            f"about {left:,.0f}s left" if left is not None else "time left unknown"
        )

    async def advance(self, count: int, *, force: bool = False) -> None:
        self.done += count
        self.total = max(self.total, self.done)
        now = time.monotonic()
        if force or now - self._last >= self.every:
            self._last = now
            await self.report(self)


@dataclass(frozen=True)
class RebuildResult:
    schema: str
    events: int
    seconds: float
    skipped: int

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


async def _batches(
    source: EventSource, goal: Offsets, batch_size: int
) -> AsyncIterator[tuple[int, list[Any]]]:
    while True:
        batch = await source.next_batch(goal, batch_size)
        if batch is None:
            return
        yield batch


async def _drain(
    source: EventSource, target: Target, goal: Offsets, batch_size: int, progress: Progress
) -> None:
    """Read, project and write batch after batch; a batch is written while the next one is read and projected."""
    writing: asyncio.Task[None] | None = None
    try:
        async for read, events in _batches(source, goal, batch_size):
            facts: list[Fact] = []
            last: datetime | None = None
            for item in events:
                facts.extend(project(item.type, item.event))
                last = item.time if last is None or item.time > last else last
            rows = merge_facts(facts)
            if writing is not None:
                await writing
            writing = asyncio.create_task(target.write(rows, len(events), last))
            await progress.advance(read)
        if writing is not None:
            await writing
            writing = None
    finally:
        if writing is not None:
            writing.cancel()
            await asyncio.gather(writing, return_exceptions=True)


async def rebuild(
    source: EventSource,
    target: Target,
    progress: Progress,
    *,
    batch_size: int = 5_000,
    catch_up_rounds: int = 20,
    skipped: Callable[[], int] = lambda: 0,
) -> RebuildResult:
    """Every projection rebuilt into `target` from the start of the public topics, then switched in."""
    goal = await source.end_offsets()
    progress.start(source.remaining(goal))
    await _drain(source, target, goal, batch_size, progress)
    for _ in range(catch_up_rounds):
        goal = await source.end_offsets()
        behind = source.remaining(goal)
        if behind <= batch_size:
            break
        progress.total += behind
        await _drain(source, target, goal, batch_size, progress)
    async with target.switching() as switch:
        # Live batches are paused: whatever they applied to the old tables is on Kafka below these offsets.
        goal = await source.end_offsets()
        progress.total += source.remaining(goal)
        await _drain(source, target, goal, batch_size, progress)
        await switch()
    await progress.advance(0, force=True)
    return RebuildResult(target.schema, progress.done, progress.elapsed, skipped())
