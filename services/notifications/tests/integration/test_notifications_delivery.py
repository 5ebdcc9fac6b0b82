"""Delivery as the SMTP server sees it: retries with backoff, failures and bounces published, replays sending nothing twice."""

import json
import uuid
from typing import Any

import pytest
from ibermuseos_platform.testing.waiting import eventually

pytestmark = pytest.mark.integration


async def deliveries(d: Any, http: Any, person_id: str, *statuses: str) -> list[dict[str, Any]]:
    response = await http.get(
        f"{d.url}/deliveries",
        params=[("recipient_id", person_id), *[("status", status) for status in statuses]],
        headers=d.token("ops", "operator"),
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def one_delivery(d: Any, http: Any, person_id: str, *statuses: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    async def there() -> bool:
        found[:] = await deliveries(d, http, person_id, *statuses)
        return len(found) == 1

    await eventually(there, what=f"a delivery to {person_id} in {statuses}")
    detail = await http.get(f"{d.url}/deliveries/{found[0]['id']}", headers=d.token("ops", "operator"))
    assert detail.status_code == 200
    return dict(detail.json())


async def published(d: Any, event_name: str, notification_id: str) -> dict[str, Any]:
    """The event about `notification_id` on the service's private topic."""

    def has(records: list[Any]) -> bool:
        return any(_about(record, event_name, notification_id) for record in records)

    records = await d.bus.kafka.read("notifications.message.v1", until=has)
    (record,) = [record for record in records if _about(record, event_name, notification_id)]
    return dict(json.loads(record.value))


def _about(record: Any, event_name: str, notification_id: str) -> bool:
    headers = dict(record.headers)
    return (
        headers["ce_type"] == f"org.ibermuseos.notifications.{event_name}.v1".encode()
        and headers["ce_subject"] == notification_id.encode()
    )


async def test_a_relay_refusing_the_first_two_attempts_gets_the_mail_on_the_third(
    notifications: Any, smtp: Any, http: Any, applications: Any
) -> None:
    event = applications.submitted(applications.person("flaky2"))
    await notifications.bus.publish(event)
    delivery = await one_delivery(notifications, http, event.applicant.person_id, "sent")
    assert [(a["outcome"], a["code"]) for a in delivery["attempt_log"]] == [
        ("retry", 451),
        ("retry", 451),
        ("sent", None),
    ]
    assert smtp.mailbox.attempts[event.applicant.email] == 3
    assert len(smtp.mailbox.mails_to(event.applicant.email)) == 1
    delivered = await published(notifications, "NotificationDelivered", delivery["id"])
    assert delivered["attempts"] == 3
    assert delivered["relay"] == "primary"
    metrics = (await http.get(f"{notifications.url}/metrics")).text
    assert 'notifications_smtp_results_total{outcome="temporary",relay="primary"}' in metrics


async def test_a_relay_refusing_forever_leaves_a_failed_message_and_a_notification_failed(
    notifications: Any, smtp: Any, http: Any, applications: Any
) -> None:
    event = applications.submitted(applications.person("refuse"))
    await notifications.bus.publish(event)
    delivery = await one_delivery(notifications, http, event.applicant.person_id, "failed")
    assert [a["outcome"] for a in delivery["attempt_log"]] == ["retry", "retry", "retry", "exhausted"]
    assert delivery["last_error"] == "4.3.0 try again later"
    failed = await published(notifications, "NotificationFailed", delivery["id"])
    assert failed["reason"] == "retries_exhausted"
    assert failed["attempts"] == 4
    assert failed["recipient_id"] == event.applicant.person_id
    assert smtp.mailbox.mails_to(event.applicant.email) == []


async def test_a_permanent_refusal_fails_at_once_and_an_operator_resends_it(
    notifications: Any, smtp: Any, http: Any, applications: Any
) -> None:
    event = applications.submitted(applications.person("once"))
    await notifications.bus.publish(event)
    delivery = await one_delivery(notifications, http, event.applicant.person_id, "failed")
    assert [(a["outcome"], a["code"]) for a in delivery["attempt_log"]] == [("refused", 554)]
    assert (await published(notifications, "NotificationFailed", delivery["id"]))["reason"] == "refused"

    listed = await http.get(f"{notifications.url}/deliveries", headers=notifications.token("ops", "operator"))
    assert delivery["id"] in [row["id"] for row in listed.json()["items"]]
    response = await http.post(
        f"{notifications.url}/deliveries/{delivery['id']}/resend",
        headers=notifications.token("ops", "operator"),
    )
    assert response.status_code == 202, response.text
    again = await one_delivery(notifications, http, event.applicant.person_id, "sent")
    assert [a["outcome"] for a in again["attempt_log"]] == ["refused", "sent"]
    assert len(smtp.mailbox.mails_to(event.applicant.email)) == 1
    second = await http.post(
        f"{notifications.url}/deliveries/{delivery['id']}/resend",
        headers=notifications.token("ops", "operator"),
    )
    assert second.status_code == 409


async def test_an_address_refused_at_rcpt_bounces_is_marked_invalid_and_a_new_address_is_used(
    notifications: Any, smtp: Any, http: Any, applications: Any
) -> None:
    event = applications.submitted(applications.person("bounce"))
    person_id = event.applicant.person_id
    await notifications.bus.publish(event)
    delivery = await one_delivery(notifications, http, person_id, "bounced")
    bounced = await published(notifications, "NotificationBounced", delivery["id"])
    assert bounced["kind"] == "hard"
    assert bounced["address"] == event.applicant.email
    assert bounced["cause_type"] == "org.ibermuseos.applications.ApplicationSubmitted.v1"
    preferences = await http.get(
        f"{notifications.url}/preferences", headers=notifications.token(person_id, "participant")
    )
    assert preferences.json()["email_invalid"] is True

    # A decision about them still reaches the inbox; the mail fails at once, naming the invalid address.
    await notifications.bus.publish(applications.awarded(event))
    failed = await one_delivery(notifications, http, person_id, "failed")
    assert failed["attempt_log"] == []
    assert (await published(notifications, "NotificationFailed", failed["id"]))["reason"] == "address_invalid"
    resend = await http.post(
        f"{notifications.url}/deliveries/{failed['id']}/resend",
        headers=notifications.token("ops", "operator"),
    )
    assert resend.status_code == 409

    # The applications service asks for a new address; the next event carries it and it is used.
    fixed = event.model_copy(
        update={
            "application_id": uuid.uuid4(),
            "applicant": event.applicant.model_copy(update={"email": f"fixed-{person_id}@museu.example"}),
        }
    )
    await notifications.bus.publish(fixed)

    async def arrived() -> bool:
        return len(smtp.mailbox.mails_to(f"fixed-{person_id}@museu.example")) == 1

    await eventually(arrived, what="the acknowledgement at the new address")
    resend = await http.post(
        f"{notifications.url}/deliveries/{failed['id']}/resend",
        headers=notifications.token("ops", "operator"),
    )
    assert resend.status_code == 202

    async def award_arrived() -> bool:
        return len(smtp.mailbox.mails_to(f"fixed-{person_id}@museu.example")) == 2

    await eventually(award_arrived, what="the resent award at the new address")


async def test_a_bounce_reported_by_the_relays_webhook_marks_the_message_once(
    notifications: Any, smtp: Any, http: Any, applications: Any
) -> None:
    event = applications.submitted(applications.person("later-bounce"))
    await notifications.bus.publish(event)

    async def arrived() -> bool:
        return len(smtp.mailbox.mails_to(event.applicant.email)) == 1

    await eventually(arrived, what="the acknowledgement")
    (mail,) = smtp.mailbox.mails_to(event.applicant.email)
    report = {
        "message_id": str(mail.message["Message-ID"]).strip(),
        "kind": "hard",
        "diagnostic": "550 mailbox gone",
    }
    operator = notifications.token("ops", "operator")
    forbidden = await http.post(
        f"{notifications.url}/bounces", json=report, headers=notifications.token("x", "participant")
    )
    assert forbidden.status_code == 403
    first = await http.post(f"{notifications.url}/bounces", json=report, headers=operator)
    second = await http.post(f"{notifications.url}/bounces", json=report, headers=operator)
    assert (first.status_code, first.json()) == (202, {"recorded": True})
    assert (second.status_code, second.json()) == (202, {"recorded": False})
    notification_id = str(mail.message["X-Ibermuseos-Notification-Id"])
    bounced = await published(notifications, "NotificationBounced", notification_id)
    assert bounced["detail"] == "550 mailbox gone"
    unknown = await http.post(
        f"{notifications.url}/bounces", json={**report, "message_id": f"<{uuid.uuid4()}@x>"}, headers=operator
    )
    assert unknown.status_code == 404
    invalid = await http.post(
        f"{notifications.url}/bounces", json={"kind": "hard", "status": "x"}, headers=operator
    )
    assert invalid.status_code == 422


async def test_replaying_the_topics_sends_nothing_twice(
    notifications: Any, smtp: Any, http: Any, applications: Any
) -> None:
    events = [
        applications.submitted(applications.person("replay-a")),
        applications.submitted(applications.person("replay-b"), language="en"),
    ]
    events.append(applications.awarded(events[0]))
    for event in events:
        await notifications.bus.publish(event)
    addresses = [event.applicant.email for event in events[:2]]

    async def all_arrived() -> bool:
        return [len(smtp.mailbox.mails_to(address)) for address in addresses] == [2, 1]

    await eventually(all_arrived, what="the first deliveries")
    before = (await notifications.sql("SELECT count(*) AS n FROM messages"))[0]["n"]
    replayed = await notifications.replay(http, "applications.application.v1")
    assert replayed >= len(events)
    assert (await notifications.sql("SELECT count(*) AS n FROM messages"))[0]["n"] == before
    # Nothing new is due: a delivery pass after the replay finds no message to send.
    assert (
        await notifications.sql(
            "SELECT count(*) AS n FROM messages WHERE status = 'pending' AND next_attempt_at <= now()"
        )
    )[0]["n"] == 0
    assert [len(smtp.mailbox.mails_to(address)) for address in addresses] == [2, 1]
    for event in events[:2]:
        inbox = await http.get(
            f"{notifications.url}/inbox",
            headers=notifications.token(event.applicant.person_id, "participant"),
        )
        assert len(inbox.json()["items"]) == (2 if event is events[0] else 1)


async def test_a_message_that_cannot_be_addressed_fails_alone_and_a_hundred_others_go_out(
    notifications: Any, smtp: Any, http: Any, applications: Any
) -> None:
    # A line break in the name would write a header of its own (Bcc: …): email.headerregistry refuses it.
    poisoned = applications.submitted(applications.person("poison"), name="Evil\r\nBcc: victim@evil.example")
    await notifications.bus.publish(poisoned)

    async def recorded() -> bool:
        rows = await notifications.sql(
            "SELECT 1 FROM messages WHERE recipient_id = $1 AND channel = 'email'",
            poisoned.applicant.person_id,
        )
        return bool(rows)

    # Recorded first, it is due before every other: a loop that stopped at it would hold them all.
    await eventually(recorded, what="the poisoned message recorded")
    others = [applications.submitted(applications.person("crowd")) for _ in range(100)]
    for event in others:
        await notifications.bus.publish(event)

    async def all_delivered() -> bool:
        return all(len(smtp.mailbox.mails_to(event.applicant.email)) == 1 for event in others)

    await eventually(all_delivered, timeout=120, what="the hundred acknowledgements")
    failed = await one_delivery(notifications, http, poisoned.applicant.person_id, "failed")
    assert failed["failure_reason"] == "address_invalid"
    assert failed["last_error"].startswith("the message cannot be addressed")
    assert failed["attempt_log"] == []
    event = await published(notifications, "NotificationFailed", failed["id"])
    assert event["reason"] == "address_invalid"
    assert smtp.mailbox.mails_to(poisoned.applicant.email) == []
    assert smtp.mailbox.mails_to("victim@evil.example") == []
    metrics = (await http.get(f"{notifications.url}/metrics")).text
    assert 'notifications_messages_failed_total{reason="address_invalid"}' in metrics
    # Their inbox has no header to break: the acknowledgement is there.
    inbox = await http.get(
        f"{notifications.url}/inbox", headers=notifications.token(poisoned.applicant.person_id, "participant")
    )
    assert [message["template"] for message in inbox.json()["items"]] == ["application_received"]
