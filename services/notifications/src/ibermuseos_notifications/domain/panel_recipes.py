"""Which panel event tells which evaluator what: their assignments (one message per evaluator and assignment
round, however many applications it gave them) and, the day before the scoring deadline, what is left to score."""

import uuid
from datetime import datetime, timedelta
from uuid import UUID

from ibermuseos_contracts.applications import EvaluationAssignedV1

from .messages import Category, Notice

ASSIGNMENT_TEMPLATES: dict[str, Category] = {
    "evaluation_assigned": Category.EVALUATION_TASK,
    "scoring_reminder": Category.SCORING_REMINDER,
}
REMINDER_NAMESPACE = uuid.UUID("3c9b6a0e-5e51-4a8f-9d55-2f1e7c0b8a41")


def reminder_key(call_id: UUID, evaluator_id: str) -> UUID:
    """One scoring reminder per evaluator and call, whichever assignment scheduled it first."""
    return uuid.uuid5(REMINDER_NAMESPACE, f"{call_id}:{evaluator_id}")


def reminder_about(call_id: UUID, evaluator_id: str) -> str:
    return f"{call_id}:{evaluator_id}"


def scoring_reminder_moment(score_by: datetime, hours_before: float, now: datetime) -> datetime | None:
    """When to remind an evaluator of the scoring deadline, or None when that moment has passed."""
    moment = score_by - timedelta(hours=hours_before)
    return moment if moment > now else None


def evaluation_assigned(event: EvaluationAssignedV1) -> list[Notice]:
    """The evaluator is told what to score and by when: the notice is the round's, so every application of one
    round lands in the same message (sent once all of them are known)."""
    return [
        Notice(
            "evaluation_assigned",
            event.evaluator_id,
            ASSIGNMENT_TEMPLATES["evaluation_assigned"],
            str(event.round_id),
            {
                "round_id": str(event.round_id),
                "call_id": str(event.call_id),
                "call_year": event.call_year,
                "expected": event.round_assignments,
                "replacing": event.replaces is not None,
                "score_by": event.score_by.isoformat() if event.score_by else None,
            },
        )
    ]


def scoring_reminder(event: EvaluationAssignedV1, *, hours_before: float, now: datetime) -> list[Notice]:
    """An evaluator with a deadline is reminded the day before it, of whatever they have not scored by then."""
    if event.score_by is None:
        return []
    moment = scoring_reminder_moment(event.score_by, hours_before, now)
    if moment is None:
        return []
    return [
        Notice(
            "scoring_reminder",
            event.evaluator_id,
            ASSIGNMENT_TEMPLATES["scoring_reminder"],
            reminder_about(event.call_id, event.evaluator_id),
            {
                "call_id": str(event.call_id),
                "call_year": event.call_year,
                "evaluator_id": event.evaluator_id,
                "score_by": event.score_by.isoformat(),
            },
            not_before=moment,
        )
    ]
