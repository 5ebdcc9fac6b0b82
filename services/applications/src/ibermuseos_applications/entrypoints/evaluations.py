"""HTTP API of the technical panel: an evaluator's assignments, the blind view of each, their scores and declines;
a coordinator's replacement of an evaluator."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from ibermuseos_contracts.applications import DeclineGround
from pydantic import BaseModel, ConfigDict, Field

from ..application import evaluation
from ..application.common import load_call
from ..domain.values import Justification
from .dependencies import ContainerDep, Coordinator, Evaluator, PageDep
from .views import (
    AssignmentOut,
    AssignmentSummaryOut,
    EvaluationOut,
    PageOut,
    assignment_out,
    evaluation_out,
)

router = APIRouter(prefix="/evaluations", tags=["evaluations"])


@router.get(
    "",
    response_model=PageOut[AssignmentSummaryOut],
    summary="Your assignments as an evaluator (withdrawn applications drop out)",
)
async def my_assignments(
    c: ContainerDep, actor: Evaluator, page: PageDep, call_id: UUID | None = None
) -> PageOut[AssignmentSummaryOut]:
    async with c.uow() as uow:
        found = await uow.applications.assigned_to(actor.subject, call_id, page)
    items = []
    for application in found:
        mine = application.assignment_of(actor.subject)
        items.append(
            AssignmentSummaryOut(
                application_id=application.id,
                call_id=application.call_id,
                status="scored" if mine.done else "to_score",
                activity=application.form.activity.title,
                country_of_residence=application.form.applicant.country_of_residence,
                assigned_at=mine.assigned_at,
            )
        )
    return PageOut(items=items, limit=page.limit, offset=page.offset)


@router.get(
    "/{application_id}",
    response_model=EvaluationOut,
    summary="An assigned application, without the applicant's name or contact; other scores once yours is in",
)
async def get_evaluation(application_id: UUID, c: ContainerDep, actor: Evaluator) -> EvaluationOut:
    async with c.uow() as uow:
        application = await evaluation.assigned_application(uow, application_id, actor)
        call = await load_call(uow, application.call_id)
    return evaluation_out(application, call, actor.subject)


class CriterionScoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: Annotated[Decimal, Field(ge=0, max_digits=5, decimal_places=2)]
    comment: Annotated[str, Field(min_length=1, max_length=2_000)]


class ScoresIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scores: Annotated[dict[str, CriterionScoreIn], Field(max_length=10)] = Field(
        description="Criterion id → score and comment; every criterion of the call"
    )


@router.post(
    "/{application_id}/scores",
    response_model=EvaluationOut,
    summary="Score every criterion with a comment (ApplicationScored); once per evaluator",
)
async def score(application_id: UUID, body: ScoresIn, c: ContainerDep, actor: Evaluator) -> EvaluationOut:
    application = await evaluation.score_application(
        evaluation.ScoreApplication(
            application_id,
            {name: item.score for name, item in body.scores.items()},
            {name: item.comment for name, item in body.scores.items()},
            actor,
        ),
        c.uow(),
        c.clock,
    )
    async with c.uow() as uow:
        call = await load_call(uow, application.call_id)
    return evaluation_out(application, call, actor.subject)


class DeclineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ground: DeclineGround
    reason: Justification = Field(description="Why: kept in the audit log; never on the public topic")


class DeclinedOut(BaseModel):
    application_id: UUID
    declined_at: datetime


@router.post(
    "/{application_id}/decline",
    response_model=DeclinedOut,
    summary="Give back an assignment you have not scored (EvaluationDeclined); another evaluator takes it",
)
async def decline(application_id: UUID, body: DeclineIn, c: ContainerDep, actor: Evaluator) -> DeclinedOut:
    application = await evaluation.decline_assignment(
        evaluation.DeclineAssignment(application_id, body.ground, body.reason, actor), c.uow(), c.clock
    )
    mine = next(a for a in application.assignments if a.evaluator_id == actor.subject)
    assert mine.released_at is not None
    return DeclinedOut(application_id=application.id, declined_at=mine.released_at)


class ReplacementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    justification: Justification
    replacement_id: Annotated[str | None, Field(min_length=1, max_length=255)] = Field(
        default=None, description="A member of the panel; omitted: the least loaded one who may evaluate it"
    )


class AssignmentsOfOut(BaseModel):
    application_id: UUID
    assignments: list[AssignmentOut]


@router.post(
    "/{application_id}/evaluators/{evaluator_id}/replacement",
    response_model=AssignmentsOfOut,
    summary="Take an unscored assignment from an evaluator and give it to another (coordinators; audited): "
    "EvaluationReassigned + EvaluationAssigned",
)
async def replace(
    application_id: UUID, evaluator_id: str, body: ReplacementIn, c: ContainerDep, actor: Coordinator
) -> AssignmentsOfOut:
    application = await evaluation.replace_evaluator(
        evaluation.ReplaceEvaluator(
            application_id, evaluator_id, body.justification, body.replacement_id, actor
        ),
        c.uow(),
        c.clock,
    )
    async with c.uow() as uow:
        call = await load_call(uow, application.call_id)
    return AssignmentsOfOut(
        application_id=application.id,
        assignments=[assignment_out(a, call.terms) for a in application.assignments],
    )
