"""The retention policy on the real database: the job erases exactly what is due and nothing else,
a person is erased on request, and replaying events after an erasure sends nothing twice.

Time is moved by setting the rows' timestamps back in the database, not by waiting.
"""

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ibermuseos_contracts.applications import ApplicationSubmittedV1
from ibermuseos_platform.testing.waiting import eventually

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)


@pytest.fixture(scope="module")
async def service(start: Any, smtp: Any, smtp_settings: Any) -> Any:
    """An instance of its own (a fresh database): the job's counts are exactly this module's rows."""
    return await start(smtp_settings(smtp.port), namespace="retention")


async def _messages(d: Any, person_id: str) -> dict[uuid.UUID, Any]:
    rows = await d.sql(
        "SELECT notification_id, event_id, recipient_id, template, channel, status, subject, body, address,"
        " context, attempts, sent_at, erased_at FROM messages WHERE recipient_id = $1",
        person_id,
    )
    return {row["notification_id"]: row for row in rows}


async def _delivered(
    d: Any, smtp: Any, application: ApplicationSubmittedV1, mails: int, messages: int
) -> None:
    person_id = application.applicant.person_id

    async def arrived() -> bool:
        sent = await d.sql(
            "SELECT count(*) AS n FROM messages WHERE recipient_id = $1 AND status = 'sent'", person_id
        )
        return len(smtp.mailbox.mails_to(application.applicant.email)) == mails and sent[0]["n"] == messages

    await eventually(arrived, what=f"{mails} mails and {messages} messages sent to {person_id}")


def _keys(messages: dict[uuid.UUID, Any]) -> dict[uuid.UUID, tuple[Any, ...]]:
    """What a consumed event is matched against: erasure must leave it as it was."""
    return {key: (row["event_id"], row["recipient_id"], row["channel"]) for key, row in messages.items()}


async def _run_retention(d: Any, http: Any) -> dict[str, int]:
    response = await http.post(f"{d.url}/retention/run", headers=d.token("ops", "operator"))
    assert response.status_code == 200, response.text
    return dict(response.json()["erased"])


async def test_the_job_erases_exactly_what_is_due_keeps_pending_reminders_and_a_replay_sends_nothing(
    service: Any, smtp: Any, http: Any, applications: Any
) -> None:
    old, recent, grantee, awaited = (
        applications.submitted(applications.person(f"ret-{who}"))
        for who in ("old", "recent", "grantee", "awaited")
    )
    for event in (
        old,
        recent,
        grantee,
        applications.accepted(grantee),
        awaited,
        applications.accepted(awaited),
    ):
        await service.bus.publish(event)
    await _delivered(service, smtp, old, mails=1, messages=2)
    await _delivered(service, smtp, recent, mails=1, messages=2)
    await _delivered(service, smtp, grantee, mails=2, messages=4)
    await _delivered(service, smtp, awaited, mails=2, messages=4)
    old_id, recent_id, grantee_id, awaited_id = (
        e.applicant.person_id for e in (old, recent, grantee, awaited)
    )

    # The old applicant: everything happened 400 days ago, the inbox message was read then.
    await service.sql(
        "UPDATE messages SET sent_at = $2::timestamptz, read_at = CASE WHEN channel = 'inbox' THEN $2::timestamptz END,"
        " updated_at = $2::timestamptz"
        " WHERE recipient_id = $1",
        old_id,
        NOW - 400 * DAY,
    )
    await service.sql("UPDATE recipients SET updated_at = $2 WHERE person_id = $1", old_id, NOW - 400 * DAY)
    # Both applications were remembered four years ago (their calls were never announced here).
    await service.sql(
        "UPDATE applications SET remembered_at = $1 WHERE applicant_id = ANY($2::text[])",
        NOW - 1500 * DAY,
        [old_id, grantee_id],
    )
    # The recent applicant's e-mail went 29 days ago; their inbox message arrived 364 days ago, unread.
    for channel, age in (("email", 29 * DAY), ("inbox", 364 * DAY)):
        await service.sql(
            "UPDATE messages SET sent_at = $3, updated_at = $3 WHERE recipient_id = $1 AND channel = $2",
            recent_id,
            channel,
            NOW - age,
        )
    await service.sql(
        "UPDATE messages SET created_at = $2, updated_at = $2 WHERE recipient_id = $1 AND status = 'pending'",
        grantee_id,
        NOW - 1500 * DAY,
    )
    # The awaited report's author: nothing about them changed for 400 days (their mails were sent
    # recently, so none is due) and their application is already forgotten; only the pending
    # report reminders still refer to them, and they keep the contact the reminders are sent to.
    await service.sql("DELETE FROM applications WHERE applicant_id = $1", awaited_id)
    await service.sql(
        "UPDATE messages SET updated_at = $2 WHERE recipient_id = $1", awaited_id, NOW - 400 * DAY
    )
    await service.sql(
        "UPDATE recipients SET updated_at = $2 WHERE person_id = $1", awaited_id, NOW - 400 * DAY
    )
    # Three runs: one ended 100 days ago with an enrolment, one ended 10 days ago, and one ended
    # 100 days ago that a pending reminder still speaks of.
    old_run, recent_run, spoken_of_run = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for run_id, ended in (
        (old_run, NOW - 100 * DAY),
        (recent_run, NOW - 10 * DAY),
        (spoken_of_run, NOW - 100 * DAY),
    ):
        session = {
            "session_id": str(uuid.uuid4()),
            "starts_at": (ended - DAY).isoformat(),
            "ends_at": ended.isoformat(),
        }
        await service.sql(
            "INSERT INTO runs (run_id, offering_id, kind, title, sessions, timezone, modality, language, hours)"
            " VALUES ($1, $2, 'course', '{\"es\": \"Curso\"}', $3::jsonb, 'America/Lima', 'online', 'es', '10')",
            run_id,
            uuid.uuid4(),
            json.dumps([session]),
        )
    await service.sql(
        "INSERT INTO enrolments (enrolment_id, run_id, offering_id, person_id, status)"
        " VALUES ($1, $2, $3, $4, 'enrolled')",
        uuid.uuid4(),
        old_run,
        uuid.uuid4(),
        "someone-enrolled",
    )
    await service.sql(
        "UPDATE messages SET context = context || jsonb_build_object('run_id', $2::text)"
        " WHERE id = (SELECT id FROM messages WHERE recipient_id = $1 AND status = 'pending' ORDER BY id LIMIT 1)",
        awaited_id,
        str(spoken_of_run),
    )
    grantee_pending = {
        key: (row["status"], row["context"]) for key, row in (await _messages(service, grantee_id)).items()
    }

    old_keys = _keys(await _messages(service, old_id))

    erased = await _run_retention(service, http)

    assert {table: rows for table, rows in erased.items() if rows and table != "delivery_attempts"} == {
        "messages": 2,  # the old applicant's e-mail (sent > 30 days) and read inbox message (read > 90 days)
        "applications": 1,  # the old applicant's; the grantee's is kept by its pending reminders
        "enrolments": 1,
        "runs": 1,
        "recipients": 1,  # the old applicant's contact: nothing refers to them any more
    }
    old_messages = await _messages(service, old_id)
    assert len(old_messages) == 2
    assert _keys(old_messages) == old_keys
    for row in old_messages.values():
        # The key and the metadata stay; the content and the address are gone.
        assert (row["status"], row["subject"], row["body"], row["address"]) == ("sent", None, None, None)
        assert json.loads(row["context"]) == {}
        assert row["erased_at"] is not None
        assert row["sent_at"] is not None
    assert sorted((row["channel"], row["attempts"]) for row in old_messages.values()) == [
        ("email", 1),
        ("inbox", 0),
    ]
    assert (
        await service.sql(
            "SELECT count(*) AS n FROM delivery_attempts a JOIN messages m ON m.id = a.message_id WHERE m.recipient_id = $1",
            old_id,
        )
    )[0]["n"] == 1
    assert await service.sql("SELECT * FROM recipients WHERE person_id = $1", old_id) == []
    inbox = await http.get(f"{service.url}/inbox", headers=service.token(old_id, "participant"))
    assert inbox.status_code == 200
    assert inbox.json()["items"] == []

    # Not due yet: an e-mail sent 29 days ago, an unread inbox message delivered 364 days ago.
    for row in (await _messages(service, recent_id)).values():
        assert row["erased_at"] is None
        assert row["body"] is not None
    inbox = await http.get(f"{service.url}/inbox", headers=service.token(recent_id, "participant"))
    assert [message["template"] for message in inbox.json()["items"]] == ["application_received"]
    # The grantee's pending reminders are untouched, and so are their contact and application.
    grantee_now = await _messages(service, grantee_id)
    assert {key: (row["status"], row["context"]) for key, row in grantee_now.items()} == grantee_pending
    assert sorted(row["status"] for row in grantee_now.values()) == ["pending"] * 4 + ["sent"] * 4
    assert (
        len(
            await service.sql(
                "SELECT 1 FROM recipients WHERE person_id = $1 AND email IS NOT NULL", grantee_id
            )
        )
        == 1
    )
    assert len(await service.sql("SELECT 1 FROM applications WHERE applicant_id = $1", grantee_id)) == 1
    awaited_now = await _messages(service, awaited_id)
    assert sorted(row["status"] for row in awaited_now.values()) == ["pending"] * 4 + ["sent"] * 4
    assert all(row["erased_at"] is None for row in awaited_now.values())
    assert (
        len(
            await service.sql(
                "SELECT 1 FROM recipients WHERE person_id = $1 AND email IS NOT NULL", awaited_id
            )
        )
        == 1
    )
    assert {row["run_id"] for row in await service.sql("SELECT run_id FROM runs")} == {
        recent_run,
        spoken_of_run,
    }

    # Idempotent: a second run finds nothing.
    assert not any((await _run_retention(service, http)).values())

    # Replaying the topic after the erasure sends nothing twice.
    mails_before = {
        e.applicant.email: len(smtp.mailbox.mails_to(e.applicant.email))
        for e in (old, recent, grantee, awaited)
    }
    count_before = (await service.sql("SELECT count(*) AS n FROM messages"))[0]["n"]
    await service.replay(http, "applications.application.v1")
    assert (await service.sql("SELECT count(*) AS n FROM messages"))[0]["n"] == count_before
    assert (
        await service.sql(
            "SELECT count(*) AS n FROM messages WHERE status = 'pending' AND next_attempt_at <= now()"
        )
    )[0]["n"] == 0
    assert {address: len(smtp.mailbox.mails_to(address)) for address in mails_before} == mails_before


async def test_only_an_operator_runs_the_job_or_erases_a_person(service: Any, http: Any) -> None:
    for roles in (("coordinator",), ("participant",)):
        headers = service.token("someone", *roles)
        assert (await http.post(f"{service.url}/retention/run", headers=headers)).status_code == 403
        assert (await http.post(f"{service.url}/people/someone/erasure", headers=headers)).status_code == 403
    assert (await http.post(f"{service.url}/retention/run")).status_code == 401


async def test_a_person_is_erased_on_request_keeping_only_the_keys_and_nothing_is_sent_again(
    service: Any, smtp: Any, http: Any, applications: Any
) -> None:
    application = applications.submitted(applications.person("ret-forget"))
    person_id, address = application.applicant.person_id, application.applicant.email
    await service.bus.publish(application)
    await service.bus.publish(applications.accepted(application))
    await _delivered(service, smtp, application, mails=2, messages=4)
    await http.put(
        f"{service.url}/preferences",
        json={"opted_out": ["run_reminder"]},
        headers=service.token(person_id, "participant"),
    )

    keys = _keys(await _messages(service, person_id))

    response = await http.post(
        f"{service.url}/people/{person_id}/erasure", headers=service.token("ops-1", "operator")
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert person_id not in response.text
    assert address not in response.text
    assert body["erased"]["messages"] == 8  # four sent, four pending cancelled, all erased
    assert body["erased"]["pending_cancelled"] == 4
    assert body["erased"]["recipients"] == 1
    assert body["erased"]["applications"] == 1
    rows = await _messages(service, person_id)
    assert len(rows) == 8  # the keys stay: the same events never make new messages
    assert _keys(rows) == keys
    for row in rows.values():
        assert (row["subject"], row["body"], row["address"], json.loads(row["context"])) == (
            None,
            None,
            None,
            {},
        )
        assert row["status"] in ("sent", "cancelled")
    assert await service.sql("SELECT * FROM recipients WHERE person_id = $1", person_id) == []
    assert await service.sql("SELECT * FROM applications WHERE applicant_id = $1", person_id) == []
    inbox = await http.get(f"{service.url}/inbox", headers=service.token(person_id, "participant"))
    assert inbox.json()["items"] == []
    # The audit names who asked and the person's pseudonym only.
    (audit,) = await service.sql("SELECT * FROM person_erasures WHERE id = $1", uuid.UUID(body["erasure_id"]))
    assert audit["requested_by"] == "ops-1"
    assert audit["person_pseudonym"].startswith("p-")
    assert person_id not in json.dumps({key: str(value) for key, value in dict(audit).items()})
    assert json.loads(audit["counts"]) == body["erased"]

    await service.replay(http, "applications.application.v1")
    assert len(smtp.mailbox.mails_to(address)) == 2
    assert await service.sql("SELECT * FROM recipients WHERE person_id = $1", person_id) == []
