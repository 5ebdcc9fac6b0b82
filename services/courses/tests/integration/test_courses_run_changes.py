"""A run cancelled, a run rescheduled and a waitlist lapsing, through the HTTP API against the real
database and broker, watching the private and public topics."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.waiting import eventually

pytestmark = pytest.mark.integration

REASON = "La sede cerró por obras; les escribiremos con una nueva fecha"


def events(records: list[Any], **match: Any) -> list[dict[str, Any]]:
    found = []
    for record in records:
        event = json.loads(record.value)
        kind = dict(record.headers)["ce_type"].decode().split(".")[-2]
        if all(event.get(key) == value for key, value in match.items()):
            found.append({"type": kind, **event})
    return found


async def full_run(api: Any, tag: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A run with one seat: the first person seated, the second waiting."""
    run = await api.run((await api.offering("mini_course"))["id"], capacity=1)
    seated = await api.enrol(run["id"], f"sol-{tag}", "PE")
    waiting = await api.enrol(run["id"], f"tomas-{tag}", "CL")
    assert (seated.json()["status"], waiting.json()["status"]) == ("enrolled", "waitlisted")
    return run, seated.json(), waiting.json()


async def test_a_cancelled_run_tells_everyone_in_it_and_refuses_everything_after(
    api: Any, kafka: KafkaTestClient
) -> None:
    tag = datetime.now(UTC).strftime("%H%M%S%f")
    run, seated, waiting = await full_run(api, tag)
    url = f"{api.url}/runs/{run['id']}"

    bad = await api.http.post(f"{url}/cancel", json={"reason": "", "why": "x"}, headers=api.coordinator)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"body.reason", "body.why"}
    blank = await api.http.post(f"{url}/cancel", json={"reason": "   "}, headers=api.coordinator)
    assert blank.status_code == 422
    assert blank.json()["errors"] == [{"field": "reason", "problem": "say why the run is cancelled"}]
    not_allowed = await api.http.post(
        f"{url}/cancel", json={"reason": REASON}, headers=api.participant(f"sol-{tag}", "PE")
    )
    assert not_allowed.status_code == 403
    untouched = (await api.http.get(url, headers=api.coordinator)).json()
    assert (untouched["status"], untouched["seats_taken"], untouched["waiting"]) == ("scheduled", 1, 1)

    cancelled = await api.http.post(f"{url}/cancel", json={"reason": REASON}, headers=api.coordinator)
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert (body["enrolments_cancelled"], body["waitlist_cancelled"]) == (1, 1)
    assert (body["run"]["status"], body["run"]["phase"], body["run"]["seats_taken"]) == (
        "cancelled",
        "cancelled",
        0,
    )
    assert body["run"]["cancellation_reason"] == REASON
    # Who cancelled it: in the answer, to the run's staff, and in the event (pseudonymous on the public topic).
    assert (body["cancelled_by"], body["run"]["cancelled_by"]) == ("coordinator-1", "coordinator-1")
    shown_to_participant = (await api.http.get(url, headers=api.participant(f"sol-{tag}", "PE"))).json()
    assert shown_to_participant["cancelled_by"] is None

    instructor = api.token("instructor-1", "instructor")
    session = run["sessions"][0]["session_id"]
    refused = {
        "enrol": await api.enrol(run["id"], f"ugo-{tag}", "MX"),
        "attendance": await api.http.put(
            f"{url}/sessions/{session}/attendance",
            json={"records": [{"enrolment_id": seated["id"], "present": True}]},
            headers=instructor,
        ),
        "grades": await api.http.put(
            f"{url}/grades",
            json={"grades": [{"enrolment_id": seated["id"], "grade": "90"}]},
            headers=instructor,
        ),
        "close": await api.http.post(f"{url}/close", headers=api.coordinator),
        "cancel again": await api.http.post(f"{url}/cancel", json={"reason": "x"}, headers=api.coordinator),
        "reschedule": await api.http.post(
            f"{url}/reschedule",
            json={"sessions": [{**s, "starts_at": s["starts_at"]} for s in run["sessions"]]},
            headers=api.coordinator,
        ),
        "cancel an enrolment": await api.http.post(
            f"{api.url}/enrolments/{seated['id']}/cancel", headers=api.coordinator
        ),
    }
    assert {name: r.status_code for name, r in refused.items()} == dict.fromkeys(refused, 409)
    assert all(r.json()["title"] for r in refused.values())
    assert "cancelled" in refused["enrol"].json()["title"]
    for enrolment in (seated, waiting):
        after = (
            await api.http.get(f"{api.url}/enrolments/{enrolment['id']}", headers=api.coordinator)
        ).json()
        assert after["status"] == "cancelled"

    ids = {seated["id"], waiting["id"]}
    private_run = await kafka.read(
        "courses.run.v1", until=lambda got: len(events(got, run_id=run["id"])) >= 2
    )
    assert [(e["type"], e.get("reason")) for e in events(private_run, run_id=run["id"])] == [
        ("CourseRunScheduled", None),
        ("CourseRunCancelled", REASON),
    ]
    public_run = await kafka.read(
        "public.courses.run.v1", until=lambda got: len(events(got, run_id=run["id"])) >= 2
    )
    public_cancel = events(public_run, run_id=run["id"], enrolments_cancelled=1)
    assert [e["type"] for e in public_cancel] == ["CourseRunCancelled"]
    assert events(private_run, run_id=run["id"])[1]["cancelled_by"] == "coordinator-1"
    assert public_cancel[0]["cancelled_by"].startswith("p-")
    assert "reason" not in public_cancel[0]
    assert public_cancel[0]["waitlist_cancelled"] == 1

    def ended(got: list[Any]) -> list[dict[str, Any]]:
        return [e for e in events(got) if e["enrolment_id"] in ids and e.get("run_cancelled")]

    private = await kafka.read("courses.enrolment.v1", until=lambda got: len(ended(got)) >= 2)
    assert sorted((e["type"], e["was_enrolled"], e["reason"], e["cancelled_by"]) for e in ended(private)) == [
        ("EnrolmentCancelled", False, REASON, "coordinator"),
        ("EnrolmentCancelled", True, REASON, "coordinator"),
    ]
    public = await kafka.read("public.courses.enrolment.v1", until=lambda got: len(ended(got)) >= 2)
    for event in ended(public):
        assert "reason" not in event
        assert event["person_id"].startswith("p-")
    assert REASON.encode() not in b"".join(r.value for r in public + public_run)


async def test_a_cancelled_enrolment_says_whether_the_participant_or_a_coordinator_cancelled_it(
    api: Any, kafka: KafkaTestClient
) -> None:
    tag = datetime.now(UTC).strftime("%H%M%S%f")
    _, seated, waiting = await full_run(api, tag)
    own = await api.http.post(
        f"{api.url}/enrolments/{seated['id']}/cancel", headers=api.participant(f"sol-{tag}", "PE")
    )
    assert own.status_code == 200, own.text
    by_coordinator = await api.http.post(
        f"{api.url}/enrolments/{waiting['id']}/cancel", headers=api.coordinator
    )
    assert by_coordinator.status_code == 200, by_coordinator.text

    ids = {seated["id"]: "participant", waiting["id"]: "coordinator"}

    def cancellations(got: list[Any]) -> dict[str, str]:
        return {
            e["enrolment_id"]: e["cancelled_by"]
            for e in events(got)
            if e["enrolment_id"] in ids and e["type"] == "EnrolmentCancelled"
        }

    for topic in ("courses.enrolment.v1", "public.courses.enrolment.v1"):
        read = await kafka.read(topic, until=lambda got: len(cancellations(got)) == 2)
        assert cancellations(read) == ids


async def test_a_rescheduled_run_publishes_every_session_with_its_new_times(
    api: Any, kafka: KafkaTestClient
) -> None:
    tag = datetime.now(UTC).strftime("%H%M%S%f")
    run, _, _ = await full_run(api, tag)
    url = f"{api.url}/runs/{run['id']}"
    first, second, third = run["sessions"]
    yesterday = datetime.now(UTC) - timedelta(days=1)
    past = yesterday.isoformat()

    bad = await api.http.post(
        f"{url}/reschedule",
        json={
            "sessions": [
                {
                    "session_id": first["session_id"],
                    "starts_at": past,
                    "ends_at": (yesterday + timedelta(hours=1)).isoformat(),
                },
                {**second, "session_id": "00000000-0000-0000-0000-000000000000"},
            ],
            "enrolment_closes_at": past,
        },
        headers=api.coordinator,
    )
    assert bad.status_code == 422
    assert sorted(e["field"] for e in bad.json()["errors"]) == [
        "enrolment_closes_at",
        "sessions",
        "sessions",
        "sessions.0",
        "sessions.1.session_id",
    ], bad.json()
    malformed = await api.http.post(
        f"{url}/reschedule", json={"sessions": [], "capacity": 3}, headers=api.coordinator
    )
    assert malformed.status_code == 422
    assert {e["field"] for e in malformed.json()["errors"]} == {"body.sessions", "body.capacity"}
    assert (await api.http.get(url, headers=api.coordinator)).json()["sessions"] == run["sessions"]

    def later(session: dict[str, Any], days: int) -> dict[str, Any]:
        moved = {
            key: datetime.fromisoformat(session[key]) + timedelta(days=days)
            for key in ("starts_at", "ends_at")
        }
        return {"session_id": session["session_id"], **{k: v.isoformat() for k, v in moved.items()}}

    moved = [later(first, 7), later(second, 7), later(third, 7)]
    response = await api.http.post(f"{url}/reschedule", json={"sessions": moved}, headers=api.coordinator)
    assert response.status_code == 200, response.text
    rescheduled = response.json()
    assert rescheduled["revision"] == 1
    assert [s["session_id"] for s in rescheduled["sessions"]] == [s["session_id"] for s in run["sessions"]]
    for key in ("starts_at", "ends_at"):
        assert [datetime.fromisoformat(s[key]) for s in rescheduled["sessions"]] == [
            datetime.fromisoformat(s[key]) for s in moved
        ], key

    for topic in ("courses.run.v1", "public.courses.run.v1"):
        records = await kafka.read(topic, until=lambda got: len(events(got, run_id=run["id"])) >= 2)
        [event] = [e for e in events(records, run_id=run["id"]) if e["type"] == "CourseRunRescheduled"]
        assert event["revision"] == 1
        for key in ("starts_at", "ends_at"):
            assert [datetime.fromisoformat(s[key]) for s in event["sessions"]] == [
                datetime.fromisoformat(s[key]) for s in moved
            ], (topic, key)
        assert [s["session_id"] for s in event["sessions"]] == [s["session_id"] for s in moved]


async def test_places_still_waiting_lapse_once_enrolment_has_closed_on_a_started_run(
    api: Any, kafka: KafkaTestClient
) -> None:
    tag = datetime.now(UTC).strftime("%H%M%S%f")
    now = datetime.now(UTC)
    sessions = [
        (now - timedelta(hours=2), now - timedelta(hours=1)),
        (now + timedelta(days=2), now + timedelta(days=2, hours=2)),
    ]
    closes = now + timedelta(seconds=5)
    run = await api.run(
        (await api.offering("mini_course"))["id"],
        capacity=1,
        sessions=[{"starts_at": s.isoformat(), "ends_at": e.isoformat()} for s, e in sessions],
        enrolment_closes_at=closes.isoformat(),
    )
    seated = (await api.enrol(run["id"], f"vera-{tag}", "PE")).json()
    waiting = (await api.enrol(run["id"], f"walter-{tag}", "UY")).json()
    assert (seated["status"], waiting["status"], waiting["waitlist_position"]) == (
        "enrolled",
        "waitlisted",
        1,
    )

    async def lapsed() -> bool:
        mine = await api.http.get(
            f"{api.url}/enrolments/{waiting['id']}", headers=api.participant(f"walter-{tag}", "UY")
        )
        return bool(mine.json()["status"] == "lapsed")

    await eventually(lapsed, timeout=60, what="the place on the waitlist lapsed")
    assert (await api.http.get(f"{api.url}/runs/{run['id']}", headers=api.coordinator)).json()[
        "status"
    ] == "scheduled"
    gone = await api.http.post(
        f"{api.url}/enrolments/{waiting['id']}/cancel", headers=api.participant(f"walter-{tag}", "UY")
    )
    assert gone.status_code == 409
    # Cancelling the run afterwards ends the seat, not the place that already lapsed.
    done = await api.http.post(
        f"{api.url}/runs/{run['id']}/cancel", json={"reason": REASON}, headers=api.coordinator
    )
    assert (done.json()["enrolments_cancelled"], done.json()["waitlist_cancelled"]) == (1, 0)

    def about(got: list[Any]) -> list[dict[str, Any]]:
        return [e for e in events(got) if e["enrolment_id"] in (seated["id"], waiting["id"])]

    records = await kafka.read(
        "courses.enrolment.v1",
        until=lambda got: any(e["type"] == "EnrolmentCancelled" for e in about(got)),
        settle=3.0,
    )
    assert sorted((e["enrolment_id"], e["type"]) for e in about(records)) == sorted(
        [
            (seated["id"], "ParticipantEnrolled"),
            (waiting["id"], "ParticipantWaitlisted"),
            (waiting["id"], "EnrolmentLapsed"),
            (seated["id"], "EnrolmentCancelled"),
        ]
    )
    [lapse] = [e for e in about(records) if e["type"] == "EnrolmentLapsed"]
    assert lapse["person_id"] == f"walter-{tag}"
    # The run started two hours ago: only enrolment closing (5 seconds in) lets the place lapse.
    assert datetime.fromisoformat(lapse["lapsed_at"]) >= closes, (lapse["lapsed_at"], closes)
    public = await kafka.read(
        "public.courses.enrolment.v1",
        until=lambda got: any(e["type"] == "EnrolmentLapsed" for e in about(got)),
    )
    [published] = [e for e in about(public) if e["type"] == "EnrolmentLapsed"]
    assert published["person_id"].startswith("p-")
