"""The applications service as its own process on a fresh database and topic namespace, and a client for it; and
the handlers on a migrated database with a controlled clock (`world`), with builders of calls and applications."""

import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from aiokafka import ConsumerRecord
from ibermuseos_applications.adapters.repository import UnitOfWork
from ibermuseos_applications.adapters.tables import documents, metadata
from ibermuseos_applications.application import applications as submitting
from ibermuseos_applications.application import calls as calling
from ibermuseos_applications.application import decisions, evaluation
from ibermuseos_applications.domain.applications import Status
from ibermuseos_applications.domain.calls import Call, CallTerms, PanelMember
from ibermuseos_applications.domain.forms import FormPatch
from ibermuseos_contracts import Pseudonymiser
from ibermuseos_kernel.caller import Caller, Role
from ibermuseos_platform.db import create_engine, session_factory
from ibermuseos_platform.dev_issuer import DevIssuer
from ibermuseos_platform.outbox import Outbox
from ibermuseos_platform.settings import DatabaseSettings
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.postgres import TestDatabases, migrate
from ibermuseos_platform.testing.services import Launcher, RunningService
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"

CRITERIA = [
    {"id": "relevance", "name": {"es": "Pertinencia", "pt": "Pertinência", "en": "Relevance"}, "weight": "3"},
    {"id": "impact", "name": {"es": "Impacto", "pt": "Impacto", "en": "Impact"}, "weight": "2"},
    {"id": "budget", "name": {"es": "Presupuesto", "pt": "Orçamento", "en": "Budget"}, "weight": "1"},
]


@pytest.fixture(scope="session")
def start_applications(launcher: Launcher) -> Callable[..., Awaitable[RunningService]]:
    """Starts a process of the service with the tests' settings and `settings` (APPLICATIONS_…), on a fresh
    database or on `database_url`."""

    async def start(*, database_url: str | None = None, **settings: str) -> RunningService:
        return await launcher.start(
            "applications",
            database_url=database_url,
            extra_env={
                "APPLICATIONS_STORAGE__MAX_DOCUMENT_BYTES": "65536",
                "APPLICATIONS_STORAGE__MAX_DOCUMENTS": "3",
                "APPLICATIONS_DEADLINES__CHECK_INTERVAL_SECONDS": "1",
                "APPLICATIONS_OPEN_CALLS_RATE_LIMIT__RATE_PER_SECOND": "0.05",
                "APPLICATIONS_OPEN_CALLS_RATE_LIMIT__BURST": "5",
                **settings,
            },
        )

    return start


@pytest.fixture(scope="session")
async def applications_service(
    start_applications: Callable[..., Awaitable[RunningService]], issuer: DevIssuer
) -> AsyncIterator[tuple[RunningService, DevIssuer]]:
    service = await start_applications()
    try:
        yield service, issuer
    finally:
        await service.stop()


@pytest.fixture
async def applications_replica(
    applications_service: tuple[RunningService, DevIssuer],
    start_applications: Callable[..., Awaitable[RunningService]],
    tmp_path: Path,
) -> AsyncIterator[RunningService]:
    """Another process of the service on the first one's database: an API replica, with a disk of its own (the
    folder releases before migration 0005 kept documents in)."""
    service = await start_applications(
        database_url=applications_service[0].database_url,
        APPLICATIONS_ROLES='["api"]',
        APPLICATIONS_STORAGE__FOLDER=str(tmp_path / "own-disk"),
    )
    try:
        yield service
    finally:
        await service.stop()


@dataclass
class Api:
    """Calls the running service as the people of the program; each test uses fresh subjects."""

    http: httpx.AsyncClient
    issuer: DevIssuer
    service: RunningService
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])

    def who(
        self, person: str, /, *roles: str, country: str | None = None, **claims: str | None
    ) -> dict[str, str]:
        """The bearer token of `person` with `roles`; their sign-in carries a name and a verified e-mail unless
        `claims` say otherwise (`name=None, email=None`: an identity provider that gives neither)."""
        identity = {"name": f"Persona {person}", "email": self.email(person), **claims}
        token = self.issuer.token(self.subject(person), roles=list(roles), country=country, **identity)
        return {"Authorization": f"Bearer {token}"}

    def subject(self, name: str) -> str:
        return f"{name}-{self.tag}"

    def email(self, name: str) -> str:
        """The verified e-mail address the sign-in of `name` carries."""
        return f"{self.subject(name)}@museo.example"

    @property
    def coordinator(self) -> dict[str, str]:
        return self.who("coordinator", "coordinator", country="MX")

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None, **kwargs: Any
    ) -> httpx.Response:
        return await self.http.request(method, self.service.url + path, headers=headers, **kwargs)

    async def stored_content(self, document_id: str) -> bytes | None:
        """The bytes the service's database holds for a document; None when it holds none."""
        engine = create_async_engine(self.service.database_url)
        try:
            async with engine.connect() as connection:
                content = await connection.scalar(
                    select(documents.c.content).where(documents.c.id == uuid.UUID(document_id))
                )
        finally:
            await engine.dispose()
        return None if content is None else bytes(content)

    async def ok(self, method: str, path: str, headers: dict[str, str] | None, **kwargs: Any) -> Any:
        response = await self.request(method, path, headers, **kwargs)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def terms(self, **changes: Any) -> dict[str, Any]:
        today = datetime.now(UTC).date()
        now = datetime.now(UTC)
        terms: dict[str, Any] = {
            "year": today.year,
            "title": {"es": "Becas de formación", "pt": "Bolsas de formação", "en": "Training grants"},
            "rules": {
                "es": "Bases de la convocatoria",
                "pt": "Regras da convocatória",
                "en": "Rules of the call",
            },
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=1)).isoformat(),
            "timezone": "America/Mexico_City",
            "currency": "USD",
            "budget": "12000.00",
            "max_per_grant": "2000.00",
            "eligible_residence_countries": ["AR", "BR", "CL", "CO", "MX", "PE", "UY"],
            "eligible_host_countries": ["AR", "BR", "CL", "CO", "ES", "MX", "PE", "PT", "UY"],
            "eligible_activity_kinds": ["course", "seminar", "workshop", "congress"],
            # The activities are over already, so that grantees can report within the test.
            "activities_from": (today - timedelta(days=300)).isoformat(),
            "activities_until": (today - timedelta(days=2)).isoformat(),
            "criteria": CRITERIA,
            "evaluators_per_application": 2,
        }
        return {**terms, **changes}

    async def open_call(self, **changes: Any) -> dict[str, Any]:
        call = await self.ok("POST", "/calls", self.coordinator, json=self.terms(**changes))
        return dict(await self.ok("POST", f"/calls/{call['id']}/publish", self.coordinator))

    def form(
        self, country: str = "BR", *, host: str | None = None, amount: str = "1500.00", **changes: Any
    ) -> dict[str, Any]:
        """A complete, eligible form (the activity abroad), with changes given as section__field=value; the
        applicant's name and e-mail are their sign-in's (see `who`)."""
        host = host or ("PE" if country == "MX" else "MX")
        today = datetime.now(UTC).date()
        form: dict[str, Any] = {
            "applicant": {
                "preferred_language": {"BR": "pt-BR"}.get(country, "es"),
                "role": "Conservadora",
                "country_of_residence": country,
            },
            "institution": {
                "name": f"Museo de {country}",
                "type": "museum",
                "city": "Capital",
                "country": country,
            },
            "activity": {
                "title": "Conservación preventiva de colecciones",
                "organiser": "INAH",
                "kind": "course",
                "host_country": host,
                "host_city": "Ciudad de México",
                "starts_on": (today - timedelta(days=60)).isoformat(),
                "ends_on": (today - timedelta(days=50)).isoformat(),
                "modality": "in_person",
                "link": "https://inah.example/curso",
            },
            "budget": {"travel": amount},
            "motivation": "Llevar la conservación preventiva al acervo del museo.",
            "replication_commitment": True,
        }
        for path, value in changes.items():
            section, _, name = path.partition("__")
            if name:
                form[section][name] = value
            else:
                form[section] = value
        return form

    async def apply(self, call_id: str, person: dict[str, str], form: dict[str, Any]) -> dict[str, Any]:
        draft = await self.ok("POST", f"/calls/{call_id}/applications", person, json=form)
        return dict(await self.ok("POST", f"/applications/{draft['id']}/submit", person))

    @staticmethod
    async def published(
        kafka: KafkaTestClient, topic: str, expected: Mapping[str, Sequence[str]]
    ) -> dict[str, list[ConsumerRecord[bytes, bytes]]]:
        """The records of a topic keyed by the `expected` applications, by key, once as many as expected arrived
        (and a second more, to catch what should not come)."""
        wanted = sum(len(sequence) for sequence in expected.values())
        records = await kafka.read(
            topic,
            until=lambda rs: sum(1 for r in rs if r.key is not None and r.key.decode() in expected) >= wanted,
            timeout=60,
            settle=1.0,
        )
        by_key: dict[str, list[ConsumerRecord[bytes, bytes]]] = defaultdict(list)
        for record in records:
            if record.key is not None and record.key.decode() in expected:
                by_key[record.key.decode()].append(record)
        return by_key


@pytest.fixture
async def api(applications_service: tuple[RunningService, DevIssuer]) -> AsyncIterator[Api]:
    service, issuer = applications_service
    async with httpx.AsyncClient(timeout=30) as http:
        yield Api(http, issuer, service)


@pytest.fixture
def pdf() -> bytes:
    return PDF


# ------------------------------------------------------------------ the handlers on a migrated database, by the clock

ALEMBIC = Path(__file__).resolve().parents[2] / "alembic.ini"
START = datetime(2027, 2, 15, 12, 0, tzinfo=UTC)
COORDINATOR = Caller("coordinator", frozenset({Role.COORDINATOR}), "MX")
EVALUATOR = Caller("ev-es", frozenset({Role.EVALUATOR}), "ES")
COUNTRIES = ("AR", "BR", "CL", "PE")


class Clock:
    def __init__(self) -> None:
        self.moment = START

    def now(self) -> datetime:
        return self.moment


def terms(**changes: Any) -> CallTerms:
    """A call of 3000 open in February 2027 for courses in Mexico, one criterion and one evaluator per application."""
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
            "eligible_residence_countries": list(COUNTRIES),
            "eligible_host_countries": ["MX"],
            "eligible_activity_kinds": ["course"],
            "activities_from": "2027-04-01",
            "activities_until": "2027-12-31",
            "criteria": [
                {"id": "merit", "name": {"es": "Mérito", "pt": "Mérito", "en": "Merit"}, "weight": "1"}
            ],
            "evaluators_per_application": 1,
            **changes,
        }
    )


def form(country: str) -> FormPatch:
    """A request of 1500 for a course in Mexico from someone living in `country`."""
    return FormPatch.model_validate(
        {
            "applicant": {
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


@dataclass
class World:
    """The handlers on the module's database with a clock the test moves (from `start`); builds calls and
    applications."""

    engine: AsyncEngine
    clock: Clock
    outbox: Outbox
    start: ClassVar[datetime] = START
    coordinator: ClassVar[Caller] = COORDINATOR

    def uow(self) -> UnitOfWork:
        return UnitOfWork(session_factory(self.engine), self.outbox)

    @staticmethod
    def person(name: str | int) -> Caller:
        """A participant whose sign-in carries their name and a verified e-mail."""
        subject = f"person-{name}-{uuid.uuid4().hex[:6]}"
        return Caller(
            subject, frozenset({Role.PARTICIPANT}), name="Persona", email=f"{subject}@museo.example"
        )

    async def open_call(self, **changes: Any) -> uuid.UUID:
        """A published call with `terms(**changes)`."""
        call = await calling.draft_call(
            calling.DraftCall(terms(**changes), COORDINATOR), self.uow(), self.clock
        )
        await calling.publish_call(calling.PublishCall(call.id, COORDINATOR), self.uow(), self.clock)
        return call.id

    async def draft(self, call_id: uuid.UUID, applicant: Caller, country: str = "BR") -> uuid.UUID:
        draft = await submitting.start_application(
            submitting.StartApplication(call_id, form(country), applicant), self.uow(), self.clock
        )
        return draft.application.id

    async def submit(self, call_id: uuid.UUID, applicant: Caller, country: str = "BR") -> uuid.UUID:
        application_id = await self.draft(call_id, applicant, country)
        await submitting.submit_application(
            submitting.SubmitApplication(application_id, applicant), self.uow(), self.clock
        )
        return application_id

    async def proposed_call(
        self, scores: Sequence[int], **changes: Any
    ) -> tuple[uuid.UUID, list[tuple[Caller, uuid.UUID]]]:
        """A call with one request of 1500 per score (from AR, BR, CL, PE in turn), closed early, scored by one
        evaluator as given and its awards proposed: as many awards as the budget holds, then the waitlist."""
        call_id = await self.open_call(**changes)
        applications = []
        for n, country in enumerate(COUNTRIES[: len(scores)]):
            applicant = self.person(n)
            applications.append((applicant, await self.submit(call_id, applicant, country)))
        await calling.close_call_early(
            calling.CloseCallEarly(call_id, "test", COORDINATOR), self.uow(), self.clock
        )
        await calling.register_panel(
            calling.RegisterPanel(call_id, [PanelMember(EVALUATOR.subject, "ES")], COORDINATOR),
            self.uow(),
            self.clock,
        )
        await evaluation.assign_evaluators(
            evaluation.AssignEvaluators(call_id, COORDINATOR), self.uow(), self.clock
        )
        for score, (_, application_id) in zip(scores, applications, strict=True):
            await evaluation.score_application(
                evaluation.ScoreApplication(
                    application_id, {"merit": Decimal(score)}, {"merit": "ok"}, EVALUATOR
                ),
                self.uow(),
                self.clock,
            )
        await decisions.propose_awards(
            decisions.ProposeAwards(call_id, None, 5, COORDINATOR), self.uow(), self.clock
        )
        return call_id, applications

    async def call(self, call_id: uuid.UUID) -> Call:
        async with self.uow() as uow:
            call = await uow.calls.get(call_id)
        assert call is not None
        return call

    async def status_of(self, application_id: uuid.UUID) -> Status:
        async with self.uow() as uow:
            application = await uow.applications.get(application_id)
        assert application is not None
        return application.status

    async def keys(self, event_type: str) -> list[str]:
        """The keys of the outbox rows of one event type (any test's)."""
        return [row["key"] for row in await self._outbox(event_type)]

    async def events(self, event_type: str, about: set[uuid.UUID]) -> list[dict[str, Any]]:
        """The outbox rows of one event type about the given applications."""
        keys = {str(key) for key in about}
        return [row for row in await self._outbox(event_type) if row["key"] in keys]

    async def _outbox(self, event_type: str) -> list[dict[str, Any]]:
        outbox = metadata.tables["outbox"]
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(outbox).where(outbox.c.event_type == f"org.ibermuseos.applications.{event_type}.v1")
            )
            return [dict(row._mapping) for row in rows]


@pytest.fixture(scope="module")
async def database(databases: TestDatabases) -> str:
    """A fresh, migrated database for each test module."""
    url = await databases.create("applications")
    await migrate(url, ALEMBIC)
    return url


@pytest.fixture
async def world(database: str) -> AsyncIterator[World]:
    engine = create_engine(DatabaseSettings(url=SecretStr(database), pool_size=5))
    yield World(engine, Clock(), Outbox(metadata.tables["outbox"], Pseudonymiser(b"test-pseudonym-key!")))
    await engine.dispose()
