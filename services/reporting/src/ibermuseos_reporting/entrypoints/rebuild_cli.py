"""`ibermuseos-reporting-rebuild`: the operator's command that rebuilds every projection from the public topics."""

import argparse
import asyncio
import sys

from .. import SERVICE
from ..adapters.rebuild_target import RebuildRunning
from ..bootstrap import PUBLIC_TOPICS, run_rebuild
from ..settings import Settings

__all__ = ["PUBLIC_TOPICS", "main", "run_rebuild"]


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
