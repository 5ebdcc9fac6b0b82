"""What the service does with the technical panel's events: keep each evaluator's assignments, tell them once per
assignment round, remind them of what they have not scored the day before the deadline, and stop reminding
when nothing is left."""

from uuid import UUID

from ibermuseos_contracts import Envelope
from ibermuseos_contracts.applications import (
    ApplicationScoredV1,
    EvaluationAssignedV1,
    EvaluationDeclinedV1,
    EvaluationReassignedV1,
)
from ibermuseos_kernel.clock import Clock

from ..domain import panel_recipes
from ..domain.recipients import Contact
from .notices import record
from .ports import Policy, UnitOfWork


async def evaluation_assigned(
    event: EvaluationAssignedV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    """The evaluator's contact (from the panel) is kept; the round's message and the deadline's reminder are
    recorded under keys of their own, so the round's other applications join them instead of adding mails."""
    await uow.recipients.remember(
        Contact(
            person_id=event.evaluator_id,
            name=event.evaluator_name,
            email=event.evaluator_email,
            preferred_language=event.evaluator_language,
            # The zone the coordinator registered; without one, the one known (else UTC) stays.
            timezone=event.evaluator_timezone,
            timezone_known=event.evaluator_timezone is not None,
        )
    )
    await uow.directory.remember_assignment(
        {
            "application_id": event.application_id,
            "evaluator_id": event.evaluator_id,
            "call_id": event.call_id,
            "round_id": event.round_id,
            "status": "to_score",
            "score_by": event.score_by,
        }
    )
    now = clock.now()
    await record(uow, panel_recipes.evaluation_assigned(event), envelope, now, cause_id=event.round_id)
    await record(
        uow,
        panel_recipes.scoring_reminder(event, hours_before=policy.scoring_hours_before, now=now),
        envelope,
        now,
        cause_id=panel_recipes.reminder_key(event.call_id, event.evaluator_id),
    )


async def _done_with(
    uow: UnitOfWork, call_id: UUID, application_id: UUID, evaluator_id: str, status: str
) -> None:
    await uow.directory.assignment_status(application_id, evaluator_id, status)
    if not await uow.directory.assignments_to_score(call_id, evaluator_id):
        await uow.messages.cancel_pending(
            panel_recipes.reminder_about(call_id, evaluator_id), ["scoring_reminder"], "nothing left to score"
        )


async def application_scored(
    event: ApplicationScoredV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    """A score handed in is not reminded of; an evaluator with nothing left is not reminded at all."""
    await _done_with(uow, event.call_id, event.application_id, event.evaluator_id, "scored")


async def evaluation_declined(
    event: EvaluationDeclinedV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    await _done_with(uow, event.call_id, event.application_id, event.evaluator_id, "released")


async def evaluation_reassigned(
    event: EvaluationReassignedV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    await _done_with(uow, event.call_id, event.application_id, event.evaluator_id, "released")
