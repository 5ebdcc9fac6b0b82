"""Run every benchmark module of this package, one after the other."""

import asyncio
import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    folder = Path(__file__).parent
    names = sorted(
        module.name for module in pkgutil.iter_modules([str(folder)]) if module.name.startswith("bench_")
    )
    wanted = sys.argv[1:]
    for name in names:
        if wanted and name not in wanted:
            continue
        print(f"\n=== {name} ===", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        asyncio.run(module.main())
    return 0


if __name__ == "__main__":
    sys.exit(main())
