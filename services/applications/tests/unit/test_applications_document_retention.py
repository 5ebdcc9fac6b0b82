"""A draft of a call closed long ago loses its documents to the retention period; a submitted application never."""

import uuid

import pytest
from ibermuseos_applications.domain.documents import DocumentRef
from ibermuseos_applications.domain.values import DocumentKind
from ibermuseos_kernel.errors import Conflict


def _document(build) -> DocumentRef:
    return DocumentRef(uuid.uuid4(), DocumentKind.CV, "cv.pdf", "application/pdf", 10, "0" * 64, build.now)


def test_a_drafts_documents_are_purged_and_the_draft_stays(build) -> None:
    call = build.call()
    draft = build.draft(call)
    document = _document(build)
    draft.attach(document, max_documents=3)

    purged = draft.purge_documents()

    assert purged == [document]
    assert draft.documents == []


def test_a_submitted_applications_documents_are_never_purged(build) -> None:
    call = build.call()
    application = build.submitted(call)

    with pytest.raises(Conflict):
        application.purge_documents()
