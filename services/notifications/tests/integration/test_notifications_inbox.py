"""The in-app inbox and a person's preferences over HTTP: own messages only, cursor pages, cheap polling, opt-outs and quiet hours."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from ibermuseos_contracts.applications import ApplicationRejectedV1, ApplicationWaitlistedV1
from ibermuseos_contracts.common import Institution, InstitutionType, Modality
from ibermuseos_contracts.courses import (
    CourseCompletedV1,
    CourseRunScheduledV1,
    OfferingKind,
    Outcome,
    Participant,
    ParticipantEnrolledV1,
    ParticipantProfile,
    Session,
)
from ibermuseos_contracts.types import Localized
from ibermuseos_platform.testing.waiting import eventually

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)
INSTITUTION = Institution(name="Museo", type=InstitutionType.MUSEUM, city="Lima", country="PE")
TITLE = Localized(es="Museos y comunidad", pt="Museus e comunidade", en="Museums and community")


async def inbox(d: Any, http: Any, person_id: str, **params: Any) -> Any:
    return await http.get(f"{d.url}/inbox", params=params, headers=d.token(person_id, "participant"))


async def test_a_person_pages_through_their_own_inbox_by_cursor_and_marks_messages_read(
    notifications: Any, http: Any, applications: Any
) -> None:
    person_id = f"rosa-{uuid.uuid4().hex[:8]}"
    received = [applications.submitted(person_id, name="Rosa Quispe") for _ in range(3)]
    for application in received:
        await notifications.bus.publish(application)
    await notifications.bus.publish(
        ApplicationWaitlistedV1(
            application_id=received[0].application_id,
            call_id=received[0].call_id,
            applicant_id=person_id,
            position=1,
            waitlisted_at=NOW,
        )
    )

    async def four() -> bool:
        return len((await inbox(notifications, http, person_id)).json()["items"]) == 4

    await eventually(four, what="four messages in the inbox")
    first = await inbox(notifications, http, person_id, limit=3)
    assert first.status_code == 200
    page = first.json()["items"]
    assert first.json()["total"] == 4
    assert len(page) == 3
    assert all(message["language"] == "es" and message["read_at"] is None for message in page)
    assert page[0]["subject"]
    assert "Rosa Quispe" in page[0]["body"]
    assert first.json()["next"] is not None
    second = await http.get(
        f"{notifications.url}{first.json()['next']}", headers=notifications.token(person_id, "participant")
    )
    rest = second.json()["items"]
    assert len(rest) == 1
    assert second.json()["next"] is None
    assert {m["id"] for m in page}.isdisjoint({m["id"] for m in rest})
    delivered = [m["delivered_at"] for m in page + rest]
    assert delivered == sorted(delivered, reverse=True)

    headers = notifications.token(person_id, "participant")
    count = await http.get(f"{notifications.url}/inbox/unread-count", headers=headers)
    assert count.json() == {"unread": 4}
    etag = count.headers["ETag"]
    unchanged = await http.get(
        f"{notifications.url}/inbox/unread-count", headers={**headers, "If-None-Match": etag}
    )
    assert unchanged.status_code == 304

    read = await http.post(f"{notifications.url}/inbox/{page[0]['id']}/read", headers=headers)
    assert read.status_code == 204
    again = await http.post(f"{notifications.url}/inbox/{page[0]['id']}/read", headers=headers)
    assert again.status_code == 204
    changed = await http.get(
        f"{notifications.url}/inbox/unread-count", headers={**headers, "If-None-Match": etag}
    )
    assert (changed.status_code, changed.json()) == (200, {"unread": 3})
    unread = await inbox(notifications, http, person_id, unread="true")
    assert page[0]["id"] not in [m["id"] for m in unread.json()["items"]]
    everything = await http.post(f"{notifications.url}/inbox/read-all", headers=headers)
    assert everything.json() == {"marked": 3}
    assert (await http.get(f"{notifications.url}/inbox/unread-count", headers=headers)).json() == {
        "unread": 0
    }


async def test_nobody_reads_or_marks_another_persons_messages(
    notifications: Any, http: Any, applications: Any
) -> None:
    owner = f"owner-{uuid.uuid4().hex[:8]}"
    await notifications.bus.publish(applications.submitted(owner))

    async def arrived() -> bool:
        return len((await inbox(notifications, http, owner)).json()["items"]) == 1

    await eventually(arrived, what="the owner's message")
    (message,) = (await inbox(notifications, http, owner)).json()["items"]
    stranger = notifications.token("stranger", "participant")
    assert (await http.get(f"{notifications.url}/inbox", headers=stranger)).json()["items"] == []
    marked = await http.post(f"{notifications.url}/inbox/{message['id']}/read", headers=stranger)
    assert marked.status_code == 404
    coordinator = notifications.token("coord", "coordinator")
    assert (
        await http.post(f"{notifications.url}/inbox/{message['id']}/read", headers=coordinator)
    ).status_code == 404
    assert (await http.get(f"{notifications.url}/inbox")).status_code == 401
    assert (await http.get(f"{notifications.url}/deliveries", headers=stranger)).status_code == 403
    assert (
        await http.get(
            f"{notifications.url}/deliveries/{message['id']}", headers=notifications.token("o", "operator")
        )
    ).status_code == 404


async def test_bad_paging_input_is_refused_with_every_problem(notifications: Any, http: Any) -> None:
    response = await inbox(notifications, http, "someone", limit=1000, cursor="not-a-cursor!")
    assert response.status_code == 422
    assert {problem["field"] for problem in response.json()["errors"]} == {"query.limit"}
    bad_cursor = await inbox(notifications, http, "someone", cursor="bm90IGpzb24=")
    assert bad_cursor.status_code == 422


async def test_decisions_cannot_be_opted_out_of_and_unknown_fields_are_refused(
    notifications: Any, http: Any
) -> None:
    headers = notifications.token("chooser", "participant")
    response = await http.put(
        f"{notifications.url}/preferences",
        json={
            "opted_out": ["decision", "run_reminder"],
            "quiet_hours": {"start": "25:00", "end": "07:00"},
            "email": "x@y.z",
        },
        headers=headers,
    )
    assert response.status_code == 422
    fields = {problem["field"] for problem in response.json()["errors"]}
    assert fields == {"body.opted_out", "body.quiet_hours.start", "body.email"}
    ok = await http.put(
        f"{notifications.url}/preferences", json={"opted_out": ["run_reminder"]}, headers=headers
    )
    assert ok.status_code == 200
    assert ok.json()["opted_out"] == ["run_reminder"]
    assert ok.json()["optional_categories"] == ["report_reminder", "run_reminder"]


def _run(run_id: uuid.UUID, first: datetime) -> CourseRunScheduledV1:
    return CourseRunScheduledV1(
        run_id=run_id,
        offering_id=uuid.uuid5(run_id, "o"),
        kind=OfferingKind.CONVERSATORIO,
        title=TITLE,
        subject_area="engagement",
        hours=Decimal("2.0"),
        sessions=[
            Session(session_id=uuid.uuid5(run_id, "s"), starts_at=first, ends_at=first + timedelta(hours=2))
        ],
        timezone="America/Lima",
        modality=Modality.ONLINE,
        language="es",
        capacity=100,
        enrolment_opens_at=NOW - timedelta(days=1),
        enrolment_closes_at=first,
        eligible_countries=[],
        scheduled_at=NOW,
    )


def _enrolled(person_id: str, run_id: uuid.UUID, enrolment_id: uuid.UUID) -> ParticipantEnrolledV1:
    return ParticipantEnrolledV1(
        enrolment_id=enrolment_id,
        run_id=run_id,
        offering_id=uuid.uuid5(run_id, "o"),
        kind=OfferingKind.CONVERSATORIO,
        participant=Participant(
            person_id=person_id,
            name="Carlos Mamani",
            email=f"{person_id}@museo.example",
            preferred_language="es-PE",
            timezone="UTC",
            country="PE",
            institution=INSTITUTION,
        ),
        enrolled_at=NOW,
    )


async def _statuses(d: Any, person_id: str) -> dict[tuple[str, str], str]:
    rows = await d.sql("SELECT template, channel, status FROM messages WHERE recipient_id = $1", person_id)
    return {(row["template"], row["channel"]): row["status"] for row in rows}


async def test_an_opted_out_reminder_is_not_sent_but_the_confirmation_is(
    notifications: Any, smtp: Any, http: Any
) -> None:
    person_id = f"optout-{uuid.uuid4().hex[:8]}"
    headers = notifications.token(person_id, "participant")
    assert (
        await http.put(
            f"{notifications.url}/preferences", json={"opted_out": ["run_reminder"]}, headers=headers
        )
    ).status_code == 200
    run_id, enrolment_id = uuid.uuid4(), uuid.uuid4()
    await notifications.bus.publish(_run(run_id, NOW + timedelta(days=5)))
    await notifications.bus.publish(_enrolled(person_id, run_id, enrolment_id))

    async def scheduled() -> bool:
        return (await _statuses(notifications, person_id)).get(("run_reminder", "email")) == "pending"

    await eventually(scheduled, what="the reminder scheduled")
    await notifications.sql(
        "UPDATE messages SET next_attempt_at = now() WHERE recipient_id = $1 AND template = 'run_reminder'",
        person_id,
    )

    async def settled() -> bool:
        statuses = await _statuses(notifications, person_id)
        return (
            statuses.get(("run_reminder", "email")) == "cancelled"
            and statuses.get(("enrolment_confirmed", "email")) == "sent"
        )

    await eventually(settled, what="the reminder cancelled and the confirmation sent")
    subjects = [mail.subject for mail in smtp.mailbox.mails_to(f"{person_id}@museo.example")]
    assert subjects == ["Inscripción confirmada: Museos y comunidad"]


async def test_non_urgent_mail_waits_for_the_end_of_quiet_hours_and_decisions_do_not(
    notifications: Any, smtp: Any, http: Any
) -> None:
    person_id = f"quiet-{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    start = (now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    headers = notifications.token(person_id, "participant")
    quiet = {"quiet_hours": {"start": start.isoformat(), "end": end.isoformat()}}
    assert (
        await http.put(f"{notifications.url}/preferences", json=quiet, headers=headers)
    ).status_code == 200
    run_id, enrolment_id = uuid.uuid4(), uuid.uuid4()
    await notifications.bus.publish(_run(run_id, NOW - timedelta(days=2)))
    await notifications.bus.publish(_enrolled(person_id, run_id, enrolment_id))
    await notifications.bus.publish(
        CourseCompletedV1(
            enrolment_id=enrolment_id,
            run_id=run_id,
            offering_id=uuid.uuid5(run_id, "o"),
            kind=OfferingKind.CONVERSATORIO,
            subject_area="engagement",
            year=2027,
            participant=ParticipantProfile(person_id=person_id, country="PE", institution=INSTITUTION),
            outcome=Outcome.COMPLETED,
            hours=Decimal("2.0"),
            attendance_rate=1.0,
            evaluated_at=NOW,
        )
    )

    async def confirmation_sent() -> bool:
        return len(smtp.mailbox.mails_to(f"{person_id}@museo.example")) == 1

    await eventually(confirmation_sent, what="the confirmation sent during quiet hours")
    expected_end = datetime.combine(
        now.date() if end > now.time() else now.date() + timedelta(days=1), end, tzinfo=UTC
    )

    async def waiting() -> bool:
        rows = await notifications.sql(
            "SELECT status, next_attempt_at FROM messages WHERE recipient_id = $1 AND template = 'course_completed' AND channel = 'email'",
            person_id,
        )
        return bool(rows) and rows[0]["status"] == "pending" and rows[0]["next_attempt_at"] == expected_end

    await eventually(waiting, what="the completion mail postponed to the end of quiet hours")
    # The inbox is silent: it shows the completion at its next delivery pass, quiet hours or not.
    titles: list[str] = []

    async def in_the_inbox() -> bool:
        titles[:] = [m["template"] for m in (await inbox(notifications, http, person_id)).json()["items"]]
        return len(titles) == 2

    await eventually(in_the_inbox, what="the completion in the inbox during quiet hours")
    assert sorted(titles) == ["course_completed", "enrolment_confirmed"]
    # When the quiet hours are over, it goes out.
    await notifications.sql(
        "UPDATE recipients SET quiet_start = NULL, quiet_end = NULL WHERE person_id = $1", person_id
    )
    await notifications.sql(
        "UPDATE messages SET next_attempt_at = now() WHERE recipient_id = $1 AND template = 'course_completed'",
        person_id,
    )

    async def both() -> bool:
        return len(smtp.mailbox.mails_to(f"{person_id}@museo.example")) == 2

    await eventually(both, what="the completion mail after quiet hours")


async def test_focal_points_are_named_by_coordinators_and_seen_only_in_their_country(
    notifications: Any, http: Any
) -> None:
    body = {"country": "UY", "name": "Pablo", "email": "pablo@ibermuseos.example", "preferred_language": "es"}
    person_id = f"focal-uy-{uuid.uuid4().hex[:6]}"
    as_focal = notifications.token(person_id, "focal_point", country="UY")
    refused = await http.put(f"{notifications.url}/focal-points/{person_id}", json=body, headers=as_focal)
    assert refused.status_code == 403
    coordinator = notifications.token("coord", "coordinator", country="MX")
    named = await http.put(f"{notifications.url}/focal-points/{person_id}", json=body, headers=coordinator)
    assert named.status_code == 200
    assert named.json()["timezone"] == "America/Montevideo"
    own = await http.get(f"{notifications.url}/focal-points", headers=as_focal)
    assert [fp["person_id"] for fp in own.json()["items"]] == [person_id]
    peru = notifications.token("focal-pe", "focal_point", country="PE")
    assert (
        await http.get(f"{notifications.url}/focal-points", params={"country": "UY"}, headers=peru)
    ).json()["items"] == []
    bad = await http.put(
        f"{notifications.url}/focal-points/{person_id}",
        json={**body, "country": "XX", "role": "admin"},
        headers=coordinator,
    )
    assert bad.status_code == 422
    assert {p["field"] for p in bad.json()["errors"]} == {"body.country", "body.role"}
    assert (
        await http.delete(f"{notifications.url}/focal-points/{person_id}", headers=coordinator)
    ).status_code == 204
    assert (
        await http.delete(f"{notifications.url}/focal-points/{person_id}", headers=coordinator)
    ).status_code == 404


async def test_a_decision_reaches_the_inbox_even_before_the_persons_contact_is_known(
    notifications: Any, http: Any
) -> None:
    person_id = f"unknown-{uuid.uuid4().hex[:8]}"
    await notifications.bus.publish(
        ApplicationRejectedV1(
            application_id=uuid.uuid4(), call_id=uuid.uuid4(), applicant_id=person_id, rejected_at=NOW
        )
    )

    async def arrived() -> bool:
        return [m["template"] for m in (await inbox(notifications, http, person_id)).json()["items"]] == [
            "application_rejected"
        ]

    await eventually(arrived, what="the rejection in the inbox")
    rows = await notifications.sql(
        "SELECT status FROM messages WHERE recipient_id = $1 AND channel = 'email'", person_id
    )
    assert [row["status"] for row in rows] == ["pending"]  # waits for an address, for a while
