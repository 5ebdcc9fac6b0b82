"""Commands of the technical panel's work: assigning evaluators, declines and replacements, and their scores.

Each command writes the application's row too, whose version is checked: two changes to one evaluation at once
(a score and a replacement, say) cannot both commit, and the second is told to retry.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from ibermuseos_contracts.applications import DeclineGround
from ibermuseos_kernel.caller import Caller
from ibermuseos_kernel.clock import Clock
from ibermuseos_kernel.errors import Conflict, Invalid, Issue

from ..domain.applications import Application, Status
from ..domain.assignment import Round, assign, refusals, replacement
from ..domain.audit import SYSTEM
from ..domain.calls import Call, PanelMember
from ..domain.evaluations import Evaluation
from .common import assigned_application, audit, load_application, load_call
from .ports import UnitOfWork
from .queries import EvaluationView


@dataclass(frozen=True)
class AssignEvaluators:
    call_id: UUID
    caller: Caller


async def assign_evaluators(
    command: AssignEvaluators, uow: UnitOfWork, clock: Clock
) -> dict[UUID, list[str]]:
    """Every eligible, unassigned application of a closed call gets the call's number of evaluators, and every
    one short of evaluators (after a decline nobody could take) gets the missing ones: none of a conflicting
    country, never someone who already had it, spreading the work evenly; each evaluator is told once per round."""
    async with uow:
        call = await load_call(uow, command.call_id, lock=True)
        call.check_evaluation_may_start()
        if not call.panel:
            raise Invalid.one("panel", "register the technical panel first", "The call has no panel")
        terms = call.terms
        found = await uow.applications.in_call(call.id, [Status.ELIGIBLE, Status.UNDER_EVALUATION])
        evaluations = await uow.evaluations.of_all(found)
        short = [(a, evaluations[a.id]) for a in found if evaluations[a.id].vacancies(terms) > 0]
        chosen = assign(
            [evaluation.to_assign(terms) for _, evaluation in short],
            call.panel,
            terms.evaluators_per_application,
            await uow.evaluations.load(call.id),
        )
        assignment_round = Round.of(chosen)
        now = clock.now()
        for application, evaluation in short:
            members = chosen[application.id]
            evaluation.assign(
                members, application=application, terms=terms, now=now, assignment_round=assignment_round
            )
            await uow.applications.save(application)
            await uow.evaluations.save(evaluation)
            await audit(
                uow,
                at=now,
                actor=command.caller.subject,
                action="evaluators_assigned",
                call_id=call.id,
                application_id=application.id,
                evaluators=[m.evaluator_id for m in members],
            )
        await uow.commit()
    return {application_id: [m.evaluator_id for m in members] for application_id, members in chosen.items()}


async def _replace(
    uow: UnitOfWork,
    application: Application,
    evaluation: Evaluation,
    call: Call,
    now: datetime,
    *,
    leaving: str,
    by: str,
    member: PanelMember | None = None,
    justification: str | None = None,
) -> str | None:
    """`member`, or else the least loaded eligible member of the panel, takes the place of `leaving`;
    None when nobody may."""
    if member is None:
        member = replacement(
            evaluation.to_assign(call.terms), call.panel, await uow.evaluations.load(call.id)
        )
        if member is None:
            return None
    evaluation.assign([member], application=application, terms=call.terms, now=now, replaces=leaving)
    await audit(
        uow,
        at=now,
        actor=by,
        action="evaluator_reassigned",
        call_id=call.id,
        application_id=application.id,
        justification=justification,
        replaced=leaving,
        evaluator=member.evaluator_id,
    )
    return member.evaluator_id


@dataclass(frozen=True)
class DeclineAssignment:
    application_id: UUID
    ground: DeclineGround
    reason: str
    caller: Caller


async def decline_assignment(command: DeclineAssignment, uow: UnitOfWork, clock: Clock) -> Evaluation:
    """An assigned evaluator gives back an application they have not scored, saying why; another eligible
    member of the panel takes it at once when there is one (otherwise it waits for the next assignment round)."""
    async with uow:
        application, evaluation = await assigned_application(uow, command.application_id, command.caller)
        call = await load_call(uow, application.call_id, lock=True)
        now = clock.now()
        evaluator = command.caller.subject
        evaluation.decline(
            application=application,
            evaluator_id=evaluator,
            ground=command.ground,
            reason=command.reason,
            now=now,
        )
        await audit(
            uow,
            at=now,
            actor=evaluator,
            action="assignment_declined",
            call_id=call.id,
            application_id=application.id,
            justification=command.reason,
            ground=command.ground.value,
        )
        await _replace(uow, application, evaluation, call, now, leaving=evaluator, by=SYSTEM)
        await uow.applications.save(application)
        await uow.evaluations.save(evaluation)
        await uow.commit()
    return evaluation


@dataclass(frozen=True)
class ReplaceEvaluator:
    application_id: UUID
    evaluator_id: str
    justification: str
    replacement_id: str | None
    """Who takes the assignment; None: the least loaded eligible member of the panel."""
    caller: Caller


async def replace_evaluator(
    command: ReplaceEvaluator, uow: UnitOfWork, clock: Clock
) -> tuple[Evaluation, Call]:
    """A coordinator takes an unscored assignment from an evaluator, with a justification, and gives it to another
    member of the panel who may evaluate it (chosen, or the least loaded eligible one)."""
    async with uow:
        application = await load_application(uow, command.application_id)
        evaluation = await uow.evaluations.of(application)
        call = await load_call(uow, application.call_id, lock=True)
        chosen = None
        if command.replacement_id is not None:
            chosen = call.panel_member(command.replacement_id)
            item = evaluation.to_assign(call.terms)
            problems = ["is not on the call's panel"] if chosen is None else refusals(item, chosen)
            if problems:
                raise Invalid(
                    "That evaluator cannot take the assignment",
                    [Issue("replacement_id", problem) for problem in problems],
                )
        now = clock.now()
        evaluation.take_from(
            application=application,
            evaluator_id=command.evaluator_id,
            justification=command.justification,
            by=command.caller.subject,
            now=now,
        )
        await audit(
            uow,
            at=now,
            actor=command.caller.subject,
            action="evaluator_removed",
            call_id=call.id,
            application_id=application.id,
            justification=command.justification,
            evaluator=command.evaluator_id,
        )
        replaced_by = await _replace(
            uow,
            application,
            evaluation,
            call,
            now,
            leaving=command.evaluator_id,
            by=command.caller.subject,
            member=chosen,
            # only a coordinator's own pick has been audited with the justification
            justification=None if chosen is None else command.justification,
        )
        if replaced_by is None:
            raise Conflict(
                "No other member of the panel may evaluate this application; add one to the panel first",
                code="no_eligible_evaluator",
            )
        await uow.applications.save(application)
        await uow.evaluations.save(evaluation)
        await uow.commit()
    return evaluation, call


@dataclass(frozen=True)
class AddPanelMember:
    call_id: UUID
    member: PanelMember
    caller: Caller


async def add_panel_member(command: AddPanelMember, uow: UnitOfWork, clock: Clock) -> Call:
    """The panel grows while evaluation is under way, so that declined assignments find someone to take them."""
    async with uow:
        call = await load_call(uow, command.call_id, lock=True)
        call.add_panel_member(command.member)
        await uow.calls.save(call)
        await audit(
            uow,
            at=clock.now(),
            actor=command.caller.subject,
            action="panel_member_added",
            call_id=call.id,
            evaluator_id=command.member.evaluator_id,
            country=command.member.country,
        )
        await uow.commit()
    return call


@dataclass(frozen=True)
class ScoreApplication:
    application_id: UUID
    scores: dict[str, Decimal]
    comments: dict[str, str]
    caller: Caller


async def score_application(command: ScoreApplication, uow: UnitOfWork, clock: Clock) -> EvaluationView:
    """An assigned evaluator scores every criterion with a comment, once; the last of the call's number of
    evaluators makes the application evaluated."""
    async with uow:
        application, evaluation = await assigned_application(uow, command.application_id, command.caller)
        call = await load_call(uow, application.call_id)
        now = clock.now()
        evaluation.score(
            application=application,
            terms=call.terms,
            evaluator_id=command.caller.subject,
            scores=command.scores,
            comments=command.comments,
            now=now,
        )
        await uow.applications.save(application)
        await uow.evaluations.save(evaluation)
        assignment = evaluation.assignment_of(command.caller.subject)
        await audit(
            uow,
            at=now,
            actor=command.caller.subject,
            action="application_scored",
            call_id=call.id,
            application_id=application.id,
            weighted_score=float(assignment.weighted(call.terms)),
        )
        await uow.commit()
    return EvaluationView(application, call, evaluation, command.caller.subject)
