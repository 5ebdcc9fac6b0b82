"""Documents' bytes on the file system: stored by document id only, written whole, removed on request."""

import asyncio
import uuid
from pathlib import Path

import pytest
from ibermuseos_applications.adapters.storage import FilesystemStorage

pytestmark = pytest.mark.integration


async def test_a_document_is_stored_read_and_deleted_by_its_id(tmp_path: Path) -> None:
    storage = FilesystemStorage(tmp_path)
    key = str(uuid.uuid4())

    await storage.put(key, b"%PDF-1.7 content")

    assert await storage.get(key) == b"%PDF-1.7 content"
    assert await asyncio.to_thread(lambda: [p.name for p in tmp_path.rglob("*") if p.is_file()]) == [key]
    await storage.delete(key)
    with pytest.raises(FileNotFoundError):
        await storage.get(key)
    await storage.delete(key)


@pytest.mark.parametrize("key", ["../../etc/passwd", "cv.pdf", ""])
async def test_only_document_ids_are_keys(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="not a document key"):
        await FilesystemStorage(tmp_path).put(key, b"x")
