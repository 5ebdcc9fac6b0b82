"""What every benchmark shares: where the infrastructure is, and how results are printed."""

import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass(frozen=True)
class Result:
    name: str
    items: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else float("inf")


def report(title: str, baseline: Result, results: Sequence[Result]) -> None:
    """A table of rates, each as a ratio of the raw baseline measured in the same run."""
    print(f"{title}")
    print(f"  {'what':<58} {'items':>8} {'seconds':>8} {'per second':>11} {'vs baseline':>11}")
    for result in (baseline, *results):
        ratio = result.rate / baseline.rate
        print(
            f"  {result.name:<58} {result.items:>8} {result.seconds:>8.2f} {result.rate:>11.0f} {ratio:>10.2f}x"
        )


class Stopwatch:
    def __enter__(self) -> "Stopwatch":
        self.started = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self.started


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
