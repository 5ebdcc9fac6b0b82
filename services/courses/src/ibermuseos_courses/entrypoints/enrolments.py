"""HTTP API of enrolments: enrol (a seat or the waitlist), see, cancel."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, status
from fastapi.responses import JSONResponse
from ibermuseos_contracts.common import Gender, Institution, InstitutionType, Name
from ibermuseos_contracts.courses import OfferingKind, Participant
from ibermuseos_contracts.types import CountryCode, LanguageTag
from ibermuseos_platform.auth import Principal, Role, require
from ibermuseos_platform.idempotency import IdempotencyKey
from ibermuseos_platform.web import Problem
from pydantic import BaseModel, EmailStr, StringConstraints

from ..application import handlers, queries
from ..application.ports import UnitOfWork
from ..application.queries import EnrolmentView
from ..domain.enrolments import EnrolmentStatus
from ..domain.runs import zone
from .common import PROBLEMS, CallerDep, ContainerDep, PageDep, Strict

router = APIRouter(tags=["enrolments"])


class InstitutionIn(Strict):
    name: Name
    type: InstitutionType
    city: Name
    country: CountryCode


class EnrolIn(Strict):
    """The participant's details. Name and e-mail default to the token's claims."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = None
    email: EmailStr | None = None
    preferred_language: LanguageTag
    timezone: Annotated[str, StringConstraints(min_length=1, max_length=64)] = "UTC"
    gender: Gender | None = None
    country: CountryCode
    """The country the participant works in; checked against the run's eligible countries."""
    institution: InstitutionIn


class ParticipantOut(BaseModel):
    person_id: str
    name: str
    email: str
    preferred_language: str
    timezone: str
    gender: Gender | None
    country: str
    institution: Institution


class EnrolmentOut(BaseModel):
    id: UUID
    run_id: UUID
    offering_id: UUID
    kind: OfferingKind
    status: EnrolmentStatus
    participant: ParticipantOut
    arrival: int
    """Place in the run's order of arrival."""
    waitlist_position: int | None
    """1 is next in line; only while waitlisted."""
    requested_at: datetime
    enrolled_at: datetime | None
    from_waitlist: bool
    cancelled_at: datetime | None
    grade: Decimal | None
    outcome: str | None
    attendance_rate: float | None
    hours: Decimal | None
    evaluated_at: datetime | None


def enrolment_out(view: EnrolmentView) -> EnrolmentOut:
    e = view.enrolment
    return EnrolmentOut(
        id=e.id,
        run_id=e.run_id,
        offering_id=e.offering_id,
        kind=e.kind,
        status=e.status,
        participant=ParticipantOut(**e.participant.model_dump()),
        arrival=e.arrival,
        waitlist_position=view.position,
        requested_at=e.requested_at,
        enrolled_at=e.enrolled_at,
        from_waitlist=e.from_waitlist,
        cancelled_at=e.cancelled_at,
        grade=e.grade,
        outcome=e.outcome.value if e.outcome else None,
        attendance_rate=e.attendance_rate,
        hours=e.hours,
        evaluated_at=e.evaluated_at,
    )


def _participant(body: EnrolIn, principal: Principal) -> Participant:
    problems = []
    name = body.name or principal.name
    email = body.email or principal.email
    if not name:
        problems.append({"field": "body.name", "problem": "required (the token carries no name)"})
    if not email:
        problems.append({"field": "body.email", "problem": "required (the token carries no e-mail)"})
    if zone(body.timezone) is None:
        problems.append({"field": "body.timezone", "problem": "not an IANA time zone"})
    if problems or not name or not email:
        raise Problem(422, "The request is not valid", errors=problems)
    return Participant(
        person_id=principal.subject,
        name=name,
        email=email,
        preferred_language=body.preferred_language,
        timezone=body.timezone,
        gender=body.gender,
        country=body.country,
        institution=Institution(**body.institution.model_dump()),
    )


@router.post(
    "/runs/{run_id}/enrolments",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrolmentOut,
    summary="Enrol in a run: a seat while seats and your country's quota allow, else the waitlist",
    responses={
        409: {"description": "enrolment is not open, or you are enrolled already"},
        **PROBLEMS,
    },
)
async def enrol(
    run_id: UUID,
    body: EnrolIn,
    c: ContainerDep,
    principal: Annotated[Principal, Depends(require(Role.PARTICIPANT))],
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    participant = _participant(body, principal)

    async def command(uow: UnitOfWork) -> tuple[int, EnrolmentOut]:
        done = await handlers.enrol_participant(run_id, participant, uow, c.clock)
        return status.HTTP_201_CREATED, enrolment_out(EnrolmentView(done.enrolment, done.position))

    return await c.idempotency.run(
        principal=principal.subject,
        key=idempotency_key,
        body={"run_id": run_id, **body.model_dump()},
        command=command,
    )


@router.get(
    "/enrolments",
    response_model=list[EnrolmentOut],
    summary="Enrolments you may see: your own, your country's (focal points), your runs' (instructors), all (coordinators)",
)
async def list_enrolments(
    c: ContainerDep,
    caller: CallerDep,
    paging: PageDep,
    run_id: UUID | None = None,
    status: EnrolmentStatus | None = None,
    country: CountryCode | None = None,
) -> list[EnrolmentOut]:
    views = await queries.enrolments(
        c.uow(), caller, run_id=run_id, status=status, country=country, page=paging
    )
    return [enrolment_out(v) for v in views]


@router.get(
    "/runs/{run_id}/enrolments",
    response_model=list[EnrolmentOut],
    summary="A run's enrolments you may see, in arrival order",
)
async def list_run_enrolments(
    run_id: UUID,
    c: ContainerDep,
    caller: CallerDep,
    paging: PageDep,
    status: EnrolmentStatus | None = None,
) -> list[EnrolmentOut]:
    views = await queries.enrolments(c.uow(), caller, run_id=run_id, status=status, country=None, page=paging)
    return [enrolment_out(v) for v in views]


@router.get(
    "/enrolments/{enrolment_id}", response_model=EnrolmentOut, summary="One enrolment", responses=PROBLEMS
)
async def get_enrolment(enrolment_id: UUID, c: ContainerDep, caller: CallerDep) -> EnrolmentOut:
    return enrolment_out(await queries.enrolment(c.uow(), caller, enrolment_id))


class CancelledOut(BaseModel):
    enrolment: EnrolmentOut
    promoted: list[UUID]
    """Enrolments promoted from the waitlist into the freed seat."""


@router.post(
    "/enrolments/{enrolment_id}/cancel",
    response_model=CancelledOut,
    summary="Cancel an enrolment or a place on the waitlist (the participant, coordinators)",
    responses={409: {"description": "nothing to cancel"}, **PROBLEMS},
)
async def cancel(enrolment_id: UUID, c: ContainerDep, caller: CallerDep) -> CancelledOut:
    done = await handlers.cancel_enrolment(enrolment_id, caller, c.uow(), c.clock)
    return CancelledOut(
        enrolment=enrolment_out(EnrolmentView(done.enrolment, None)),
        promoted=[p.id for p in done.promoted],
    )
