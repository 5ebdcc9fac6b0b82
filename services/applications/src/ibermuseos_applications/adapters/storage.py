"""Documents' bytes in a folder of the file system, one file per document id."""

import asyncio
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

_KEY = re.compile(r"^[0-9a-f-]{36}$")


class FilesystemStorage:
    """Writes are atomic (a temporary file renamed into place); keys are document ids, never user input."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError(f"not a document key: {key!r}")
        return self._folder / key[:2] / key

    def _put(self, key: str, content: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as sink:
                sink.write(content)
                sink.flush()
                os.fsync(sink.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def put(self, key: str, content: bytes) -> None:
        await asyncio.to_thread(self._put, key, content)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)

    def _stored_before(self, moment: datetime) -> list[str]:
        if not self._folder.is_dir():
            return []
        cutoff = moment.timestamp()
        return sorted(
            path.name
            for path in self._folder.glob("*/*")
            if _KEY.match(path.name) and path.is_file() and path.stat().st_mtime < cutoff
        )

    async def stored_before(self, moment: datetime) -> list[str]:
        """The keys of the documents written before `moment` (by the file's modification time)."""
        return await asyncio.to_thread(self._stored_before, moment)
