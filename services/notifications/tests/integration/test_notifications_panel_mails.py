"""Evaluators told of their assignments and reminded of the scoring deadline: the mails as the SMTP server received
them, in es, pt and en; one mail per evaluator and assignment round; the reminder lists what is left to score and
is dropped once nothing is."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ibermuseos_contracts.applications import (
    ApplicationScoredV1,
    DeclineGround,
    EvaluationAssignedV1,
    EvaluationDeclinedV1,
)
from ibermuseos_platform.testing.waiting import eventually

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)
LANGUAGES = {"es": "es", "pt": "pt-BR", "en": "en"}
RUN_ID = uuid.uuid4().hex[:6]
ASSIGNED_SUBJECT = {
    "es": "Tiene 2 solicitudes de beca para evaluar",
    "pt": "Você tem 2 candidaturas à bolsa para avaliar",
    "en": "You have 2 grant applications to evaluate",
}
REMINDER_SUBJECT = {
    "es": "Recordatorio: la evaluación vence el",
    "pt": "Lembrete: a avaliação vence em",
    "en": "Reminder: scoring is due on",
}
LEFT = {
    "es": "Le queda una solicitud por calificar",
    "pt": "Falta pontuar uma candidatura",
    "en": "You have one application left to score",
}


def evaluator(language: str) -> str:
    return f"evaluator-{language}-{RUN_ID}"


def assignment(
    language: str, application_id: uuid.UUID, call_id: uuid.UUID, round_id: uuid.UUID
) -> EvaluationAssignedV1:
    return EvaluationAssignedV1(
        application_id=application_id,
        call_id=call_id,
        call_year=2027,
        evaluator_id=evaluator(language),
        evaluator_name="Elena Ruiz",
        evaluator_email=f"{evaluator(language)}@panel.test",
        evaluator_language=LANGUAGES[language],
        round_id=round_id,
        round_assignments=2,
        score_by=NOW + timedelta(days=5),
        assigned_at=NOW,
    )


@pytest.mark.parametrize("language", list(LANGUAGES))
async def test_an_evaluator_gets_one_mail_per_round_then_a_reminder_of_what_is_left(
    notifications: Any, smtp: Any, applications: Any, language: str
) -> None:
    call_id, round_id = uuid.uuid4(), uuid.uuid4()
    application_ids = [uuid.uuid4(), uuid.uuid4()]
    for application_id in application_ids:
        await notifications.bus.publish(
            applications.submitted(
                applications.person("applicant"), application_id=application_id, call_id=call_id
            )
        )
    for application_id in application_ids:
        await notifications.bus.publish(assignment(language, application_id, call_id, round_id))
    address = f"{evaluator(language)}@panel.test"

    (mail,) = await smtp.mailbox.arrived(address, ASSIGNED_SUBJECT[language])
    assert mail.subject == ASSIGNED_SUBJECT[language]
    assert mail.message["Content-Language"] == LANGUAGES[language]
    assert mail.message["To"].addresses[0].display_name == "Elena Ruiz"
    for application_id in application_ids:
        assert f"https://portal.test/evaluations/{application_id}" in mail.text
    assert "Curso de museografía" in mail.text
    assert f'href="https://portal.test/evaluations/{application_ids[0]}"' in mail.html

    # One score is in: the reminder, made due now, lists only the other application.
    await notifications.bus.publish(
        ApplicationScoredV1(
            application_id=application_ids[0],
            call_id=call_id,
            evaluator_id=evaluator(language),
            scores={"relevance": 8},
            weighted_score=8,
            scored_at=NOW,
        )
    )

    async def scored_and_due() -> bool:
        rows = await notifications.sql(
            "SELECT 1 FROM evaluation_assignments WHERE application_id = $1 AND status = 'scored'",
            application_ids[0],
        )
        if not rows:
            return False
        due = await notifications.sql(
            "UPDATE messages SET next_attempt_at = now() WHERE recipient_id = $1 AND template = 'scoring_reminder' "
            "AND status = 'pending' RETURNING id",
            evaluator(language),
        )
        return len(due) == 2

    await eventually(scored_and_due, what="the reminder scheduled and the score recorded")
    (reminder,) = await smtp.mailbox.arrived(address, REMINDER_SUBJECT[language])
    assert LEFT[language] in reminder.text
    assert f"https://portal.test/evaluations/{application_ids[1]}" in reminder.text
    assert f"https://portal.test/evaluations/{application_ids[0]}" not in reminder.text
    assert len(smtp.mailbox.mails_to(address)) == 2


async def test_the_reminder_is_dropped_once_nothing_is_left_to_score(notifications: Any, smtp: Any) -> None:
    call_id, round_id, application_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    event = assignment("es", application_id, call_id, round_id).model_copy(
        update={
            "evaluator_id": f"dropped-{RUN_ID}",
            "round_assignments": 1,
            "evaluator_email": f"dropped-{RUN_ID}@panel.test",
        }
    )
    await notifications.bus.publish(event)
    await notifications.bus.publish(
        EvaluationDeclinedV1(
            application_id=application_id,
            call_id=call_id,
            evaluator_id=f"dropped-{RUN_ID}",
            ground=DeclineGround.UNAVAILABLE,
            reason="De viaje",
            declined_at=NOW,
        )
    )

    async def cancelled() -> bool:
        rows = await notifications.sql(
            "SELECT status, last_error FROM messages WHERE recipient_id = $1 AND template = 'scoring_reminder'",
            f"dropped-{RUN_ID}",
        )
        return len(rows) == 2 and all(r["status"] == "cancelled" for r in rows)

    await eventually(cancelled, what="the reminder cancelled")
    rows = await notifications.sql(
        "SELECT DISTINCT last_error FROM messages WHERE recipient_id = $1 AND template = 'scoring_reminder'",
        f"dropped-{RUN_ID}",
    )
    assert [r["last_error"] for r in rows] == ["nothing left to score"]


ONE_ASSIGNED_SUBJECT = {
    "es": "Tiene una solicitud de beca para evaluar",
    "pt": "Você tem uma candidatura à bolsa para avaliar",
    "en": "You have a grant application to evaluate",
}
# 12:00 UTC is 21:00 in Tokyo.
TOKYO_DEADLINE = {
    "es": "viernes, 11 de abril de 2031, 21:00 (hora de Japón)",
    "pt": "sexta-feira, 11 de abril de 2031, 21:00 (Horário do Japão)",
    "en": "Friday, April 11, 2031, 9:00\u202fPM (Japan Time)",
}


@pytest.mark.parametrize("language", list(LANGUAGES))
async def test_an_evaluator_with_a_registered_zone_is_told_the_deadline_on_their_clock(
    notifications: Any, smtp: Any, applications: Any, language: str
) -> None:
    call_id, round_id, application_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    evaluator_id = f"zoned-{language}-{RUN_ID}"
    score_by = datetime(2031, 4, 11, 12, 0, tzinfo=UTC)
    await notifications.bus.publish(
        applications.submitted(
            applications.person("applicant"), application_id=application_id, call_id=call_id
        )
    )
    await notifications.bus.publish(
        assignment(language, application_id, call_id, round_id).model_copy(
            update={
                "evaluator_id": evaluator_id,
                "evaluator_email": f"{evaluator_id}@panel.test",
                "evaluator_timezone": "Asia/Tokyo",
                "round_assignments": 1,
                "score_by": score_by,
            }
        )
    )

    (mail,) = await smtp.mailbox.arrived(f"{evaluator_id}@panel.test", ONE_ASSIGNED_SUBJECT[language])
    assert TOKYO_DEADLINE[language] in mail.text, mail.text
    # Quiet hours are kept in the zone the recipient row holds.
    [recipient] = await notifications.sql(
        "SELECT timezone, timezone_known FROM recipients WHERE person_id = $1", evaluator_id
    )
    assert (recipient["timezone"], recipient["timezone_known"]) == ("Asia/Tokyo", True)
