"""HTTP API of the technical panel: an evaluator's assignments, the blind view of each, their scores and declines;
a coordinator's replacement of an evaluator."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request
from ibermuseos_contracts.applications import DeclineGround
from ibermuseos_platform.inputs import Line, Prose, Strict
from ibermuseos_platform.paging import Paged, paged
from pydantic import BaseModel, ConfigDict, Field

from ..application import evaluation, queries
from ..domain.calls import CriterionId
from ..domain.values import Justification
from .dependencies import ContainerDep, Coordinator, Evaluator, PageDep, Responses
from .views import (
    AssignmentOut,
    AssignmentSummaryOut,
    EvaluationOut,
    assignment_out,
    assignment_summary_out,
    evaluation_out,
)

router = APIRouter(prefix="/evaluations", tags=["evaluations"])

NOT_UNDER_EVALUATION: Responses = {
    409: {"description": "`already_scored`, or the application is no longer under evaluation"}
}


@router.get(
    "",
    response_model=Paged[AssignmentSummaryOut],
    summary="Your assignments as an evaluator (withdrawn applications drop out)",
)
async def my_assignments(
    request: Request, c: ContainerDep, caller: Evaluator, page: PageDep, call_id: UUID | None = None
) -> Paged[AssignmentSummaryOut]:
    found = await queries.assignments(c.uow(), caller, call_id, page)
    return paged(request, found, assignment_summary_out)


@router.get(
    "/{application_id}",
    response_model=EvaluationOut,
    summary="An assigned application, without the applicant's name or contact; other scores once yours is in",
)
async def get_evaluation(application_id: UUID, c: ContainerDep, caller: Evaluator) -> EvaluationOut:
    return evaluation_out(await queries.evaluation(c.uow(), caller, application_id))


class CriterionScoreIn(Strict):
    score: Annotated[Decimal, Field(ge=0, max_digits=5, decimal_places=2)]
    comment: Annotated[Prose, Field(min_length=1, max_length=2_000)]


class ScoresIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "scores": {
                        "relevance": {"score": "8", "comment": "Pertinente para el acervo"},
                        "impact": {"score": "6.5", "comment": "Réplica a tres museos"},
                    }
                }
            ]
        }
    )

    scores: Annotated[dict[CriterionId, CriterionScoreIn], Field(max_length=10)] = Field(
        description="Criterion id → score and comment; every criterion of the call"
    )


@router.post(
    "/{application_id}/scores",
    response_model=EvaluationOut,
    summary="Score every criterion with a comment (ApplicationScored); once per evaluator",
    responses={
        **NOT_UNDER_EVALUATION,
        422: {"description": "Every criterion missing, out of range or unexplained"},
    },
)
async def score(application_id: UUID, body: ScoresIn, c: ContainerDep, caller: Evaluator) -> EvaluationOut:
    view = await evaluation.score_application(
        evaluation.ScoreApplication(
            application_id,
            {name: item.score for name, item in body.scores.items()},
            {name: item.comment for name, item in body.scores.items()},
            caller,
        ),
        c.uow(),
        c.clock,
    )
    return evaluation_out(view)


class DeclineIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"ground": "conflict_of_interest", "reason": "Conozco a la postulante"}]
        }
    )

    ground: DeclineGround
    reason: Justification = Field(description="Why: kept in the audit log; never on the public topic")


class DeclinedOut(BaseModel):
    application_id: UUID
    declined_at: datetime


@router.post(
    "/{application_id}/decline",
    response_model=DeclinedOut,
    summary="Give back an assignment you have not scored (EvaluationDeclined); another evaluator takes it",
    responses=NOT_UNDER_EVALUATION,
)
async def decline(application_id: UUID, body: DeclineIn, c: ContainerDep, caller: Evaluator) -> DeclinedOut:
    given_back = await evaluation.decline_assignment(
        evaluation.DeclineAssignment(application_id, body.ground, body.reason, caller), c.uow(), c.clock
    )
    mine = next(a for a in given_back.assignments if a.evaluator_id == caller.subject)
    assert mine.released_at is not None
    return DeclinedOut(application_id=application_id, declined_at=mine.released_at)


class ReplacementIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"justification": "Sin respuesta en tres semanas", "replacement_id": "ev-uy"}]
        }
    )

    justification: Justification
    replacement_id: Annotated[Line | None, Field(min_length=1, max_length=255)] = Field(
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
    responses={
        409: {"description": "`no_eligible_evaluator`, `already_scored`, or not under evaluation"},
        422: {"description": "Why the chosen evaluator may not take it, each reason listed"},
    },
)
async def replace(
    application_id: UUID,
    evaluator_id: Annotated[Line, Path(min_length=1, max_length=255)],
    body: ReplacementIn,
    c: ContainerDep,
    caller: Coordinator,
) -> AssignmentsOfOut:
    replaced, call = await evaluation.replace_evaluator(
        evaluation.ReplaceEvaluator(
            application_id, evaluator_id, body.justification, body.replacement_id, caller
        ),
        c.uow(),
        c.clock,
    )
    return AssignmentsOfOut(
        application_id=application_id,
        assignments=[assignment_out(a, call.terms) for a in replaced.assignments],
    )
