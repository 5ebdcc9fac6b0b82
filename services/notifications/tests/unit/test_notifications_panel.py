"""The technical panel's notices: one message per evaluator and assignment round, the deadline's reminder."""

import uuid
from datetime import UTC, datetime, timedelta

from ibermuseos_contracts import Envelope
from ibermuseos_contracts.applications import EvaluationAssignedV1
from ibermuseos_notifications.application import panel_notices
from ibermuseos_notifications.application.ports import Policy
from ibermuseos_notifications.domain import panel_recipes
from ibermuseos_notifications.domain.messages import Category, Message
from ibermuseos_notifications.domain.recipients import Contact

NOW = datetime(2027, 4, 1, 12, tzinfo=UTC)
ROUND = uuid.uuid4()
CALL = uuid.uuid4()


def assigned(
    application: int, *, score_by: datetime | None = NOW + timedelta(days=10)
) -> EvaluationAssignedV1:
    return EvaluationAssignedV1(
        application_id=uuid.UUID(int=application),
        call_id=CALL,
        call_year=2027,
        evaluator_id="ev-es",
        evaluator_email="ev@panel.example",
        round_id=ROUND,
        round_assignments=2,
        score_by=score_by,
        assigned_at=NOW,
    )


def test_the_applications_of_one_round_make_one_message_per_evaluator_and_channel() -> None:
    messages = [
        message
        for application in (1, 2)
        for notice in panel_recipes.evaluation_assigned(assigned(application))
        for message in Message.from_notice(notice, cause_id=ROUND, cause_type="t", language="es", now=NOW)
    ]

    assert len({m.notification_id for m in messages}) == 2  # e-mail and inbox, not four
    assert {m.context["expected"] for m in messages} == {2}


def test_the_scoring_reminder_falls_the_day_before_the_deadline_once_per_evaluator_and_call() -> None:
    (reminder,) = panel_recipes.scoring_reminder(assigned(1), hours_before=24, now=NOW)

    assert reminder.not_before == NOW + timedelta(days=9)
    assert reminder.about == f"{CALL}:ev-es"
    assert panel_recipes.reminder_key(CALL, "ev-es") == panel_recipes.reminder_key(CALL, "ev-es")
    assert panel_recipes.reminder_key(CALL, "ev-es") != panel_recipes.reminder_key(CALL, "ev-pt")


def test_no_reminder_without_a_deadline_or_when_the_day_before_has_passed() -> None:
    assert panel_recipes.scoring_reminder(assigned(1, score_by=None), hours_before=24, now=NOW) == []
    late = assigned(1, score_by=NOW + timedelta(hours=5))
    assert panel_recipes.scoring_reminder(late, hours_before=24, now=NOW) == []


def test_assignments_go_out_at_once_and_the_scoring_reminder_cannot_be_opted_out_of() -> None:
    assert Category.EVALUATION_TASK.urgent
    assert not Category.SCORING_REMINDER.urgent
    assert not Category.SCORING_REMINDER.optional


class _Recipients:
    def __init__(self) -> None:
        self.contacts: list[Contact] = []

    async def remember(self, contact: Contact) -> None:
        self.contacts.append(contact)

    async def get(self, person_id: str) -> None:
        return None


class _Directory:
    async def remember_assignment(self, assignment: dict[str, object]) -> None:
        pass


class _Messages:
    def __init__(self) -> None:
        self.added: list[Message] = []

    async def add(self, message: Message) -> int:
        self.added.append(message)
        return 1


class _Uow:
    def __init__(self) -> None:
        self.recipients, self.directory, self.messages = _Recipients(), _Directory(), _Messages()


class _Clock:
    def now(self) -> datetime:
        return NOW


async def _contact_kept(event: EvaluationAssignedV1) -> Contact:
    uow = _Uow()
    await panel_notices.evaluation_assigned(
        event,
        Envelope.for_event(event),
        uow,  # type: ignore[arg-type]
        _Clock(),
        Policy(),
    )
    (contact,) = uow.recipients.contacts
    return contact


async def test_the_evaluators_registered_zone_is_kept_as_known_for_dates_and_quiet_hours() -> None:
    zoned = await _contact_kept(assigned(1).model_copy(update={"evaluator_timezone": "Europe/Madrid"}))
    unzoned = await _contact_kept(assigned(2))

    assert (zoned.timezone, zoned.timezone_known) == ("Europe/Madrid", True)
    assert (unzoned.timezone, unzoned.timezone_known) == (None, False)
