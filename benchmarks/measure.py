"""What every benchmark shares: where the infrastructure is, and how results are printed."""

import math
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
QUICK = os.environ.get("BENCH_QUICK") == "1"
"""BENCH_QUICK=1: every benchmark runs briefly, to check that it works (its figures are not to be trusted)."""


@dataclass(frozen=True)
class Result:
    name: str
    items: int
    seconds: float
    cpu_seconds: float | None = None
    """CPU time this process spent (user + system), where the work ran in it: steadier than seconds on a busy machine."""

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else float("inf")

    @property
    def cpu_ms_per_item(self) -> float | None:
        return None if self.cpu_seconds is None else 1000 * self.cpu_seconds / max(1, self.items)


def report(title: str, baseline: Result, results: Sequence[Result]) -> None:
    """A table of rates and CPU per item, each as a ratio of the raw baseline measured in the same run."""
    print(f"{title}")
    print(
        f"  {'what':<58} {'items':>8} {'seconds':>8} {'per second':>11} {'vs baseline':>11}"
        f" {'CPU ms/item':>12} {'vs baseline':>11}"
    )
    for result in (baseline, *results):
        ratio = result.rate / baseline.rate
        cpu = result.cpu_ms_per_item
        raw_cpu = baseline.cpu_ms_per_item
        cpu_cells = (
            f" {cpu:>12.3f} {cpu / raw_cpu:>10.2f}x" if cpu is not None and raw_cpu else f" {'':>12} {'':>11}"
        )
        print(
            f"  {result.name:<58} {result.items:>8} {result.seconds:>8.2f} {result.rate:>11.0f} {ratio:>10.2f}x"
            + cpu_cells
        )


@dataclass(frozen=True)
class Latencies:
    """How long each event of one path took from its source's commit to its effect's, in seconds."""

    name: str
    seconds: Sequence[float]

    def percentile(self, p: float) -> float:
        """The nearest-rank percentile: the smallest latency that `p`% of the events did not exceed."""
        ordered = sorted(self.seconds)
        return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


PERCENTILES = (50, 95, 99, 100)


def report_latency(title: str, baseline: Latencies, results: Sequence[Latencies]) -> None:
    """A table of latency percentiles in milliseconds, each also as a ratio of the raw baseline's."""
    print(f"{title}")
    names = "".join(f"{'max' if p == 100 else f'p{p}':>9}" for p in PERCENTILES)
    print(f"  {'what (milliseconds)':<58} {'events':>8}{names}")
    for result in (baseline, *results):
        cells = "".join(f"{result.percentile(p) * 1000:>9.1f}" for p in PERCENTILES)
        print(f"  {result.name:<58} {len(result.seconds):>8}{cells}")
        if result is not baseline:
            ratios = "".join(f"{result.percentile(p) / baseline.percentile(p):>8.2f}x" for p in PERCENTILES)
            print(f"  {'  vs baseline':<58} {'':>8}{ratios}")


class Stopwatch:
    """Wall-clock seconds and this process's CPU seconds of what runs inside it."""

    def __enter__(self) -> "Stopwatch":
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self.started
        self.cpu = time.process_time() - self.cpu_started


async def scratch_database(hint: str) -> tuple[str, str]:
    """A new database for one benchmark run; returns (asyncpg URL, SQLAlchemy URL)."""
    name = f"bench_{hint}_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}", f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://", 1)


async def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()
