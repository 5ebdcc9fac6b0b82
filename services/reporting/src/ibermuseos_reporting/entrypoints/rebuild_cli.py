"""`ibermuseos-reporting-rebuild`: the operator's command that rebuilds every projection from the public topics."""

import argparse
import asyncio
import sys
from typing import TextIO

from .. import SERVICE
from ..adapters.kafka_source import PublicTopicsSource
from ..adapters.rebuild_target import PostgresTarget, RebuildRunning
from ..application.rebuild import Progress, RebuildResult, rebuild
from ..domain.projections import PROJECTIONS, handled_types, version
from ..settings import Settings

PUBLIC_TOPICS = sorted({cls.topic.public for cls in PROJECTIONS})


async def run_rebuild(
    settings: Settings, *, batch_size: int = 5_000, keep: int = 1, out: TextIO | None = None
) -> RebuildResult:
    """Rebuild into a fresh schema, switch to it, drop schemas older than the `keep` previous ones."""
    source = PublicTopicsSource(settings.kafka, PUBLIC_TOPICS, handled_types())
    await source.start()
    try:
        async with PostgresTarget.create(settings.database.url.get_secret_value()) as target:
            if out is not None:
                print(
                    f"rebuilding projections version {version()} into {target.schema} "
                    f"from {len(source.topics)} public topics",
                    file=out,
                    flush=True,
                )

            async def report(progress: Progress) -> None:
                await target.report(progress.done, progress.total, progress.rate)
                if out is not None:
                    print(f"  {progress.line()}", file=out, flush=True)

            result = await rebuild(
                source,
                target,
                Progress(report),
                batch_size=batch_size,
                skipped=lambda: source.skipped,
            )
            dropped = await target.drop_old(keep)
        if out is not None:
            print(
                f"switched to {result.schema}: {result.events:,} events in {result.seconds:,.1f}s "
                f"({result.events_per_second:,.0f} events/s), {result.skipped} unreadable skipped"
                + (f"; dropped {', '.join(dropped)}" if dropped else ""),
                file=out,
                flush=True,
            )
        return result
    finally:
        await source.stop()


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="ibermuseos-reporting-rebuild",
        description=(
            "Rebuild every reporting projection from the start of the public topics into a fresh schema, "
            "then switch the service to it; the current projections keep answering meanwhile. "
            "Settings come from the REPORTING_* environment variables, as for the service."
        ),
    )
    parser.add_argument("--batch-size", type=int, default=5_000, help="events read and written per batch")
    parser.add_argument("--keep", type=int, default=1, help="previous schemas kept for a roll-back")
    args = parser.parse_args(sys.argv[1:])
    try:
        asyncio.run(run_rebuild(Settings(), batch_size=args.batch_size, keep=args.keep, out=sys.stderr))
    except RebuildRunning as running:
        print(f"{SERVICE}: {running}", file=sys.stderr)
        return 2
    return 0
