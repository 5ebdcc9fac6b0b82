"""HTTP API of enrolments: enrol in your own name (a seat or the waitlist), see, cancel."""

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from ibermuseos_contracts.common import Gender, Institution, InstitutionType
from ibermuseos_contracts.courses import OfferingKind
from ibermuseos_contracts.types import LanguageTag
from ibermuseos_platform.auth import CurrentCaller
from ibermuseos_platform.idempotency import IdempotencyKey
from ibermuseos_platform.inputs import Country, Name, Strict, TimeZoneName
from ibermuseos_platform.paging import Paged, paged
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from ..application import enrolments, queries
from ..application.ports import UnitOfWork
from ..application.queries import EnrolmentView
from ..domain.enrolments import EnrolmentStatus
from .dependencies import ContainerDep, PageDep, Participant

router = APIRouter(tags=["enrolments"])


class InstitutionIn(Strict):
    name: Name
    type: InstitutionType
    city: Name
    country: Country


class EnrolIn(Strict):
    """The participant's details. Their name and e-mail are the ones their sign-in carries (the e-mail
    only if the identity provider verified it): nobody enrols in someone else's name."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "preferred_language": "es",
                    "timezone": "America/Lima",
                    "gender": "female",
                    "country": "PE",
                    "institution": {
                        "name": "Museo de Arte de Lima",
                        "type": "museum",
                        "city": "Lima",
                        "country": "PE",
                    },
                }
            ]
        }
    )

    name: Name | None = Field(
        default=None, description="Leave it out: it must be your sign-in's name if given."
    )
    email: EmailStr | None = Field(
        default=None,
        max_length=320,
        description="Leave it out: it must be your sign-in's verified e-mail if given.",
    )
    preferred_language: LanguageTag
    timezone: TimeZoneName = "UTC"
    gender: Gender | None = None
    country: Country
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
    """1 is next in line (counted among those still waiting, so it moves up as seats go to people ahead);
    only while waitlisted."""
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
        waitlist_position=view.waitlist_position,
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


@router.post(
    "/runs/{run_id:uuid}/enrolments",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrolmentOut,
    summary="Enrol in a run: a seat while seats and your country's quota allow, else the waitlist",
    description=(
        "You enrol in your own name: the name and the verified e-mail of your sign-in. A name or e-mail "
        "that is not yours is refused (422), as is a sign-in whose e-mail the identity provider did not verify."
    ),
    responses={
        409: {
            "description": "Enrolment is not open (`enrolment_not_open`, `enrolment_closed`), the run is "
            "closed or cancelled, or you are enrolled already (`already_enrolled`)"
        }
    },
)
async def enrol(
    run_id: UUID, body: EnrolIn, c: ContainerDep, caller: Participant, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    command = enrolments.Enrol(
        run_id=run_id,
        caller=caller,
        preferred_language=body.preferred_language,
        timezone=str(body.timezone),
        gender=body.gender,
        country=str(body.country),
        institution=Institution(**body.institution.model_dump()),
        name=body.name,
        email=body.email,
    )

    async def enrol_in(uow: UnitOfWork) -> tuple[int, EnrolmentOut]:
        return status.HTTP_201_CREATED, enrolment_out(
            await enrolments.enrol_participant(command, uow, c.clock)
        )

    return await c.idempotency.run(
        principal=caller.subject,
        key=idempotency_key,
        body={"run_id": run_id, **body.model_dump()},
        command=enrol_in,
    )


@router.get(
    "/enrolments",
    response_model=Paged[EnrolmentOut],
    summary="Enrolments you may see: your own, your country's (focal points), your runs' (instructors), all (coordinators)",
)
async def list_enrolments(
    request: Request,
    c: ContainerDep,
    caller: CurrentCaller,
    page: PageDep,
    run_id: UUID | None = None,
    status: EnrolmentStatus | None = None,
    country: Country | None = None,
) -> Paged[EnrolmentOut]:
    found = await queries.enrolments(
        c.uow(), caller, run_id=run_id, status=status, country=str(country) if country else None, page=page
    )
    return paged(request, found, enrolment_out)


@router.get(
    "/runs/{run_id:uuid}/enrolments",
    response_model=Paged[EnrolmentOut],
    summary="A run's enrolments you may see, in arrival order",
)
async def list_run_enrolments(
    request: Request,
    run_id: UUID,
    c: ContainerDep,
    caller: CurrentCaller,
    page: PageDep,
    status: EnrolmentStatus | None = None,
) -> Paged[EnrolmentOut]:
    found = await queries.enrolments(c.uow(), caller, run_id=run_id, status=status, country=None, page=page)
    return paged(request, found, enrolment_out)


@router.get("/enrolments/{enrolment_id:uuid}", response_model=EnrolmentOut, summary="One enrolment")
async def get_enrolment(enrolment_id: UUID, c: ContainerDep, caller: CurrentCaller) -> EnrolmentOut:
    return enrolment_out(await queries.enrolment(c.uow(), caller, enrolment_id))


class CancelledOut(BaseModel):
    enrolment: EnrolmentOut
    promoted: list[UUID]
    """Enrolments promoted from the waitlist into the freed seat."""


@router.post(
    "/enrolments/{enrolment_id:uuid}/cancel",
    response_model=CancelledOut,
    summary="Cancel an enrolment or a place on the waitlist (the participant, coordinators)",
    responses={
        403: {"description": "Neither the participant nor a coordinator"},
        409: {"description": "Nothing to cancel (`enrolment_ended`), or the run is closed or cancelled"},
    },
)
async def cancel(enrolment_id: UUID, c: ContainerDep, caller: CurrentCaller) -> CancelledOut:
    done = await enrolments.cancel_enrolment(
        enrolments.CancelEnrolment(enrolment_id, caller), c.uow(), c.clock
    )
    return CancelledOut(
        enrolment=enrolment_out(EnrolmentView(done.enrolment, None)),
        promoted=[p.id for p in done.promoted],
    )
