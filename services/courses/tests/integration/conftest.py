"""The courses service as its own process on a fresh database and the session's topics, and a client for it."""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from ibermuseos_platform.dev_issuer import DevIssuer
from ibermuseos_platform.testing.browser import Chromium
from ibermuseos_platform.testing.services import Launcher, RunningService
from ibermuseos_platform.testing.waiting import eventually

# Runs close by themselves 9 seconds after their last session, checked every second.
CLOSE_AFTER_HOURS = "0.0025"


@dataclass
class CoursesApi:
    """The running service, tokens for anyone, and the few calls every test makes."""

    service: RunningService
    issuer: DevIssuer
    http: httpx.AsyncClient

    @property
    def url(self) -> str:
        return self.service.url

    def token(self, subject: str, *roles: str, country: str | None = None, **claims: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.issuer.token(subject, roles=list(roles), country=country, **claims)}"
        }

    @property
    def coordinator(self) -> dict[str, str]:
        return self.token("coordinator-1", "coordinator", country="MX")

    async def offering(self, kind: str, **overrides: Any) -> dict[str, Any]:
        body = {
            "kind": kind,
            "title": {
                "es": "Conservación preventiva",
                "pt": "Conservação preventiva",
                "en": "Preventive conservation",
            },
            "description": {"es": "Curso", "pt": "Curso", "en": "Course"},
            "subject_area": "conservation",
            "hours": "20",
            "publish": True,
            **overrides,
        }
        response = await self.http.post(f"{self.url}/offerings", json=body, headers=self.coordinator)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def run(
        self, offering_id: str, *, ends_in: timedelta = timedelta(days=30), **overrides: Any
    ) -> dict[str, Any]:
        """A run whose enrolment is open now; with a short `ends_in` its last session ends soon."""
        now = datetime.now(UTC)
        if ends_in < timedelta(hours=1):
            sessions = [
                (now - timedelta(hours=3), now - timedelta(hours=2)),
                (now - timedelta(hours=1), now - timedelta(minutes=30)),
                (now - timedelta(minutes=20), now + ends_in),
            ]
        else:
            sessions = [
                (now + ends_in - timedelta(hours=2 * i + 1), now + ends_in - timedelta(hours=2 * i))
                for i in (2, 1, 0)
            ]
        body = {
            "offering_id": offering_id,
            "sessions": [{"starts_at": s.isoformat(), "ends_at": e.isoformat()} for s, e in sessions],
            "timezone": "America/Mexico_City",
            "modality": "online",
            "language": "es",
            "capacity": 30,
            "enrolment_opens_at": (now - timedelta(days=1)).isoformat(),
            "enrolment_closes_at": (now + min(ends_in, timedelta(days=1)) - timedelta(seconds=1)).isoformat(),
            "eligible_countries": [],
            "instructors": ["instructor-1"],
            **overrides,
        }
        response = await self.http.post(f"{self.url}/runs", json=body, headers=self.coordinator)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def certificates(self, kind: str, names: Sequence[str], **offering: Any) -> list[dict[str, Any]]:
        """The certificates of `names` (from Peru), who attended every session of a run of a new `kind`
        offering that ended a few seconds ago, closed by us or by the periodic job."""
        published = await self.offering(kind, **offering)
        run = await self.run(published["id"], ends_in=timedelta(seconds=8))
        people = []
        for name in names:
            response = await self.enrol(run["id"], f"{name}-{run['id'][:8]}", "PE")
            assert response.status_code == 201, response.text
            people.append(response.json())
        for session in run["sessions"]:
            marked = await self.http.put(
                f"{self.url}/runs/{run['id']}/sessions/{session['session_id']}/attendance",
                json={"records": [{"enrolment_id": p["id"], "present": True} for p in people]},
                headers=self.coordinator,
            )
            assert marked.status_code == 200, marked.text

        async def closed() -> bool:
            response = await self.http.post(f"{self.url}/runs/{run['id']}/close", headers=self.coordinator)
            if response.status_code == 200:
                return True
            shown = await self.http.get(f"{self.url}/runs/{run['id']}", headers=self.coordinator)
            return bool(shown.json()["status"] == "closed")

        await eventually(closed, timeout=60, what="the run closed")
        listed = await self.http.get(
            f"{self.url}/certificates", params={"run_id": run["id"]}, headers=self.coordinator
        )
        certificates: list[dict[str, Any]] = listed.json()["items"]
        assert len(certificates) == len(names), certificates
        return certificates

    def participant(self, subject: str, country: str) -> dict[str, str]:
        """A participant's token, carrying their name and verified e-mail as an identity provider gives them."""
        return self.token(
            subject,
            "participant",
            country=country,
            name=f"Persona {subject}",
            email=f"{subject}@museo.example",
        )

    async def enrol(self, run_id: str, subject: str, country: str, **overrides: Any) -> httpx.Response:
        body = {
            "name": f"Persona {subject}",
            "email": f"{subject}@museo.example",
            "preferred_language": "es",
            "timezone": "America/Lima",
            "country": country,
            "institution": {"name": "Museo de Arte", "type": "museum", "city": "Lima", "country": country},
            **overrides,
        }
        return await self.http.post(
            f"{self.url}/runs/{run_id}/enrolments", json=body, headers=self.participant(subject, country)
        )


@pytest.fixture(scope="session")
async def courses_service(
    launcher: Launcher, issuer: DevIssuer
) -> AsyncIterator[tuple[RunningService, DevIssuer]]:
    service = await launcher.start(
        "courses",
        extra_env={
            "COURSES_RUNS__CLOSE_AFTER_HOURS": CLOSE_AFTER_HOURS,
            "COURSES_RUNS__CLOSE_CHECK_INTERVAL_SECONDS": "1",
            "COURSES_RUNS__LAPSE_CHECK_INTERVAL_SECONDS": "1",
            "COURSES_CERTIFICATES__PUBLIC_BASE_URL": "https://cursos.ibermuseos.example",
            "COURSES_DATABASE__POOL_SIZE": "20",
        },
    )
    try:
        yield service, issuer
    finally:
        await service.stop()


@pytest.fixture
async def api(courses_service: tuple[RunningService, DevIssuer]) -> AsyncIterator[CoursesApi]:
    service, issuer = courses_service
    limits = httpx.Limits(max_connections=250, max_keepalive_connections=50)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        yield CoursesApi(service, issuer, http)


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Chromium]:
    """Debian's headless chromium (`make chromium` installs it)."""
    async with Chromium.started(tmp_path / "chromium-profile") as started:
        yield started
