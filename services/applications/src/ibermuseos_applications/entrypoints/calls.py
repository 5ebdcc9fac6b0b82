"""HTTP API of calls: the coordinator's drafting, publishing, closing, panel and decisions; the public listing."""

from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import JSONResponse
from ibermuseos_contracts.types import CountryCode, LanguageTag
from ibermuseos_platform.auth import CurrentCaller
from ibermuseos_platform.idempotency import IdempotencyKey
from ibermuseos_platform.inputs import Line, Name, Strict, TimeZoneName
from ibermuseos_platform.paging import Paged, paged
from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from ..application import calls as handlers
from ..application import decisions, evaluation, queries, waitlist
from ..application.ports import UnitOfWork
from ..domain.applications import Outcome
from ..domain.calls import CallTerms, PanelMember
from ..domain.values import Justification
from .dependencies import ContainerDep, Coordinator, PageDep, Responses
from .views import CallOut, OpenCallOut, StandingOut, call_out, open_call_out, standing_out

router = APIRouter(prefix="/calls", tags=["calls"])

CONFLICT: Responses = {
    409: {"description": "Not possible in the call's state now; `code` says which (e.g. `call_published`)"}
}


def _limit_open_calls(request: Request, c: ContainerDep) -> None:
    c.open_calls_limiter.admit(request)


@router.get(
    "/open",
    response_model=Paged[OpenCallOut],
    summary="The calls open now, with their rules in Spanish, Portuguese and English (no token needed)",
    dependencies=[Depends(_limit_open_calls)],
)
async def open_calls(
    request: Request, c: ContainerDep, page: PageDep, response: Response
) -> Paged[OpenCallOut]:
    now = c.clock.now()
    found = await queries.open_calls(c.uow(), now, page)
    response.headers["Cache-Control"] = "public, max-age=60"
    return paged(request, found, lambda call: open_call_out(call, now))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CallOut,
    summary="Draft a call (coordinators)",
    responses={422: {"description": "Every problem with the terms, listed"}},
)
async def draft_call(
    terms: CallTerms, c: ContainerDep, caller: Coordinator, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    async def command(uow: UnitOfWork) -> tuple[int, dict[str, Any]]:
        call = await handlers.draft_call(handlers.DraftCall(terms, caller), uow, c.clock)
        return status.HTTP_201_CREATED, call_out(call, c.clock.now(), full=True).model_dump(mode="json")

    return await c.idempotency.run(principal=caller.subject, key=idempotency_key, body=terms, command=command)


@router.get(
    "", response_model=Paged[CallOut], summary="Calls, the latest deadline first: coordinators see drafts too"
)
async def list_calls(
    request: Request, c: ContainerDep, caller: CurrentCaller, page: PageDep
) -> Paged[CallOut]:
    found = await queries.calls(c.uow(), caller, page)
    now = c.clock.now()
    return paged(request, found, lambda call: call_out(call, now, full=caller.is_coordinator))


# `:uuid` keeps /calls/open out of these two: a PUT to it is a 405, not a call id that is not one.
@router.get("/{call_id:uuid}", response_model=CallOut, summary="One call; drafts only for coordinators")
async def get_call(call_id: UUID, c: ContainerDep, caller: CurrentCaller) -> CallOut:
    call = await queries.call(c.uow(), caller, call_id)
    return call_out(call, c.clock.now(), full=caller.is_coordinator)


@router.put(
    "/{call_id:uuid}",
    response_model=CallOut,
    summary="Revise a draft call's terms (coordinators)",
    responses={**CONFLICT, 422: {"description": "Every problem with the terms, listed"}},
)
async def revise_call(call_id: UUID, terms: CallTerms, c: ContainerDep, caller: Coordinator) -> CallOut:
    call = await handlers.revise_call(handlers.ReviseCall(call_id, terms, caller), c.uow(), c.clock)
    return call_out(call, c.clock.now(), full=True)


@router.post(
    "/{call_id}/publish",
    response_model=CallOut,
    summary="Publish a call: CallOpened; it accepts applications from its opening time to its deadline",
    responses={**CONFLICT, 422: {"description": "The call's deadline has passed"}},
)
async def publish_call(call_id: UUID, c: ContainerDep, caller: Coordinator) -> CallOut:
    call = await handlers.publish_call(handlers.PublishCall(call_id, caller), c.uow(), c.clock)
    return call_out(call, c.clock.now(), full=True)


class JustificationIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"justification": "The budget year ends early"}]}
    )

    justification: Justification


@router.post(
    "/{call_id}/close",
    response_model=CallOut,
    summary="Close a call before its deadline, with a justification (calls close by themselves at the deadline)",
    responses=CONFLICT,
)
async def close_call(call_id: UUID, body: JustificationIn, c: ContainerDep, caller: Coordinator) -> CallOut:
    call = await handlers.close_call_early(
        handlers.CloseCallEarly(call_id, body.justification, caller), c.uow(), c.clock
    )
    return call_out(call, c.clock.now(), full=True)


@router.post(
    "/{call_id}/waitlist/close",
    response_model=CallOut,
    summary="Close a released call's waitlist, with a justification: whoever waits is rejected, nobody is promoted "
    "afterwards (waitlists also close by themselves at `waitlist_closes_at`)",
    responses={409: {"description": "`results_not_released`, or `waitlist_closed` already"}},
)
async def close_waitlist(
    call_id: UUID, body: JustificationIn, c: ContainerDep, caller: Coordinator
) -> CallOut:
    call = await waitlist.close_waitlist(
        waitlist.CloseWaitlist(call_id, body.justification, caller), c.uow(), c.clock
    )
    return call_out(call, c.clock.now(), full=True)


def _not_null(schema: dict[str, Any]) -> None:
    """A field that may be left out but not sent as null: its schema offers no null."""
    options = [option for option in schema.pop("anyOf", []) if option.get("type") != "null"]
    schema.update(options[0] if len(options) == 1 else {"anyOf": options})
    schema.pop("default", None)


class PanelMemberIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "evaluator_id": "ev-es",
                    "country": "ES",
                    "name": "Elena Ruiz",
                    "email": "elena@panel.example",
                    "preferred_language": "es",
                    "timezone": "Europe/Madrid",
                }
            ]
        }
    )

    evaluator_id: Annotated[
        Line, Field(min_length=1, max_length=255, description="The evaluator's token subject")
    ]
    country: CountryCode
    name: Name | None = None
    email: EmailStr | None = Field(
        default=None, max_length=320, description="Where they are told of their assignments"
    )
    preferred_language: LanguageTag | None = None
    timezone: TimeZoneName | None = Field(
        default=None,
        description="IANA time zone, e.g. Europe/Madrid: their messages tell dates and keep quiet hours in it "
        "(leave it out for none)",
        json_schema_extra=_not_null,
    )

    @field_validator("timezone", mode="before")
    @classmethod
    def _a_zone_or_nothing(cls, value: object) -> object:
        if value is None:
            raise ValueError("null is not an IANA time zone name; leave the field out for none")
        return value

    def member(self) -> PanelMember:
        return PanelMember(
            self.evaluator_id, self.country, self.name, self.email, self.preferred_language, self.timezone
        )


class PanelIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "evaluators": [
                        {"evaluator_id": "ev-es", "country": "ES", "timezone": "Europe/Madrid"},
                        {"evaluator_id": "ev-pt", "country": "PT"},
                    ]
                }
            ]
        }
    )

    evaluators: Annotated[list[PanelMemberIn], Field(min_length=1, max_length=100)]


@router.put(
    "/{call_id}/panel",
    response_model=CallOut,
    summary="Register the call's technical panel: evaluators and their countries (coordinators)",
    responses={409: {"description": "`evaluation_started`: evaluators already have assignments"}},
)
async def register_panel(call_id: UUID, body: PanelIn, c: ContainerDep, caller: Coordinator) -> CallOut:
    members = [member.member() for member in body.evaluators]
    call = await handlers.register_panel(handlers.RegisterPanel(call_id, members, caller), c.uow(), c.clock)
    return call_out(call, c.clock.now(), full=True)


@router.post(
    "/{call_id}/panel/members",
    response_model=CallOut,
    summary="Add an evaluator to the panel, also while evaluation is under way (coordinators)",
    responses={409: {"description": "`results_released`"}},
)
async def add_panel_member(
    call_id: UUID, body: PanelMemberIn, c: ContainerDep, caller: Coordinator
) -> CallOut:
    call = await evaluation.add_panel_member(
        evaluation.AddPanelMember(call_id, body.member(), caller), c.uow(), c.clock
    )
    return call_out(call, c.clock.now(), full=True)


class AssignmentsOut(BaseModel):
    assigned: dict[UUID, list[str]] = Field(description="Application id → the evaluators this round gave it")


@router.post(
    "/{call_id}/assignments",
    response_model=AssignmentsOut,
    summary="Assign the eligible applications of a closed call to evaluators without a conflict of interest",
    responses={
        **CONFLICT,
        422: {"description": "No panel, or applications the panel cannot cover (each listed)"},
    },
)
async def assign(call_id: UUID, c: ContainerDep, caller: Coordinator) -> AssignmentsOut:
    chosen = await evaluation.assign_evaluators(
        evaluation.AssignEvaluators(call_id, caller), c.uow(), c.clock
    )
    return AssignmentsOut(assigned=chosen)


@router.get(
    "/{call_id}/ranking",
    response_model=StandingOut,
    summary="The ranking of evaluated applications, the drafted decisions and the budget (coordinators)",
)
async def ranking(call_id: UUID, c: ContainerDep, caller: Coordinator) -> StandingOut:
    return standing_out(await queries.standing(c.uow(), call_id))


class ProposalIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"max_awards_per_country": 2, "waitlist_length": 10}]}
    )

    max_awards_per_country: Annotated[int | None, Field(ge=1, le=100)] = None
    waitlist_length: Annotated[int, Field(ge=0, le=500)] = 10


@router.post(
    "/{call_id}/proposal",
    response_model=StandingOut,
    summary="Draft awards that fill the budget in ranking order, a waitlist, and rejections (internal until released)",
    responses={
        409: {"description": "`call_not_closed`, `results_released`, or `evaluation_pending` (listed)"}
    },
)
async def propose(call_id: UUID, body: ProposalIn, c: ContainerDep, caller: Coordinator) -> StandingOut:
    standing = await decisions.propose_awards(
        decisions.ProposeAwards(call_id, body.max_awards_per_country, body.waitlist_length, caller),
        c.uow(),
        c.clock,
    )
    return standing_out(standing)


class DecisionIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "outcome": "award",
                    "amount": "1200.00",
                    "justification": "A smaller grant covers the course",
                }
            ]
        }
    )

    outcome: Outcome
    amount: Annotated[Decimal | None, Field(gt=0, max_digits=14, decimal_places=2)] = None
    justification: Justification


@router.put(
    "/{call_id}/decisions/{application_id}",
    response_model=StandingOut,
    summary="Adjust one drafted decision, with a justification; drafted awards never exceed the budget",
    responses={
        409: {"description": "`budget_exceeded`, `call_not_closed`, `results_released`, `wrong_status`"}
    },
)
async def adjust(
    call_id: UUID, application_id: UUID, body: DecisionIn, c: ContainerDep, caller: Coordinator
) -> StandingOut:
    standing = await decisions.adjust_decision(
        decisions.AdjustDecision(
            call_id, application_id, body.outcome, body.amount, body.justification, caller
        ),
        c.uow(),
        c.clock,
    )
    return standing_out(standing)


@router.post(
    "/{call_id}/results",
    response_model=StandingOut,
    summary="Release the results: GrantAwarded, ApplicationWaitlisted and ApplicationRejected, all together",
    responses={409: {"description": "`decisions_pending` (listed), `budget_exceeded`, `results_released`"}},
)
async def release(call_id: UUID, c: ContainerDep, caller: Coordinator) -> StandingOut:
    return standing_out(
        await decisions.release_results(decisions.ReleaseResults(call_id, caller), c.uow(), c.clock)
    )
