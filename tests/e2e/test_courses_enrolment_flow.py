"""Courses within the whole platform: a participant enrols in a conversatorio over HTTP, and the enrolment
goes out on the private topic for the platform's services and, without the person, on the public one."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from ibermuseos_platform.testing.kafka import KafkaTestClient
from platform_harness import Platform

pytestmark = pytest.mark.e2e


async def test_an_enrolment_reaches_the_private_topic_with_the_person_and_the_public_one_without(
    platform: Platform, kafka: KafkaTestClient
) -> None:
    http, courses = platform.http, platform.url("courses")
    coordinator = platform.token("coord-e2e", "coordinator", country="MX")
    text = {"es": "El museo del futuro", "pt": "O museu do futuro", "en": "The museum of the future"}
    offering = await http.post(
        f"{courses}/offerings",
        json={
            "kind": "conversatorio",
            "title": text,
            "description": text,
            "subject_area": "engagement",
            "hours": "2",
            "publish": True,
        },
        headers=coordinator,
    )
    assert offering.status_code == 201, offering.text
    now = datetime.now(UTC)
    run = await http.post(
        f"{courses}/runs",
        json={
            "offering_id": offering.json()["id"],
            "sessions": [
                {
                    "starts_at": (now + timedelta(days=3)).isoformat(),
                    "ends_at": (now + timedelta(days=3, hours=2)).isoformat(),
                }
            ],
            "timezone": "America/Bogota",
            "modality": "online",
            "language": "es",
            "capacity": 100,
            "enrolment_opens_at": now.isoformat(),
            "enrolment_closes_at": (now + timedelta(days=2)).isoformat(),
        },
        headers=coordinator,
    )
    assert run.status_code == 201, run.text
    subject = f"lucia-{uuid.uuid4().hex[:6]}"
    participant = platform.token(
        subject, "participant", country="CO", name="Lucía Díaz", email=f"{subject}@museo.example"
    )
    enrolled = await http.post(
        f"{courses}/runs/{run.json()['id']}/enrolments",
        json={
            "preferred_language": "es",
            "timezone": "America/Bogota",
            "country": "CO",
            "institution": {"name": "Museo del Oro", "type": "museum", "city": "Bogotá", "country": "CO"},
        },
        headers=participant,
    )
    assert enrolled.status_code == 201, enrolled.text
    enrolment_id = enrolled.json()["id"]

    def mine(records: list) -> list[dict]:  # type: ignore[type-arg]
        return [e for e in (json.loads(r.value) for r in records) if e.get("enrolment_id") == enrolment_id]

    private = mine(await kafka.read("courses.enrolment.v1", until=lambda got: bool(mine(got))))
    assert private[0]["participant"]["email"] == f"{subject}@museo.example"
    assert private[0]["participant"]["timezone"] == "America/Bogota"
    public = mine(await kafka.read("public.courses.enrolment.v1", until=lambda got: bool(mine(got))))
    assert set(public[0]["participant"]) == {"person_id", "gender", "country", "institution"}
    assert public[0]["participant"]["person_id"] != subject
    assert public[0]["participant"]["person_id"].startswith("p-")
