"""Enrolment under concurrency, against the service process and the real database: 200 people enrol in a
run of 30 seats with country quotas at the same moment, then some cancel at the same moment."""

import asyncio
import json
import random
from collections import Counter
from typing import Any

import pytest
from ibermuseos_platform.testing.kafka import KafkaTestClient

pytestmark = pytest.mark.integration

CAPACITY = 30
QUOTA = 8
COUNTRIES = ["AR", "BR", "CL", "CO", "MX", "PE"]


def expected_seating(arrivals: list[dict[str, Any]]) -> dict[str, str]:
    """The rule, one person after another in arrival order: a seat while seats remain and the country's
    quota allows, otherwise the waitlist."""
    seated: Counter[str] = Counter()
    status = {}
    for enrolment in arrivals:
        country = enrolment["participant"]["country"]
        if sum(seated.values()) < CAPACITY and seated[country] < QUOTA:
            seated[country] += 1
            status[enrolment["id"]] = "enrolled"
        else:
            status[enrolment["id"]] = "waitlisted"
    return status


def expected_promotions(state: dict[str, dict[str, Any]], cancelled_id: str) -> list[str]:
    """Cancelling frees a seat (if it held one); then, in arrival order, the first waiting person whose
    country has room takes a free seat, again until no seat or no one fits. Updates `state`."""
    state[cancelled_id]["status"] = "cancelled"
    seated = Counter(e["country"] for e in state.values() if e["status"] == "enrolled")
    promoted = []
    for enrolment in sorted(state.values(), key=lambda e: e["arrival"]):
        if enrolment["status"] != "waitlisted" or sum(seated.values()) >= CAPACITY:
            continue
        if seated[enrolment["country"]] < QUOTA:
            seated[enrolment["country"]] += 1
            enrolment["status"] = "enrolled"
            promoted.append(enrolment["id"])
    return promoted


async def test_simultaneous_enrolments_fill_exactly_the_seats_within_quotas_and_wait_in_arrival_order(
    api: Any, kafka: KafkaTestClient
) -> None:
    offering = await api.offering("mini_course")
    run = await api.run(
        offering["id"], capacity=CAPACITY, quota_per_country=QUOTA, eligible_countries=COUNTRIES
    )
    chance = random.Random(20270510)
    people = [(f"crowd-{index:03d}", chance.choice(COUNTRIES)) for index in range(200)]

    responses = await asyncio.gather(*(api.enrol(run["id"], subject, country) for subject, country in people))

    assert [r.status_code for r in responses] == [201] * 200, [
        r.text for r in responses if r.status_code != 201
    ][:3]
    listed = await api.http.get(
        f"{api.url}/runs/{run['id']}/enrolments", params={"limit": 200}, headers=api.coordinator
    )
    arrivals = listed.json()["items"]
    assert [e["arrival"] for e in arrivals] == list(range(1, 201))
    statuses = {e["id"]: e["status"] for e in arrivals}
    assert Counter(statuses.values()) == {"enrolled": CAPACITY, "waitlisted": 200 - CAPACITY}
    seated = Counter(e["participant"]["country"] for e in arrivals if e["status"] == "enrolled")
    assert max(seated.values()) <= QUOTA
    assert statuses == expected_seating(arrivals)
    waiting = [e for e in arrivals if e["status"] == "waitlisted"]
    assert [e["waitlist_position"] for e in waiting] == list(range(1, len(waiting) + 1))
    run_now = (await api.http.get(f"{api.url}/runs/{run['id']}", headers=api.coordinator)).json()
    assert (run_now["seats_taken"], run_now["seats_free"], run_now["waiting"]) == (CAPACITY, 0, 170)

    # Random cancellations, all at once: 8 seated people and 6 on the waitlist.
    by_subject = {e["participant"]["person_id"]: e for e in arrivals}
    leaving = chance.sample([e for e in arrivals if e["status"] == "enrolled"], 8) + chance.sample(waiting, 6)
    cancellations = await asyncio.gather(
        *(
            api.http.post(
                f"{api.url}/enrolments/{e['id']}/cancel",
                headers=api.participant(e["participant"]["person_id"], e["participant"]["country"]),
            )
            for e in leaving
        )
    )
    assert [r.status_code for r in cancellations] == [200] * len(leaving)

    # Replay the cancellations in the order the service took them: each promoted exactly the right people.
    state = {
        e["id"]: {
            "id": e["id"],
            "status": e["status"],
            "arrival": e["arrival"],
            "country": e["participant"]["country"],
        }
        for e in arrivals
    }
    done = sorted((r.json() for r in cancellations), key=lambda c: c["enrolment"]["cancelled_at"])
    all_promoted: list[str] = []
    for cancellation in done:
        assert cancellation["promoted"] == expected_promotions(state, cancellation["enrolment"]["id"])
        all_promoted += cancellation["promoted"]
    assert len(all_promoted) == len(set(all_promoted))

    final = (
        await api.http.get(
            f"{api.url}/runs/{run['id']}/enrolments", params={"limit": 200}, headers=api.coordinator
        )
    ).json()["items"]
    assert {e["id"]: e["status"] for e in final} == {key: value["status"] for key, value in state.items()}
    assert Counter(e["status"] for e in final)["enrolled"] == CAPACITY
    assert (
        max(Counter(e["participant"]["country"] for e in final if e["status"] == "enrolled").values())
        <= QUOTA
    )
    assert {e["id"] for e in final if e["from_waitlist"]} == set(all_promoted)
    assert by_subject  # every person listed once
    assert len(by_subject) == 200

    # The events say the same, once each: one ParticipantEnrolled per seat ever given, a second never.
    def of_run(records: list[Any]) -> list[dict[str, Any]]:
        found = []
        for record in records:
            event = json.loads(record.value)
            if event.get("run_id") == run["id"]:
                kind = dict(record.headers)["ce_type"].decode().split(".")[-2]
                found.append({"type": kind, **event})
        return found

    expected_events = 200 + len(leaving) + len(all_promoted)
    # Settling after the count is reached reads on, so that a second event coming late is seen too.
    records = await kafka.read(
        "courses.enrolment.v1",
        until=lambda got: len(of_run(got)) >= expected_events,
        timeout=60,
        settle=3.0,
    )
    events = of_run(records)
    assert len(events) == expected_events
    enrolled_events = Counter(e["enrolment_id"] for e in events if e["type"] == "ParticipantEnrolled")
    assert set(enrolled_events.values()) == {1}
    assert sum(enrolled_events.values()) == CAPACITY + len(all_promoted)
    assert {
        e["enrolment_id"] for e in events if e["type"] == "ParticipantEnrolled" and e["from_waitlist"]
    } == set(all_promoted)
    assert Counter(e["type"] for e in events)["EnrolmentCancelled"] == len(leaving)
