"""One thin flow through the real broker: an application submitted over HTTP is counted by reporting
and becomes a message to send in notifications."""

import uuid

import pytest
from ibermuseos_platform.testing.waiting import eventually
from platform_harness import Platform

pytestmark = pytest.mark.e2e


def submission(country: str) -> dict[str, object]:
    return {
        "call_id": str(uuid.uuid4()),
        "call_year": 2027,
        "applicant": {
            "name": "Ana Souza",
            "email": "ana@museu.example",
            "preferred_language": "pt-BR",
            "role": "Conservadora",
            "country_of_residence": country,
        },
        "institution": {
            "name": "Museu Nacional",
            "type": "museum",
            "city": "Rio de Janeiro",
            "country": country,
        },
        "activity": {
            "title": "Conservação preventiva",
            "organiser": "INAH",
            "kind": "course",
            "host_country": "MX",
            "host_city": "Ciudad de México",
            "starts_on": "2027-05-10",
            "ends_on": "2027-05-21",
            "modality": "in_person",
        },
        "requested": {"amount": "1800.00", "currency": "USD"},
        "motivation": "Levar a conservação preventiva ao acervo.",
        "replication_commitment": True,
    }


async def test_a_submitted_application_is_counted_by_reporting_and_told_to_the_applicant(
    platform: Platform,
) -> None:
    http = platform.http
    applicant = platform.token(f"ana-{uuid.uuid4().hex[:6]}", "participant", country="BR")
    before = (await http.get(f"{platform.url('reporting')}/figures/applications")).json()

    response = await http.post(
        f"{platform.url('applications')}/applications", json=submission("BR"), headers=applicant
    )
    assert response.status_code == 201, response.text

    async def counted() -> bool:
        figures = (await http.get(f"{platform.url('reporting')}/figures/applications")).json()
        return figures["by_country"].get("BR", 0) == before["by_country"].get("BR", 0) + 1

    async def told() -> bool:
        inbox = (await http.get(f"{platform.url('notifications')}/inbox", headers=applicant)).json()
        return [message["template"] for message in inbox] == ["application_received"]

    await eventually(counted, what="reporting counting the application")
    await eventually(told, what="notifications recording the acknowledgement")
    inbox = (await http.get(f"{platform.url('notifications')}/inbox", headers=applicant)).json()
    assert inbox[0]["language"] == "pt-BR"
