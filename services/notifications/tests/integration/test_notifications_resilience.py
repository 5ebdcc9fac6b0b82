"""A second relay takes over from a failing first one; scheduled messages survive a restart of the service; a
mail a relay accepted is not sent again for the database's absence, and one sent around a crash is flagged."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ibermuseos_contracts.common import Institution, InstitutionType, Modality
from ibermuseos_contracts.courses import (
    CourseRunScheduledV1,
    OfferingKind,
    Participant,
    ParticipantEnrolledV1,
    Session,
)
from ibermuseos_contracts.types import Localized
from ibermuseos_platform.testing.postgres import migrate
from ibermuseos_platform.testing.services import free_port
from ibermuseos_platform.testing.waiting import eventually

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[4]

NOW = datetime.now(UTC).replace(microsecond=0)
INSTITUTION = Institution(name="Museu", type=InstitutionType.MUSEUM, city="Lisboa", country="PT")


def course(person_id: str, starts_in: timedelta) -> tuple[CourseRunScheduledV1, ParticipantEnrolledV1]:
    run_id = uuid.uuid4()
    first = NOW + starts_in
    run = CourseRunScheduledV1(
        run_id=run_id,
        offering_id=uuid.uuid5(run_id, "o"),
        kind=OfferingKind.TRAINING_COURSE,
        title=Localized(es="Gestión de colecciones", pt="Gestão de coleções", en="Collections management"),
        subject_area="management",
        hours=Decimal("40.0"),
        sessions=[
            Session(session_id=uuid.uuid5(run_id, "1"), starts_at=first, ends_at=first + timedelta(hours=3))
        ],
        timezone="Europe/Lisbon",
        modality=Modality.ONLINE,
        language="pt",
        capacity=20,
        enrolment_opens_at=NOW - timedelta(days=1),
        enrolment_closes_at=first,
        eligible_countries=[],
        scheduled_at=NOW,
    )
    enrolment = ParticipantEnrolledV1(
        enrolment_id=uuid.uuid4(),
        run_id=run_id,
        offering_id=run.offering_id,
        kind=OfferingKind.TRAINING_COURSE,
        participant=Participant(
            person_id=person_id,
            name="Inês Costa",
            email=f"{person_id}@museu.example",
            # French is not a program language: the run's language (pt) is the next choice.
            preferred_language="fr",
            timezone="Europe/Lisbon",
            country="PT",
            institution=INSTITUTION,
        ),
        enrolled_at=NOW,
    )
    return run, enrolment


async def test_the_fallback_relay_takes_over_when_the_first_keeps_failing(
    start: Any, smtp_settings: Any, smtp_fallback: Any, http: Any
) -> None:
    dead = free_port()  # nothing listens there: every connection is refused
    deployment = await start(
        {
            **smtp_settings(dead),
            **smtp_settings(smtp_fallback.port, "NOTIFICATIONS_SMTP_FALLBACK"),
            "NOTIFICATIONS_DELIVERY__FAILOVER_AFTER": "2",
        },
        namespace="failover",
    )
    person_id = f"ines-{uuid.uuid4().hex[:6]}"
    for event in course(person_id, timedelta(days=10)):
        await deployment.bus.publish(event)

    async def arrived() -> bool:
        return len(smtp_fallback.mailbox.mails_to(f"{person_id}@museu.example")) == 1

    await eventually(arrived, what="the confirmation through the fallback relay")
    (mail,) = smtp_fallback.mailbox.mails_to(f"{person_id}@museu.example")
    assert mail.subject == "Inscrição confirmada: Gestão de coleções"
    assert mail.message["Content-Language"] == "pt"
    # The relay has the mail a moment before the service records that it was sent.
    detail = await _delivery(deployment, http, person_id)
    assert [(a["relay"], a["outcome"]) for a in detail["attempt_log"]] == [
        ("primary", "retry"),
        ("primary", "retry"),
        ("fallback", "sent"),
    ]
    assert detail["relay"] == "fallback"


async def test_a_scheduled_reminder_survives_a_restart_of_the_service(
    start: Any, smtp_settings: Any, smtp: Any, http: Any
) -> None:
    first = await start(smtp_settings(smtp.port), namespace="restart")
    person_id = f"restart-{uuid.uuid4().hex[:6]}"
    for event in course(person_id, timedelta(days=4)):
        await first.bus.publish(event)

    async def scheduled() -> bool:
        rows = await first.sql(
            "SELECT next_attempt_at FROM messages WHERE recipient_id = $1 AND template = 'run_reminder' AND status = 'pending'",
            person_id,
        )
        return len(rows) == 2

    await eventually(scheduled, what="the reminder scheduled")
    await first.service.stop()
    # While the service is down, the reminder's moment comes.
    await first.sql(
        "UPDATE messages SET next_attempt_at = now() WHERE recipient_id = $1 AND template = 'run_reminder'",
        person_id,
    )
    second = await start(
        smtp_settings(smtp.port), namespace="restart", database_url=first.service.database_url
    )

    async def reminded() -> bool:
        # The confirmation too: the first instance may have been stopped before it went out.
        subjects = {mail.subject for mail in smtp.mailbox.mails_to(f"{person_id}@museu.example")}
        return {"Amanhã começa Gestão de coleções", "Inscrição confirmada: Gestão de coleções"} <= subjects

    await eventually(reminded, what="the reminder after the restart")
    subjects = [mail.subject for mail in smtp.mailbox.mails_to(f"{person_id}@museu.example")]
    assert sorted(subjects) == [
        "Amanhã começa Gestão de coleções",
        "Inscrição confirmada: Gestão de coleções",
    ]

    async def in_the_inbox() -> bool:
        inbox = await http.get(f"{second.url}/inbox", headers=second.token(person_id, "participant"))
        return sorted(m["template"] for m in inbox.json()["items"]) == ["enrolment_confirmed", "run_reminder"]

    await eventually(in_the_inbox, what="the reminder in the inbox after the restart")


async def _sent(deployment: Any, person_id: str) -> bool:
    rows = await deployment.sql(
        "SELECT status FROM messages WHERE recipient_id = $1 AND channel = 'email'", person_id
    )
    return [row["status"] for row in rows] == ["sent"]


async def _delivery(deployment: Any, http: Any, person_id: str) -> dict[str, Any]:
    """The one delivery to the person listed as sent (once the service has recorded it), in detail."""
    operator = deployment.token("ops", "operator")
    sent: list[dict[str, Any]] = []

    async def listed() -> bool:
        answer = await http.get(
            f"{deployment.url}/deliveries",
            params={"status": "sent", "recipient_id": person_id},
            headers=operator,
        )
        sent[:] = answer.json()["items"]
        return bool(sent)

    await eventually(listed, what=f"a delivery to {person_id} listed as sent")
    (delivery,) = sent
    detail = await http.get(f"{deployment.url}/deliveries/{delivery['id']}", headers=operator)
    return dict(detail.json())


async def test_a_mail_the_relay_accepted_is_not_sent_again_when_the_database_was_away_meanwhile(
    start: Any, smtp_settings: Any, smtp: Any, http: Any, applications: Any, private_postgres: Any
) -> None:
    database_url = await private_postgres.databases.create("notifications")
    await migrate(database_url, REPO / "services" / "notifications" / "alembic.ini")
    deployment = await start(smtp_settings(smtp.port), namespace="database-away", database_url=database_url)
    try:
        event = applications.submitted(applications.person("db-away"))
        # The database goes away while the relay accepts the mail: after the 250, before its record.
        smtp.mailbox.on_accepting(event.applicant.email, private_postgres.stop)
        others = [applications.submitted(applications.person("db-away-other")) for _ in range(3)]
        for published in [event, *others]:
            await deployment.bus.publish(published)

        async def kept_while_away() -> bool:
            return "the relay's answer is kept" in deployment.service.log_tail(400)

        await eventually(kept_while_away, what="the relay's answer kept while the database is away")
        await asyncio.to_thread(private_postgres.start)

        async def recorded() -> bool:
            return await _sent(deployment, event.applicant.person_id) and all(
                len(smtp.mailbox.mails_to(other.applicant.email)) == 1 for other in others
            )

        await eventually(recorded, timeout=60, what="the sending recorded once the database is back")
        assert len(smtp.mailbox.mails_to(event.applicant.email)) == 1
        delivery = await _delivery(deployment, http, event.applicant.person_id)
        assert [(a["number"], a["outcome"]) for a in delivery["attempt_log"]] == [(1, "sent")]
        assert delivery["possible_duplicate"] is False
    finally:
        # Before its private database goes.
        await deployment.service.stop()


async def test_a_mail_sent_around_a_crash_goes_at_most_twice_and_operators_see_the_copy_flagged(
    start: Any, smtp_settings: Any, smtp: Any, http: Any, applications: Any
) -> None:
    env = {**smtp_settings(smtp.port), "NOTIFICATIONS_DELIVERY__SENDING_LEASE_SECONDS": "1"}
    first = await start(env, namespace="killed")
    event = applications.submitted(applications.person("killed"))
    # Killed while the relay accepts the mail: it never records the relay's answer.
    smtp.mailbox.on_accepting(event.applicant.email, first.service.process.kill)
    await first.bus.publish(event)

    async def killed() -> bool:
        return first.service.process.poll() is not None

    await eventually(killed, what="the service killed while sending")
    second = await start(env, namespace="killed", database_url=first.service.database_url)

    async def recorded() -> bool:
        return await _sent(second, event.applicant.person_id)

    await eventually(recorded, what="the mail sent again after the restart")
    copies = smtp.mailbox.mails_to(event.applicant.email)
    assert len(copies) == 2
    assert copies[0].message["Message-ID"] == copies[1].message["Message-ID"]
    delivery = await _delivery(second, http, event.applicant.person_id)
    assert delivery["possible_duplicate"] is True
    assert [(a["number"], a["outcome"]) for a in delivery["attempt_log"]] == [(1, "interrupted"), (2, "sent")]
    assert "may have accepted it" in delivery["attempt_log"][0]["detail"]
    metrics = (await http.get(f"{second.url}/metrics")).text
    assert "notifications_possible_duplicates_total 1.0" in metrics
