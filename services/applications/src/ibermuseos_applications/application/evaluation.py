"""Commands of the technical panel's work: assigning evaluators, and their scores."""

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from ..domain.applications import Application, Status
from ..domain.assignment import ToAssign, assign
from ..domain.errors import Invalid, Issue, NotFound
from .access import Actor, is_assigned
from .common import audit, load_application, load_call
from .ports import Clock, UnitOfWork


@dataclass(frozen=True)
class AssignEvaluators:
    call_id: UUID
    actor: Actor


async def assign_evaluators(
    command: AssignEvaluators, uow: UnitOfWork, clock: Clock
) -> dict[UUID, list[str]]:
    """Every eligible, unassigned application of a closed call gets the call's number of evaluators,
    none of a conflicting country, spreading the work evenly; it can run again for late-eligible ones."""
    async with uow:
        call = await load_call(uow, command.call_id, lock=True)
        call.check_evaluation_may_start()
        if not call.panel:
            raise Invalid("The call has no panel", [Issue("panel", "register the technical panel first")])
        eligible = await uow.applications.in_call(call.id, [Status.ELIGIBLE])
        items = [
            ToAssign(a.id, a.applicant_id, a.conflicting_countries, a.submitted_at or a.created_at)
            for a in eligible
        ]
        chosen = assign(
            items,
            call.panel,
            call.terms.evaluators_per_application,
            await uow.applications.assignment_load(call.id),
        )
        now = clock.now()
        for application in eligible:
            members = chosen[application.id]
            application.assign([(m.evaluator_id, m.country) for m in members], now)
            await uow.applications.save(application)
            await audit(
                uow,
                at=now,
                actor=command.actor.subject,
                action="evaluators_assigned",
                call_id=call.id,
                application_id=application.id,
                evaluators=[m.evaluator_id for m in members],
            )
        await uow.commit()
    return {application_id: [m.evaluator_id for m in members] for application_id, members in chosen.items()}


async def assigned_application(uow: UnitOfWork, application_id: UUID, actor: Actor) -> Application:
    """An application assigned to the evaluator calling; any other does not exist for them."""
    application = await load_application(uow, application_id)
    if not is_assigned(actor, application) or application.status is Status.WITHDRAWN:
        raise NotFound("No such assignment")
    return application


@dataclass(frozen=True)
class ScoreApplication:
    application_id: UUID
    scores: dict[str, Decimal]
    comments: dict[str, str]
    actor: Actor


async def score_application(command: ScoreApplication, uow: UnitOfWork, clock: Clock) -> Application:
    """An assigned evaluator scores every criterion with a comment, once."""
    async with uow:
        application = await assigned_application(uow, command.application_id, command.actor)
        call = await load_call(uow, application.call_id)
        now = clock.now()
        application.score(
            terms=call.terms,
            evaluator_id=command.actor.subject,
            scores=command.scores,
            comments=command.comments,
            now=now,
        )
        await uow.applications.save(application)
        assignment = application.assignment_of(command.actor.subject)
        await audit(
            uow,
            at=now,
            actor=command.actor.subject,
            action="application_scored",
            call_id=call.id,
            application_id=application.id,
            weighted_score=float(assignment.weighted(call.terms)),
        )
        await uow.commit()
    return application
