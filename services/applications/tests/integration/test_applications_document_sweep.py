"""Orphan documents swept on the real database with a controlled clock: documents of drafts of a call closed longer
than the retention period go (listing and bytes), and submitted applications' documents, recent drafts' and open
calls' drafts' stay."""

import uuid
from datetime import timedelta

import pytest
from ibermuseos_applications.adapters.tables import documents
from ibermuseos_applications.application import applications as submitting
from ibermuseos_applications.application import calls as calling
from ibermuseos_applications.application.applications import DocumentLimits
from ibermuseos_applications.application.sweeping import sweep_orphan_documents
from ibermuseos_applications.domain.documents import Upload
from ibermuseos_kernel.caller import Caller
from sqlalchemy import select

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
RETENTION = timedelta(days=30)


async def test_orphan_documents_go_after_the_retention_and_submitted_ones_stay(world) -> None:
    clock, uow = world.clock, world.uow
    call_id = await world.open_call()
    still_open_id = await world.open_call(closes_at="2027-03-31T00:00:00Z")

    async def with_document(
        country: str, call: uuid.UUID | None = None
    ) -> tuple[Caller, uuid.UUID, uuid.UUID]:
        applicant = world.person(country)
        draft_id = await world.draft(call or call_id, applicant, country)
        document = await submitting.attach_document(
            submitting.AttachDocument(
                draft_id, Upload("cv", "cv.pdf", "application/pdf", PDF, len(PDF)), applicant
            ),
            uow(),
            clock,
            DocumentLimits(max_bytes=65536, max_documents=3),
        )
        return applicant, draft_id, document.id

    submitter, submitted_id, submitted_doc = await with_document("AR")
    await submitting.submit_application(submitting.SubmitApplication(submitted_id, submitter), uow(), clock)
    _, draft_id, draft_doc = await with_document("BR")
    # A draft of a call still open keeps its documents however long ago they were uploaded.
    _, open_draft_id, open_draft_doc = await with_document("BR", still_open_id)
    ours = {submitted_doc, draft_doc, open_draft_doc}
    closed_at = world.start + timedelta(days=1)
    clock.moment = closed_at
    await calling.close_call_early(calling.CloseCallEarly(call_id, "test", world.coordinator), uow(), clock)

    async def stored() -> set[uuid.UUID]:
        async with world.engine.connect() as connection:
            return set(await connection.scalars(select(documents.c.id).where(documents.c.id.in_(ours))))

    clock.moment = closed_at + RETENTION - timedelta(minutes=1)
    assert await sweep_orphan_documents(uow, clock, RETENTION) == 0
    assert await stored() == ours

    clock.moment = closed_at + RETENTION + timedelta(minutes=1)
    assert await sweep_orphan_documents(uow, clock, RETENTION) == 1
    assert await sweep_orphan_documents(uow, clock, RETENTION) == 0

    assert await stored() == {submitted_doc, open_draft_doc}
    async with uow() as unit:
        submitted = await unit.applications.get(submitted_id)
        draft = await unit.applications.get(draft_id)
        open_draft = await unit.applications.get(open_draft_id)
    assert submitted is not None
    assert draft is not None
    assert open_draft is not None
    assert [d.id for d in submitted.documents] == [submitted_doc]
    assert draft.documents == []
    assert [d.id for d in open_draft.documents] == [open_draft_doc]
    assert draft.form.applicant.country_of_residence == "BR"  # the draft stays, without its documents
