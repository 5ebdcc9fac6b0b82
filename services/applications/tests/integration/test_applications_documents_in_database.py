"""Documents' bytes in the service's database, on the real PostgreSQL: stored with the application in the
transaction that attaches them, read back a slice at a time (the database reading only that slice), and the one-off
move of the folder an earlier release kept them in."""

import asyncio
import hashlib
import os
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from ibermuseos_applications.adapters.tables import documents
from ibermuseos_applications.application import applications as submitting
from ibermuseos_applications.application import queries
from ibermuseos_applications.application.applications import DocumentLimits
from ibermuseos_applications.domain.documents import Upload
from ibermuseos_applications.entrypoints.move_documents_cli import main
from ibermuseos_kernel.caller import Caller
from sqlalchemy import delete, select, text

pytestmark = pytest.mark.integration

LIMIT = 5 * 1024 * 1024
"""The service's default size limit."""
PDF = b"%PDF-1.7\n"


def pdf_of(size: int) -> bytes:
    """A PDF's first bytes, then what compressed streams look like: incompressible bytes."""
    return PDF + os.urandom(size - len(PDF))


async def attached(world: Any, content: bytes) -> tuple[Caller, uuid.UUID, uuid.UUID]:
    """An applicant, their draft, and the id of `content` attached to it."""
    applicant = world.person("ana")
    draft_id = await world.draft(await world.open_call(), applicant)
    document = await submitting.attach_document(
        submitting.AttachDocument(
            draft_id, Upload("cv", "cv.pdf", "application/pdf", content, len(content)), applicant
        ),
        world.uow(),
        world.clock,
        DocumentLimits(max_bytes=LIMIT, max_documents=3),
    )
    return applicant, draft_id, document.id


async def test_a_document_is_stored_with_its_application_and_read_back_a_slice_at_a_time(world) -> None:
    content = pdf_of(LIMIT)
    applicant, draft_id, document_id = await attached(world, content)

    async with world.engine.connect() as connection:
        row = (await connection.execute(select(documents).where(documents.c.id == document_id))).one()
    assert row.application_id == draft_id
    assert bytes(row.content) == content
    assert (row.size, row.declared_type, row.detected_type) == (LIMIT, "application/pdf", "application/pdf")
    assert row.sha256 == hashlib.sha256(content).hexdigest()
    assert row.created_at == world.clock.now()

    download = await queries.document(world.uow, applicant, draft_id, document_id)
    slices = [piece async for piece in download.content]

    assert [len(piece) for piece in slices] == [queries.DOWNLOAD_SLICE_BYTES] * 20
    assert b"".join(slices) == content


async def test_the_database_reads_only_the_slice_a_download_asks_for(world) -> None:
    _, _, document_id = await attached(world, pdf_of(LIMIT))

    async def pages_read(explained: str, **parameters: int) -> int:
        async with world.engine.connect() as connection:
            plan = await connection.scalar(
                text(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {explained}"),
                {"id": document_id, **parameters},
            )
        return int(plan[0]["Plan"]["Shared Hit Blocks"] + plan[0]["Plan"]["Shared Read Blocks"])

    async with world.engine.connect() as connection:
        storage = await connection.scalar(
            text(
                "SELECT attstorage::text FROM pg_attribute "
                "WHERE attrelid = 'documents'::regclass AND attname = 'content'"
            )
        )
    last_slice = await pages_read(
        "SELECT substring(content, :start, :length) FROM documents WHERE id = :id",
        start=LIMIT - queries.DOWNLOAD_SLICE_BYTES + 1,
        length=queries.DOWNLOAD_SLICE_BYTES,
    )
    whole = await pages_read("SELECT md5(content) FROM documents WHERE id = :id")

    assert storage == "e"  # uncompressed, out of line: a slice is fetched without the rest
    assert whole > 600  # 5 MiB in 8 KiB pages
    assert last_slice * 10 < whole, (last_slice, whole)
    print(f"pages read: {last_slice} for the last slice, {whole} for the whole")


@pytest.fixture
def move_documents(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[[Path], Awaitable[str]]:
    """`ibermuseos-applications-move-documents` with the settings operations give it; what it printed."""

    async def move(folder: Path) -> str:
        monkeypatch.setattr(sys, "argv", ["ibermuseos-applications-move-documents"])
        for name, value in {
            "ENVIRONMENT": "test",
            "DATABASE__URL": database,
            "AUTH__JWKS_URL": "file:///nowhere/jwks.json",
            "STORAGE__FOLDER": str(folder),
        }.items():
            monkeypatch.setenv(f"APPLICATIONS_{name}", value)
        assert await asyncio.to_thread(main) == 0
        return capsys.readouterr().err

    return move


async def test_the_documents_of_an_earlier_releases_folder_move_into_the_database(
    world, move_documents, tmp_path: Path
) -> None:
    folder = tmp_path / "storage"
    contents = {name: pdf_of(3000) for name in ("kept", "altered", "lost")}
    drafts = {name: await attached(world, content) for name, content in contents.items()}
    listed = {name: document_id for name, (_, _, document_id) in drafts.items()}
    # As an earlier release left them: the bytes in the folder, none in the database; one file changed since its
    # upload, one lost, and one that no application lists.
    async with world.engine.begin() as connection:
        await connection.execute(delete(documents).where(documents.c.id.in_(listed.values())))
    unlisted = uuid.uuid4()
    files = {
        listed["kept"]: contents["kept"],
        listed["altered"]: contents["altered"][:-1] + b"!",
        unlisted: pdf_of(100),
    }
    for document_id, content in files.items():
        path = folder / str(document_id)[:2] / str(document_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)

    first = await move_documents(folder)
    again = await move_documents(folder)

    assert "1 documents moved into the database, 1 files removed" in first
    assert "1 listed documents are in neither, 1 files differ from what was uploaded, 2 files left" in first
    assert "0 documents moved into the database, 0 files removed" in again
    left = sorted(path.name for path in folder.rglob("*") if path.is_file())
    assert left == sorted([str(listed["altered"]), str(unlisted)])
    download = await queries.document(world.uow, *drafts["kept"])
    assert b"".join([piece async for piece in download.content]) == contents["kept"]
    assert "nothing to move" in await move_documents(tmp_path / "never-there")
