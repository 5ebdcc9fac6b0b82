"""HTTP API of calls: the coordinator's drafting, publishing, closing, panel and decisions; the public listing."""

from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request, Response, status
from fastapi.responses import JSONResponse
from ibermuseos_contracts.types import CountryCode, LanguageTag
from ibermuseos_platform.idempotency import HEADER as IDEMPOTENCY_HEADER
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..application import calls as handlers
from ..application import decisions, evaluation, waitlist
from ..application.common import load_call
from ..application.ports import Page, UnitOfWork
from ..domain.applications import Outcome
from ..domain.calls import CallStatus, CallTerms, PanelMember, unknown_zone
from ..domain.errors import NotFound
from ..domain.values import Justification
from .dependencies import ContainerDep, Coordinator, CurrentActor, PageDep
from .views import (
    CallOut,
    OpenCallOut,
    PageOut,
    StandingOut,
    call_out,
    open_call_out,
    standing_out,
)

router = APIRouter(prefix="/calls", tags=["calls"])

IdempotencyKey = Annotated[
    str | None,
    Header(alias=IDEMPOTENCY_HEADER, description="Retrying with the same key returns the first answer"),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _limit_open_calls(request: Request, c: ContainerDep) -> None:
    c.open_calls_limiter.admit(request)


@router.get(
    "/open",
    response_model=list[OpenCallOut],
    summary="The calls open now, with their rules in Spanish, Portuguese and English (no token needed)",
    dependencies=[Depends(_limit_open_calls)],
    responses={429: {"description": "too many requests from this address; see Retry-After"}},
)
async def open_calls(c: ContainerDep, response: Response) -> list[OpenCallOut]:
    async with c.uow() as uow:
        found = await uow.calls.find([CallStatus.OPEN], Page(limit=100))
    now = c.clock.now()
    response.headers["Cache-Control"] = "public, max-age=60"
    return [open_call_out(call, now) for call in found if now < call.terms.closes_at]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CallOut,
    summary="Draft a call (coordinators)",
    responses={422: {"description": "every problem with the terms, listed"}},
)
async def draft_call(
    terms: CallTerms, c: ContainerDep, actor: Coordinator, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    async def command(uow: UnitOfWork) -> tuple[int, dict[str, Any]]:
        call = await handlers.draft_call(handlers.DraftCall(terms, actor), uow, c.clock)
        return status.HTTP_201_CREATED, call_out(call, c.clock.now(), full=True).model_dump(mode="json")

    return await c.idempotency.run(principal=actor.subject, key=idempotency_key, body=terms, command=command)


@router.get("", response_model=PageOut[CallOut], summary="Calls: coordinators see drafts too")
async def list_calls(c: ContainerDep, actor: CurrentActor, page: PageDep) -> PageOut[CallOut]:
    statuses = (
        None if actor.is_coordinator else [CallStatus.OPEN, CallStatus.CLOSED, CallStatus.RESULTS_RELEASED]
    )
    async with c.uow() as uow:
        found = await uow.calls.find(statuses, page)
    now = c.clock.now()
    return PageOut(
        items=[call_out(call, now, full=actor.is_coordinator) for call in found],
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{call_id}", response_model=CallOut, summary="One call; drafts only for coordinators")
async def get_call(call_id: UUID, c: ContainerDep, actor: CurrentActor) -> CallOut:
    async with c.uow() as uow:
        call = await load_call(uow, call_id)
    if call.status is CallStatus.DRAFT and not actor.is_coordinator:
        raise NotFound("No such call")
    return call_out(call, c.clock.now(), full=actor.is_coordinator)


@router.put("/{call_id}", response_model=CallOut, summary="Revise a draft call's terms (coordinators)")
async def revise_call(call_id: UUID, terms: CallTerms, c: ContainerDep, actor: Coordinator) -> CallOut:
    call = await handlers.revise_call(handlers.ReviseCall(call_id, terms, actor), c.uow(), c.clock)
    return call_out(call, c.clock.now(), full=True)


@router.post(
    "/{call_id}/publish",
    response_model=CallOut,
    summary="Publish a call: CallOpened; it accepts applications from its opening time to its deadline",
)
async def publish_call(call_id: UUID, c: ContainerDep, actor: Coordinator) -> CallOut:
    call = await handlers.publish_call(handlers.PublishCall(call_id, actor), c.uow(), c.clock)
    return call_out(call, c.clock.now(), full=True)


class JustificationIn(Strict):
    justification: Justification


@router.post(
    "/{call_id}/close",
    response_model=CallOut,
    summary="Close a call before its deadline, with a justification (calls close by themselves at the deadline)",
)
async def close_call(call_id: UUID, body: JustificationIn, c: ContainerDep, actor: Coordinator) -> CallOut:
    call = await handlers.close_call_early(
        handlers.CloseCallEarly(call_id, body.justification, actor), c.uow(), c.clock
    )
    return call_out(call, c.clock.now(), full=True)


@router.post(
    "/{call_id}/waitlist/close",
    response_model=CallOut,
    summary="Close a released call's waitlist, with a justification: whoever waits is rejected, nobody is promoted "
    "afterwards (waitlists also close by themselves at `waitlist_closes_at`)",
)
async def close_waitlist(
    call_id: UUID, body: JustificationIn, c: ContainerDep, actor: Coordinator
) -> CallOut:
    call = await waitlist.close_waitlist(
        waitlist.CloseWaitlist(call_id, body.justification, actor), c.uow(), c.clock
    )
    return call_out(call, c.clock.now(), full=True)


def _known_zone(name: str | None) -> str | None:
    if name is not None and unknown_zone(name):
        raise ValueError(f"'{name}' is not an IANA time zone")
    return name


class PanelMemberIn(Strict):
    evaluator_id: Annotated[
        str, Field(min_length=1, max_length=255, description="The evaluator's token subject")
    ]
    country: CountryCode
    name: Annotated[str | None, Field(min_length=1, max_length=300)] = None
    email: Annotated[
        str | None,
        Field(
            max_length=320,
            pattern=r"^[^@\s]+@[^@\s]+$",
            description="Where they are told of their assignments",
        ),
    ] = None
    preferred_language: LanguageTag | None = None
    timezone: Annotated[
        str | None,
        AfterValidator(_known_zone),
        Field(
            min_length=1,
            max_length=64,
            description="IANA time zone, e.g. Europe/Madrid: their messages tell dates and keep quiet hours in it",
        ),
    ] = None

    def member(self) -> PanelMember:
        return PanelMember(
            self.evaluator_id, self.country, self.name, self.email, self.preferred_language, self.timezone
        )


class PanelIn(Strict):
    evaluators: Annotated[list[PanelMemberIn], Field(min_length=1, max_length=100)]


@router.put(
    "/{call_id}/panel",
    response_model=CallOut,
    summary="Register the call's technical panel: evaluators and their countries (coordinators)",
)
async def register_panel(call_id: UUID, body: PanelIn, c: ContainerDep, actor: Coordinator) -> CallOut:
    members = [member.member() for member in body.evaluators]
    call = await handlers.register_panel(handlers.RegisterPanel(call_id, members, actor), c.uow(), c.clock)
    return call_out(call, c.clock.now(), full=True)


@router.post(
    "/{call_id}/panel/members",
    response_model=CallOut,
    summary="Add an evaluator to the panel, also while evaluation is under way (coordinators)",
)
async def add_panel_member(
    call_id: UUID, body: PanelMemberIn, c: ContainerDep, actor: Coordinator
) -> CallOut:
    call = await evaluation.add_panel_member(
        evaluation.AddPanelMember(call_id, body.member(), actor), c.uow(), c.clock
    )
    return call_out(call, c.clock.now(), full=True)


class AssignmentsOut(BaseModel):
    assigned: dict[UUID, list[str]]


@router.post(
    "/{call_id}/assignments",
    response_model=AssignmentsOut,
    summary="Assign the eligible applications of a closed call to evaluators without a conflict of interest",
)
async def assign(call_id: UUID, c: ContainerDep, actor: Coordinator) -> AssignmentsOut:
    chosen = await evaluation.assign_evaluators(evaluation.AssignEvaluators(call_id, actor), c.uow(), c.clock)
    return AssignmentsOut(assigned=chosen)


@router.get(
    "/{call_id}/ranking",
    response_model=StandingOut,
    summary="The ranking of evaluated applications, the drafted decisions and the budget (coordinators)",
)
async def ranking(call_id: UUID, c: ContainerDep, actor: Coordinator) -> StandingOut:
    async with c.uow() as uow:
        return standing_out(await decisions.standing(uow, call_id))


class ProposalIn(Strict):
    max_awards_per_country: Annotated[int | None, Field(ge=1, le=100)] = None
    waitlist_length: Annotated[int, Field(ge=0, le=500)] = 10


@router.post(
    "/{call_id}/proposal",
    response_model=StandingOut,
    summary="Draft awards that fill the budget in ranking order, a waitlist, and rejections (internal until released)",
)
async def propose(call_id: UUID, body: ProposalIn, c: ContainerDep, actor: Coordinator) -> StandingOut:
    await decisions.propose_awards(
        decisions.ProposeAwards(call_id, body.max_awards_per_country, body.waitlist_length, actor),
        c.uow(),
        c.clock,
    )
    async with c.uow() as uow:
        return standing_out(await decisions.standing(uow, call_id))


class DecisionIn(Strict):
    outcome: Outcome
    amount: Annotated[Decimal | None, Field(gt=0, max_digits=14, decimal_places=2)] = None
    justification: Justification


@router.put(
    "/{call_id}/decisions/{application_id}",
    response_model=StandingOut,
    summary="Adjust one drafted decision, with a justification; drafted awards never exceed the budget",
)
async def adjust(
    call_id: UUID, application_id: UUID, body: DecisionIn, c: ContainerDep, actor: Coordinator
) -> StandingOut:
    await decisions.adjust_decision(
        decisions.AdjustDecision(
            call_id, application_id, body.outcome, body.amount, body.justification, actor
        ),
        c.uow(),
        c.clock,
    )
    async with c.uow() as uow:
        return standing_out(await decisions.standing(uow, call_id))


@router.post(
    "/{call_id}/results",
    response_model=StandingOut,
    summary="Release the results: GrantAwarded, ApplicationWaitlisted and ApplicationRejected, all together",
)
async def release(call_id: UUID, c: ContainerDep, actor: Coordinator) -> StandingOut:
    await decisions.release_results(decisions.ReleaseResults(call_id, actor), c.uow(), c.clock)
    async with c.uow() as uow:
        return standing_out(await decisions.standing(uow, call_id))
