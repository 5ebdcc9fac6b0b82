"""`ibermuseos-applications-move-documents`: the operator's one-off command that moves the documents releases before
migration 0005 kept in a folder into the database. It goes, with the folder setting, in the next release."""

import argparse
import asyncio
import sys

from .. import SERVICE
from ..bootstrap import move_documents
from ..settings import Settings


def main() -> int:
    argparse.ArgumentParser(
        prog="ibermuseos-applications-move-documents",
        description=(
            "Move the documents of APPLICATIONS_STORAGE__FOLDER (deprecated) into the database: each document an "
            "application lists is stored unchanged (checked by its SHA-256), then its file is removed. Run it once "
            "the release with migration 0005 has replaced the previous one; it can run again. Settings come from "
            "the APPLICATIONS_* environment variables, as for the service."
        ),
    ).parse_args(sys.argv[1:])
    settings = Settings()
    folder = settings.storage.folder
    if not folder.is_dir():
        print(f"{SERVICE}: no folder {folder}: nothing to move", file=sys.stderr)
        return 0
    moved = asyncio.run(move_documents(settings))
    print(
        f"{SERVICE}: {moved.moved} documents moved into the database, {moved.removed} files removed from {folder}; "
        f"{moved.missing} listed documents are in neither, {moved.altered} files differ from what was uploaded, "
        f"{moved.left} files left in the folder",
        file=sys.stderr,
    )
    return 0
