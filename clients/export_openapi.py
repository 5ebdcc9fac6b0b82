"""Write each service's OpenAPI document to a folder, from the app itself (no database, no broker)."""

import importlib
import json
import os
import sys
from pathlib import Path

SERVICES = ("applications", "courses", "notifications", "reporting")


def export(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for service in SERVICES:
        prefix = service.upper()
        # Settings the app needs to be built; nothing is connected to while building it.
        os.environ.setdefault(f"{prefix}_DATABASE__URL", "postgresql+asyncpg://openapi@127.0.0.1/openapi")
        os.environ.setdefault(f"{prefix}_AUTH__JWKS_URL", "file:///dev/null")
        app = importlib.import_module(f"ibermuseos_{service}.main").create_app()
        document = app.openapi()
        (folder / f"{service}.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    export(Path(sys.argv[1]))
