"""Hostile input to the applications service, against the real services over real HTTP (issue 11).

NUL bytes and line breaks in every kind of text a call, an application, a question, an answer, a panel or an
evaluator's word stores; time zones that are folders, paths or made-up names (and a null one); dates at the ends of
the calendar; an applicant naming someone else. Each is refused with a problem document listing the field: the
request's types refuse it, not the database, so nothing is stored and the next request is served.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from platform_harness import Platform

pytestmark = pytest.mark.e2e

NUL = "a\x00b"
HEADER_INJECTION = "Evil\r\nBcc: victim@evil.example"
NOT_ZONES = ["America", "Etc", "../../../../etc/passwd", "Mars/Olympus", "Europe/Madrid\n"]
TEXT = {"es": "Becas de formación", "pt": "Bolsas de formação", "en": "Training grants"}


def terms(**changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    today = now.date()
    return {
        "year": today.year,
        "title": TEXT,
        "rules": {"es": "Bases", "pt": "Regras", "en": "Rules"},
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=1)).isoformat(),
        "timezone": "America/Mexico_City",
        "currency": "USD",
        "budget": "12000.00",
        "max_per_grant": "2000.00",
        "eligible_residence_countries": ["BR", "PE"],
        "eligible_host_countries": ["MX"],
        "eligible_activity_kinds": ["course"],
        "activities_from": (today - timedelta(days=300)).isoformat(),
        "activities_until": (today + timedelta(days=300)).isoformat(),
        "criteria": [{"id": "relevance", "name": TEXT, "weight": "1"}],
        "evaluators_per_application": 1,
        **changes,
    }


def form(country: str = "BR", **sections: dict[str, Any]) -> dict[str, Any]:
    today = datetime.now(UTC).date()
    complete: dict[str, Any] = {
        "applicant": {"preferred_language": "es", "role": "Conservadora", "country_of_residence": country},
        "institution": {"name": "Museo Nacional", "type": "museum", "city": "Lima", "country": country},
        "activity": {
            "title": "Conservación preventiva",
            "organiser": "INAH",
            "kind": "course",
            "host_country": "MX",
            "host_city": "Oaxaca",
            "starts_on": (today + timedelta(days=30)).isoformat(),
            "ends_on": (today + timedelta(days=40)).isoformat(),
            "modality": "in_person",
        },
        "budget": {"travel": "1500.00"},
        "motivation": "Llevar la conservación preventiva al acervo.",
        "replication_commitment": True,
    }
    for section, fields in sections.items():
        complete[section] = {**complete[section], **fields} if isinstance(fields, dict) else fields
    return complete


class Applications:
    """The applications service as a coordinator and as participants of their own sign-in see it."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.http = httpx.AsyncClient(base_url=platform.url("applications"), timeout=30)
        self.tag = uuid.uuid4().hex[:6]
        self.coordinator = platform.token(f"coord-{self.tag}", "coordinator", country="MX")

    def person(self, key: str, /, **claims: Any) -> dict[str, str]:
        """A participant whose sign-in carries a name and a verified e-mail, unless `claims` say otherwise."""
        subject = f"{key}-{self.tag}"
        identity = {"name": f"Persona {key}", "email": f"{subject}@museo.example", **claims}
        return self.platform.token(subject, "participant", country="BR", **identity)

    async def ok(self, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> Any:
        answer = await self.http.request(method, path, headers=headers, **kwargs)
        assert answer.status_code < 300, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None

    async def open_call(self) -> str:
        call = await self.ok("POST", "/calls", self.coordinator, json=terms())
        await self.ok("POST", f"/calls/{call['id']}/publish", self.coordinator)
        return str(call["id"])

    async def calls_listed(self) -> int:
        return int((await self.ok("GET", "/calls?limit=1", self.coordinator))["total"])

    async def refused(self, method: str, path: str, headers: dict[str, str], body: Any) -> set[str]:
        """The fields a 422 problem document lists; and the connection it came on serves the next request."""
        answer = await self.http.request(method, path, headers=headers, json=body)
        assert answer.status_code == 422, f"{method} {path}: {answer.status_code} {answer.text}"
        assert answer.headers["content-type"] == "application/problem+json"
        assert (await self.http.get("/health/live")).status_code == 200
        return {problem["field"] for problem in answer.json()["errors"]}


@pytest.fixture
async def service(platform: Platform) -> Any:
    applications = Applications(platform)
    yield applications
    await applications.http.aclose()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": {**TEXT, "es": NUL}}, "body.title.es"),
        ({"title": {**TEXT, "pt": HEADER_INJECTION}}, "body.title.pt"),
        ({"rules": {"es": "Bases", "pt": "Regras", "en": NUL}}, "body.rules.en"),
        (
            {"criteria": [{"id": "relevance", "name": {**TEXT, "en": NUL}, "weight": "1"}]},
            "body.criteria.0.name.en",
        ),
        ({"opens_at": "0001-01-01T00:00:00+14:00"}, "body.opens_at"),
        ({"closes_at": "9999-12-31T23:59:59-14:00"}, "body.closes_at"),
        ({"scoring_deadline": "9999-12-31T23:59:59-14:00"}, "body.scoring_deadline"),
        ({"activities_until": "9999-12-31"}, "body.activities_until"),
        *(({"timezone": zone}, "body.timezone") for zone in NOT_ZONES),
    ],
    ids=[
        "title-nul",
        "title-crlf",
        "rules-nul",
        "criterion-nul",
        "opens-year-1",
        "closes-year-9999",
        "scoring-year-9999",
        "activities-day-9999",
        *(f"zone-{n}" for n in range(len(NOT_ZONES))),
    ],
)
async def test_a_call_with_a_control_character_a_zone_that_is_not_one_or_a_date_off_the_calendar_is_refused(
    service: Applications, changes: dict[str, Any], field: str
) -> None:
    before = await service.calls_listed()

    assert await service.refused("POST", "/calls", service.coordinator, terms(**changes)) == {field}
    assert await service.calls_listed() == before


@pytest.mark.parametrize(
    ("member", "field"),
    [
        ({"evaluator_id": "ev\x00es"}, "body.evaluators.0.evaluator_id"),
        ({"name": HEADER_INJECTION}, "body.evaluators.0.name"),
        ({"name": NUL}, "body.evaluators.0.name"),
        ({"timezone": None}, "body.evaluators.0.timezone"),
        *(({"timezone": zone}, "body.evaluators.0.timezone") for zone in NOT_ZONES),
    ],
    ids=["id-nul", "name-crlf", "name-nul", "zone-null", *(f"zone-{n}" for n in range(len(NOT_ZONES)))],
)
async def test_a_panel_member_with_a_control_character_or_a_zone_that_is_not_one_is_refused(
    service: Applications, member: dict[str, Any], field: str
) -> None:
    call_id = await service.open_call()
    evaluator = {"evaluator_id": f"ev-es-{service.tag}", "country": "ES", **member}

    panel = await service.refused(
        "PUT", f"/calls/{call_id}/panel", service.coordinator, {"evaluators": [evaluator]}
    )
    one = await service.refused("POST", f"/calls/{call_id}/panel/members", service.coordinator, evaluator)

    assert panel == {field}
    assert one == {field.replace("evaluators.0.", "")}
    assert (await service.ok("GET", f"/calls/{call_id}", service.coordinator))["panel"] == []


@pytest.mark.parametrize(
    ("sections", "field"),
    [
        ({"institution": {"name": NUL}}, "body.institution.name"),
        ({"institution": {"city": HEADER_INJECTION}}, "body.institution.city"),
        ({"activity": {"title": NUL}}, "body.activity.title"),
        ({"activity": {"organiser": HEADER_INJECTION}}, "body.activity.organiser"),
        ({"applicant": {"role": NUL}}, "body.applicant.role"),
        ({"motivation": NUL}, "body.motivation"),
        ({"activity": {"ends_on": "9999-12-31"}}, "body.activity.ends_on"),
        ({"activity": {"starts_on": "0001-01-01"}}, "body.activity.starts_on"),
    ],
    ids=[
        "institution-nul",
        "city-crlf",
        "activity-nul",
        "organiser-crlf",
        "role-nul",
        "motivation-nul",
        "ends-9999",
        "starts-1",
    ],
)
async def test_an_application_with_a_control_character_or_a_date_off_the_calendar_is_refused(
    service: Applications, sections: dict[str, Any], field: str
) -> None:
    call_id = await service.open_call()
    ana = service.person("ana")

    started = await service.refused("POST", f"/calls/{call_id}/applications", ana, form(**sections))
    draft = await service.ok("POST", f"/calls/{call_id}/applications", ana, json=form())
    edited = await service.refused("PATCH", f"/applications/{draft['id']}", ana, sections)

    assert started == edited == {field}
    assert await service.ok("GET", f"/applications/{draft['id']}", ana) == draft


async def test_questions_answers_and_reasons_with_a_control_character_are_refused_and_change_nothing(
    service: Applications,
) -> None:
    call_id = await service.open_call()
    ana = service.person("ana")
    draft = await service.ok("POST", f"/calls/{call_id}/applications", ana, json=form())
    submitted = await service.ok("POST", f"/applications/{draft['id']}/submit", ana)
    path = f"/applications/{submitted['id']}"
    coordinator = service.coordinator

    question = await service.refused(
        "POST", f"{path}/information-requests", coordinator, {"question": f"¿{NUL}?"}
    )
    reasons = await service.refused(
        "POST",
        f"{path}/eligibility",
        coordinator,
        {"eligible": False, "justification": "Carta", "reasons": [{**TEXT, "pt": NUL}]},
    )
    justification = await service.refused(
        "POST", f"{path}/eligibility", coordinator, {"eligible": True, "justification": f"Carta {NUL}"}
    )
    asked = await service.ok(
        "POST", f"{path}/information-requests", coordinator, json={"question": "¿Acreditado?"}
    )
    request_id = asked["information_requests"][0]["id"]
    answer = await service.refused(
        "POST", f"{path}/information-requests/{request_id}/answer", ana, {"answer": f"Sí {NUL}"}
    )

    assert (question, reasons, justification, answer) == (
        {"body.question"},
        {"body.reasons.0.pt"},
        {"body.justification"},
        {"body.answer"},
    )
    after = await service.ok("GET", path, ana)
    assert after["status"] == "information_requested"
    assert [(r["question"], r["answer"]) for r in after["information_requests"]] == [("¿Acreditado?", None)]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/evaluations/{id}/scores",
            {"scores": {"relevance": {"score": "5", "comment": NUL}}},
            "body.scores.relevance.comment",
        ),
        (
            "/evaluations/{id}/scores",
            {"scores": {NUL: {"score": "5", "comment": "ok"}}},
            f"body.scores.{NUL}.[key]",
        ),
        ("/evaluations/{id}/decline", {"ground": "unavailable", "reason": f"Viaje {NUL}"}, "body.reason"),
        (
            "/evaluations/{id}/evaluators/ev-es/replacement",
            {"justification": "Sin respuesta", "replacement_id": "ev\x00uy"},
            "body.replacement_id",
        ),
        ("/calls/{id}/close", {"justification": f"Fin {NUL}"}, "body.justification"),
        (
            "/applications/{id}/report",
            {
                "attended": True,
                "learned": "Mucho",
                "replications": [
                    {
                        "held_on": "2027-06-01",
                        "colleagues_trained": 3,
                        "institutions": [
                            {"name": HEADER_INJECTION, "type": "museum", "city": "Lima", "country": "PE"}
                        ],
                    }
                ],
            },
            "body.replications.0.institutions.0.name",
        ),
        ("/applications/{id}/report", {"attended": True, "learned": f"Mucho {NUL}"}, "body.learned"),
    ],
    ids=[
        "score-comment-nul",
        "criterion-nul",
        "decline-nul",
        "replacement-nul",
        "close-nul",
        "report-crlf",
        "report-nul",
    ],
)
async def test_the_panels_and_grantees_words_with_a_control_character_are_refused_before_anything_is_read(
    service: Applications, platform: Platform, path: str, body: dict[str, Any], field: str
) -> None:
    someone = platform.token(f"ev-es-{service.tag}", "evaluator", "coordinator", "participant", country="ES")

    assert await service.refused("POST", path.format(id=uuid.uuid4()), someone, body) == {field}


async def test_an_applicant_applies_in_the_name_and_e_mail_of_their_sign_in_and_no_one_elses(
    service: Applications,
) -> None:
    call_id = await service.open_call()
    mallory = service.person("mallory", name="Mallory Pérez")
    impersonating = form(applicant={"name": "Famous Director", "email": "victim@example.net"})

    refused = await service.http.post(f"/calls/{call_id}/applications", headers=mallory, json=impersonating)
    draft = await service.ok("POST", f"/calls/{call_id}/applications", mallory, json=form())
    submitted = await service.ok("POST", f"/applications/{draft['id']}/submit", mallory)

    assert refused.status_code == 422
    assert {(p["field"], "sign-in" in p["problem"]) for p in refused.json()["errors"]} == {
        ("body.applicant.name", True),
        ("body.applicant.email", True),
    }
    assert submitted["status"] == "eligible"
    assert submitted["form"]["applicant"]["name"] == "Mallory Pérez"
    assert submitted["form"]["applicant"]["email"] == f"mallory-{service.tag}@museo.example"
    assert refused.headers["Cache-Control"] == "no-store"


async def test_an_e_mail_the_identity_provider_did_not_verify_is_not_used(service: Applications) -> None:
    call_id = await service.open_call()
    unverified = service.person("eve", email="victim@example.net", email_verified=False)

    draft = await service.ok("POST", f"/calls/{call_id}/applications", unverified, json=form())
    answer = await service.http.post(f"/applications/{draft['id']}/submit", headers=unverified)

    assert draft["form"]["applicant"]["email"] is None
    assert answer.status_code == 422
    assert [p["field"] for p in answer.json()["errors"]] == ["applicant.email"]
    assert "verified" in answer.json()["errors"][0]["problem"]


async def test_personal_json_and_documents_are_never_kept_by_a_shared_cache(service: Applications) -> None:
    call_id = await service.open_call()
    ana = service.person("ana")
    draft = await service.ok("POST", f"/calls/{call_id}/applications", ana, json=form())
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
    document = await service.ok(
        "POST",
        f"/applications/{draft['id']}/documents?kind=cv&filename=cv.pdf",
        {**ana, "Content-Type": "application/pdf"},
        content=pdf,
    )

    viewed = await service.http.get(f"/applications/{draft['id']}", headers=ana)
    downloaded = await service.http.get(
        f"/applications/{draft['id']}/documents/{document['id']}", headers=ana
    )

    assert downloaded.content == pdf
    for answer in (viewed, downloaded):
        assert "no-store" in answer.headers["Cache-Control"]
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert downloaded.headers["Content-Disposition"].startswith("attachment")
