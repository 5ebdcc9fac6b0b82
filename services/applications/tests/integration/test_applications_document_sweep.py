"""Orphan documents swept on the real database and the real storage folder, with a controlled clock: documents of
drafts of a call closed longer than the retention period go (file and row), files no application lists go once as
old, and submitted applications' documents, recent drafts' and recent files stay."""

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ibermuseos_applications.adapters.repository import UnitOfWork
from ibermuseos_applications.adapters.storage import FilesystemStorage
from ibermuseos_applications.adapters.tables import metadata
from ibermuseos_applications.application import applications as submitting
from ibermuseos_applications.application import calls as calling
from ibermuseos_applications.application.access import Actor
from ibermuseos_applications.application.applications import DocumentLimits
from ibermuseos_applications.application.sweeping import Swept, sweep_orphan_documents
from ibermuseos_applications.domain.calls import CallTerms
from ibermuseos_applications.domain.documents import Upload
from ibermuseos_applications.domain.forms import Form
from ibermuseos_contracts import Pseudonymiser
from ibermuseos_platform.db import create_engine, session_factory
from ibermuseos_platform.outbox import Outbox
from ibermuseos_platform.settings import DatabaseSettings
from ibermuseos_platform.testing.postgres import TestDatabases, migrate
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration

ALEMBIC = Path(__file__).resolve().parents[2] / "alembic.ini"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
START = datetime(2027, 2, 15, 12, 0, tzinfo=UTC)
RETENTION = timedelta(days=30)
COORDINATOR = Actor("coordinator", frozenset({"coordinator"}), "MX")


class Clock:
    def __init__(self) -> None:
        self.moment = START

    def now(self) -> datetime:
        return self.moment


@pytest.fixture(scope="module")
async def database(databases: TestDatabases) -> str:
    url = await databases.create("applications")
    await migrate(url, ALEMBIC)
    return url


@pytest.fixture
async def engine(database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(DatabaseSettings(url=SecretStr(database), pool_size=5))
    yield engine
    await engine.dispose()


def terms() -> CallTerms:
    return CallTerms.model_validate(
        {
            "year": 2027,
            "title": {"es": "Becas", "pt": "Bolsas", "en": "Grants"},
            "rules": {"es": "Bases", "pt": "Regras", "en": "Rules"},
            "opens_at": "2027-02-01T00:00:00Z",
            "closes_at": "2027-03-01T00:00:00Z",
            "timezone": "America/Mexico_City",
            "currency": "USD",
            "budget": "3000.00",
            "max_per_grant": "2000.00",
            "eligible_residence_countries": ["AR", "BR"],
            "eligible_host_countries": ["MX"],
            "eligible_activity_kinds": ["course"],
            "activities_from": "2027-04-01",
            "activities_until": "2027-12-31",
            "criteria": [
                {"id": "merit", "name": {"es": "Mérito", "pt": "Mérito", "en": "Merit"}, "weight": "1"}
            ],
            "evaluators_per_application": 1,
        }
    )


def form(country: str) -> Form:
    return Form.model_validate(
        {
            "applicant": {
                "name": "Persona",
                "email": f"{uuid.uuid4().hex[:8]}@museo.example",
                "preferred_language": "es",
                "role": "Museógrafa",
                "country_of_residence": country,
            },
            "institution": {"name": "Museo", "type": "museum", "city": "Capital", "country": country},
            "activity": {
                "title": "Curso",
                "organiser": "INAH",
                "kind": "course",
                "host_country": "MX",
                "host_city": "Oaxaca",
                "starts_on": "2027-05-01",
                "ends_on": "2027-05-10",
                "modality": "in_person",
            },
            "budget": {"travel": "1500.00"},
            "motivation": "Aprender",
            "replication_commitment": True,
        }
    )


async def test_orphan_documents_go_after_the_retention_and_submitted_ones_stay(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    clock = Clock()
    outbox = Outbox(metadata.tables["outbox"], Pseudonymiser(b"test-pseudonym-key!"))

    def uow() -> UnitOfWork:
        return UnitOfWork(session_factory(engine), outbox)

    storage = FilesystemStorage(tmp_path / "documents")
    call = await calling.draft_call(calling.DraftCall(terms(), COORDINATOR), uow(), clock)
    await calling.publish_call(calling.PublishCall(call.id, COORDINATOR), uow(), clock)

    async def with_document(country: str) -> tuple[Actor, uuid.UUID, str]:
        applicant = Actor(f"person-{country}-{uuid.uuid4().hex[:6]}", frozenset({"participant"}))
        draft = await submitting.start_application(
            submitting.StartApplication(call.id, form(country), applicant), uow(), clock
        )
        document = await submitting.attach_document(
            submitting.AttachDocument(
                draft.id, Upload("cv", "cv.pdf", "application/pdf", PDF, len(PDF)), applicant
            ),
            uow(),
            clock,
            storage,
            DocumentLimits(max_bytes=65536, max_documents=3),
        )
        return applicant, draft.id, str(document.id)

    submitter, submitted_id, submitted_doc = await with_document("AR")
    await submitting.submit_application(submitting.SubmitApplication(submitted_id, submitter), uow(), clock)
    _, draft_id, draft_doc = await with_document("BR")
    # A discarded draft whose file deletion never happened (the process stopped after the commit), and one
    # uploaded just now that no row lists yet (its commit under way): only the old one is an orphan.
    discarded_doc, in_flight_doc = str(uuid.uuid4()), str(uuid.uuid4())
    await storage.put(discarded_doc, PDF)
    await storage.put(in_flight_doc, PDF)
    old = (START - timedelta(days=40)).timestamp()
    os.utime(storage._path(discarded_doc), (old, old))
    clock.moment = START + timedelta(days=1)
    await calling.close_call_early(calling.CloseCallEarly(call.id, "test", COORDINATOR), uow(), clock)
    os.utime(storage._path(in_flight_doc), (clock.moment.timestamp(), clock.moment.timestamp()))

    def stored() -> set[str]:
        return {path.name for path in (tmp_path / "documents").glob("*/*")}

    clock.moment = START + timedelta(days=1) + RETENTION - timedelta(minutes=1)
    first = await sweep_orphan_documents(uow, storage, clock, RETENTION)
    assert first == Swept(of_drafts_of_closed_calls=0, unreferenced_files=1)
    assert stored() == {submitted_doc, draft_doc, in_flight_doc}

    clock.moment = START + timedelta(days=1) + RETENTION + timedelta(minutes=1)
    second = await sweep_orphan_documents(uow, storage, clock, RETENTION)
    third = await sweep_orphan_documents(uow, storage, clock, RETENTION)

    assert second == Swept(of_drafts_of_closed_calls=1, unreferenced_files=1)
    assert third == Swept()
    assert stored() == {submitted_doc}
    async with uow() as unit:
        submitted = await unit.applications.get(submitted_id)
        draft = await unit.applications.get(draft_id)
    assert submitted is not None
    assert draft is not None
    assert [str(d.id) for d in submitted.documents] == [submitted_doc]
    assert draft.documents == []
    assert draft.form.applicant.country_of_residence == "BR"  # the draft stays, without its documents
    assert await storage.get(submitted_doc) == PDF
