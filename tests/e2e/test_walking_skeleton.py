"""One thin flow through the real broker: an application submitted over HTTP is counted by reporting
and becomes a message to send in notifications."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from ibermuseos_platform.testing.waiting import eventually
from platform_harness import Platform

pytestmark = pytest.mark.e2e


def call_terms() -> dict[str, object]:
    now = datetime.now(UTC)
    return {
        "year": now.year + 1,
        "title": {"es": "Becas de formación", "pt": "Bolsas de formação", "en": "Training grants"},
        "rules": {"es": "Bases", "pt": "Regras", "en": "Rules"},
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=30)).isoformat(),
        "timezone": "America/Mexico_City",
        "currency": "USD",
        "budget": "50000.00",
        "max_per_grant": "2000.00",
        "eligible_residence_countries": ["BR", "MX", "PE", "PY"],
        "eligible_host_countries": ["BR", "MX", "PE", "PY"],
        "eligible_activity_kinds": ["course"],
        "activities_from": f"{now.year + 1}-01-01",
        "activities_until": f"{now.year + 1}-12-31",
        "criteria": [
            {
                "id": "relevance",
                "name": {"es": "Pertinencia", "pt": "Pertinência", "en": "Relevance"},
                "weight": "1",
            }
        ],
        "evaluators_per_application": 1,
    }


def submission(country: str, year: int) -> dict[str, object]:
    return {
        "applicant": {
            "preferred_language": "pt-BR",
            "role": "Conservadora",
            "country_of_residence": country,
        },
        "institution": {
            "name": "Museo del Barro",
            "type": "museum",
            "city": "Asunción",
            "country": country,
        },
        "activity": {
            "title": "Conservação preventiva",
            "organiser": "INAH",
            "kind": "course",
            "host_country": "MX",
            "host_city": "Ciudad de México",
            "starts_on": f"{year}-05-10",
            "ends_on": f"{year}-05-21",
            "modality": "in_person",
        },
        "budget": {"travel": "1800.00"},
        "motivation": "Levar a conservação preventiva ao acervo.",
        "replication_commitment": True,
    }


async def test_a_submitted_application_is_counted_by_reporting_and_told_to_the_applicant(
    platform: Platform,
) -> None:
    http = platform.http
    applications = platform.url("applications")
    coordinator = platform.token(f"coordinator-{uuid.uuid4().hex[:6]}", "coordinator", country="MX")
    # Paraguay: no other test of the session applies from there, so the count moves by this application only.
    applicant = platform.token(
        f"ana-{uuid.uuid4().hex[:6]}",
        "participant",
        country="PY",
        name="Ana Souza",
        email="ana@museu.example",
    )
    # Exact for a coordinator; the public's counts are protected (rounded to multiples of 3).
    before = (await http.get(f"{platform.url('reporting')}/figures/applications", headers=coordinator)).json()

    terms = call_terms()
    drafted = await http.post(f"{applications}/calls", json=terms, headers=coordinator)
    assert drafted.status_code == 201, drafted.text
    call_id = drafted.json()["id"]
    published = await http.post(f"{applications}/calls/{call_id}/publish", headers=coordinator)
    assert published.status_code == 200, published.text
    draft = await http.post(
        f"{applications}/calls/{call_id}/applications",
        json=submission("PY", int(str(terms["year"]))),
        headers=applicant,
    )
    assert draft.status_code == 201, draft.text
    response = await http.post(f"{applications}/applications/{draft.json()['id']}/submit", headers=applicant)
    assert response.status_code == 200, response.text

    async def counted() -> bool:
        figures = (
            await http.get(f"{platform.url('reporting')}/figures/applications", headers=coordinator)
        ).json()
        return figures["by_country"].get("PY", 0) == before["by_country"].get("PY", 0) + 1

    async def told() -> bool:
        inbox = (await http.get(f"{platform.url('notifications')}/inbox", headers=applicant)).json()["items"]
        return "application_received" in [message["template"] for message in inbox]

    await eventually(counted, timeout=90, what="reporting counting the application")
    await eventually(told, timeout=90, what="notifications recording the acknowledgement")
    inbox = (await http.get(f"{platform.url('notifications')}/inbox", headers=applicant)).json()["items"]
    [received] = [message for message in inbox if message["template"] == "application_received"]
    assert received["language"] == "pt-BR"
