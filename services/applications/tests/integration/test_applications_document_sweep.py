"""Orphan documents swept on the real database and the real storage folder, with a controlled clock: documents of
drafts of a call closed longer than the retention period go (file and row), files no application lists go once as
old, and submitted applications' documents, recent drafts', open calls' drafts' and recent files stay."""

import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from ibermuseos_applications.adapters.storage import FilesystemStorage
from ibermuseos_applications.application import applications as submitting
from ibermuseos_applications.application import calls as calling
from ibermuseos_applications.application.applications import DocumentLimits
from ibermuseos_applications.application.sweeping import Swept, sweep_orphan_documents
from ibermuseos_applications.domain.documents import Upload
from ibermuseos_kernel.caller import Caller

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
RETENTION = timedelta(days=30)


async def test_orphan_documents_go_after_the_retention_and_submitted_ones_stay(world, tmp_path: Path) -> None:
    clock, uow = world.clock, world.uow
    storage = FilesystemStorage(tmp_path / "documents")
    call_id = await world.open_call()
    still_open_id = await world.open_call(closes_at="2027-03-31T00:00:00Z")

    async def with_document(country: str, call: uuid.UUID | None = None) -> tuple[Caller, uuid.UUID, str]:
        applicant = world.person(country)
        draft_id = await world.draft(call or call_id, applicant, country)
        document = await submitting.attach_document(
            submitting.AttachDocument(
                draft_id, Upload("cv", "cv.pdf", "application/pdf", PDF, len(PDF)), applicant
            ),
            uow(),
            clock,
            storage,
            DocumentLimits(max_bytes=65536, max_documents=3),
        )
        return applicant, draft_id, str(document.id)

    submitter, submitted_id, submitted_doc = await with_document("AR")
    await submitting.submit_application(submitting.SubmitApplication(submitted_id, submitter), uow(), clock)
    _, draft_id, draft_doc = await with_document("BR")
    # A draft of a call still open keeps its documents however long ago they were uploaded.
    _, open_draft_id, open_draft_doc = await with_document("BR", still_open_id)
    # A discarded draft whose file deletion never happened (the process stopped after the commit), and one
    # uploaded just now that no row lists yet (its commit under way): only the old one is an orphan.
    discarded_doc, in_flight_doc = str(uuid.uuid4()), str(uuid.uuid4())
    await storage.put(discarded_doc, PDF)
    await storage.put(in_flight_doc, PDF)
    old = (world.start - timedelta(days=40)).timestamp()
    os.utime(storage._path(discarded_doc), (old, old))
    closed_at = world.start + timedelta(days=1)
    clock.moment = closed_at
    await calling.close_call_early(calling.CloseCallEarly(call_id, "test", world.coordinator), uow(), clock)
    os.utime(storage._path(in_flight_doc), (clock.moment.timestamp(), clock.moment.timestamp()))

    def stored() -> set[str]:
        return {path.name for path in (tmp_path / "documents").glob("*/*")}

    clock.moment = closed_at + RETENTION - timedelta(minutes=1)
    first = await sweep_orphan_documents(uow, storage, clock, RETENTION)
    assert first == Swept(of_drafts_of_closed_calls=0, unreferenced_files=1)
    assert stored() == {submitted_doc, draft_doc, open_draft_doc, in_flight_doc}

    clock.moment = closed_at + RETENTION + timedelta(minutes=1)
    second = await sweep_orphan_documents(uow, storage, clock, RETENTION)
    third = await sweep_orphan_documents(uow, storage, clock, RETENTION)

    assert second == Swept(of_drafts_of_closed_calls=1, unreferenced_files=1)
    assert third == Swept()
    assert stored() == {submitted_doc, open_draft_doc}
    async with uow() as unit:
        submitted = await unit.applications.get(submitted_id)
        draft = await unit.applications.get(draft_id)
        open_draft = await unit.applications.get(open_draft_id)
    assert submitted is not None
    assert draft is not None
    assert open_draft is not None
    assert [str(d.id) for d in submitted.documents] == [submitted_doc]
    assert draft.documents == []
    assert [str(d.id) for d in open_draft.documents] == [open_draft_doc]
    assert draft.form.applicant.country_of_residence == "BR"  # the draft stays, without its documents
    assert await storage.get(submitted_doc) == PDF
    assert await storage.get(open_draft_doc) == PDF
