"""The applications service as its own process on a fresh database and topic namespace, and a client for it."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from ibermuseos_platform.dev_issuer import DevIssuer
from ibermuseos_platform.testing.infrastructure import Infrastructure
from ibermuseos_platform.testing.postgres import TestDatabases
from ibermuseos_platform.testing.services import RunningService, start_service

REPO = Path(__file__).resolve().parents[4]
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"

CRITERIA = [
    {"id": "relevance", "name": {"es": "Pertinencia", "pt": "Pertinência", "en": "Relevance"}, "weight": "3"},
    {"id": "impact", "name": {"es": "Impacto", "pt": "Impacto", "en": "Impact"}, "weight": "2"},
    {"id": "budget", "name": {"es": "Presupuesto", "pt": "Orçamento", "en": "Budget"}, "weight": "1"},
]


@pytest.fixture(scope="session")
async def applications_service(
    infra: Infrastructure,
    databases: TestDatabases,
    topic_prefix: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[RunningService, DevIssuer]]:
    issuer = DevIssuer(tmp_path_factory.mktemp("issuer"))
    issuer.write_key_set()
    service = await start_service(
        "applications",
        repo=REPO,
        infra=infra,
        databases=databases,
        issuer=issuer,
        topic_prefix=topic_prefix,
        logs=tmp_path_factory.mktemp("logs"),
        extra_env={
            "APPLICATIONS_STORAGE__FOLDER": str(tmp_path_factory.mktemp("documents")),
            "APPLICATIONS_STORAGE__MAX_DOCUMENT_BYTES": "65536",
            "APPLICATIONS_STORAGE__MAX_DOCUMENTS": "3",
            "APPLICATIONS_DEADLINES__CHECK_INTERVAL_SECONDS": "1",
            "APPLICATIONS_OPEN_CALLS_RATE_LIMIT__RATE_PER_SECOND": "0.05",
            "APPLICATIONS_OPEN_CALLS_RATE_LIMIT__BURST": "5",
        },
    )
    try:
        yield service, issuer
    finally:
        await service.stop()


@dataclass
class Api:
    """Calls the running service as the people of the program; each test uses fresh subjects."""

    http: httpx.AsyncClient
    issuer: DevIssuer
    service: RunningService
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])

    def who(self, name: str, *roles: str, country: str | None = None, **claims: str) -> dict[str, str]:
        token = self.issuer.token(f"{name}-{self.tag}", roles=list(roles), country=country, **claims)
        return {"Authorization": f"Bearer {token}"}

    def subject(self, name: str) -> str:
        return f"{name}-{self.tag}"

    @property
    def coordinator(self) -> dict[str, str]:
        return self.who("coordinator", "coordinator", country="MX")

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None, **kwargs: Any
    ) -> httpx.Response:
        return await self.http.request(method, self.service.url + path, headers=headers, **kwargs)

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
        """A complete, eligible form (the activity abroad), with changes given as section__field=value."""
        host = host or ("PE" if country == "MX" else "MX")
        today = datetime.now(UTC).date()
        form: dict[str, Any] = {
            "applicant": {
                "name": f"Persona de {country}",
                "email": f"persona.{country.lower()}.{uuid.uuid4().hex[:6]}@museo.example",
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


@pytest.fixture
async def api(applications_service: tuple[RunningService, DevIssuer]) -> AsyncIterator[Api]:
    service, issuer = applications_service
    async with httpx.AsyncClient(timeout=30) as http:
        yield Api(http, issuer, service)


@pytest.fixture
def pdf() -> bytes:
    return PDF
