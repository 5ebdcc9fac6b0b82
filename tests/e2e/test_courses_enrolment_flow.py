"""Courses within the whole platform: a participant enrols in a conversatorio over HTTP, and the enrolment
goes out on the private topic for the platform's services and, without the person, on the public one,
both in the trace that the front end's request started."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from ibermuseos_platform.testing.kafka import KafkaTestClient
from platform_harness import Platform, open_run

pytestmark = pytest.mark.e2e


async def test_an_enrolment_reaches_the_private_topic_with_the_person_and_the_public_one_without_in_its_trace(
    platform: Platform, platform_topics: KafkaTestClient
) -> None:
    http, courses = platform.http, platform.url("courses")
    coordinator = platform.token("coord-e2e", "coordinator", country="MX")
    _, run_id = await open_run(http, courses, coordinator, starts=datetime.now(UTC) + timedelta(days=3))
    subject = f"lucia-{uuid.uuid4().hex[:6]}"
    participant = platform.token(
        subject, "participant", country="CO", name="Lucía Díaz", email=f"{subject}@museo.example"
    )
    front_end_trace = uuid.uuid4().hex
    enrolled = await http.post(
        f"{courses}/runs/{run_id}/enrolments",
        json={
            "preferred_language": "es",
            "timezone": "America/Bogota",
            "country": "CO",
            "institution": {"name": "Museo del Oro", "type": "museum", "city": "Bogotá", "country": "CO"},
        },
        headers={**participant, "traceparent": f"00-{front_end_trace}-{uuid.uuid4().hex[:16]}-01"},
    )
    assert enrolled.status_code == 201, enrolled.text
    enrolment_id = enrolled.json()["id"]

    def mine(records: list) -> list:  # type: ignore[type-arg]
        return [r for r in records if json.loads(r.value).get("enrolment_id") == enrolment_id]

    private_records = mine(
        await platform_topics.read("courses.enrolment.v1", until=lambda got: bool(mine(got)))
    )
    public_records = mine(
        await platform_topics.read("public.courses.enrolment.v1", until=lambda got: bool(mine(got)))
    )
    private, public = json.loads(private_records[0].value), json.loads(public_records[0].value)
    assert private["participant"]["email"] == f"{subject}@museo.example"
    assert private["participant"]["timezone"] == "America/Bogota"
    assert set(public["participant"]) == {"person_id", "gender", "country", "institution"}
    assert public["participant"]["person_id"] != subject
    assert public["participant"]["person_id"].startswith("p-")
    for record in (private_records[0], public_records[0]):
        _version, trace_id, _span_id, _flags = dict(record.headers)["traceparent"].decode().split("-")
        assert trace_id == front_end_trace
