"""The folder releases before migration 0005 kept documents in, one file per document id under the id's first two
characters. Deprecated: only the move into the database reads it, and it goes in the next release."""

import asyncio
import contextlib
import re
from pathlib import Path
from uuid import UUID

_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class DocumentFolder:
    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def _path(self, document_id: UUID) -> Path:
        key = str(document_id)
        return self._folder / key[:2] / key

    def _ids(self) -> list[UUID]:
        if not self._folder.is_dir():
            return []
        return sorted(
            UUID(path.name) for path in self._folder.glob("*/*") if _ID.match(path.name) and path.is_file()
        )

    async def ids(self) -> list[UUID]:
        return await asyncio.to_thread(self._ids)

    def _read(self, document_id: UUID) -> bytes | None:
        try:
            return self._path(document_id).read_bytes()
        except FileNotFoundError:
            return None

    async def read(self, document_id: UUID) -> bytes | None:
        return await asyncio.to_thread(self._read, document_id)

    def _remove(self, document_id: UUID) -> None:
        path = self._path(document_id)
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # once its last document went

    async def remove(self, document_id: UUID) -> None:
        await asyncio.to_thread(self._remove, document_id)
