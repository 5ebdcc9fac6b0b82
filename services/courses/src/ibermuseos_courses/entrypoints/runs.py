"""HTTP API of runs: scheduling, instructors, cancelling, rescheduling."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from ibermuseos_contracts.common import Modality
from ibermuseos_contracts.courses import OfferingKind, Venue
from ibermuseos_contracts.types import LanguageTag, Localized
from ibermuseos_platform.auth import CurrentCaller
from ibermuseos_platform.idempotency import IdempotencyKey
from ibermuseos_platform.inputs import Country, Line, LocalInstant, Name, Prose, Strict, TimeZoneName
from ibermuseos_platform.paging import Paged, paged
from pydantic import BaseModel, ConfigDict, Field

from ..application import queries, runs
from ..application.ports import UnitOfWork
from ..application.queries import RunView
from ..domain.runs import NewTimes, Phase, RunPlan, RunStatus, SessionTimes
from .catalogue import CompletionOut, completion_out
from .dependencies import ContainerDep, Coordinator, PageDep

router = APIRouter(tags=["runs"])

Subject = Annotated[Line, Field(min_length=1, max_length=255)]
"""A token's subject: who a person is to the identity provider."""


class SessionIn(Strict):
    starts_at: LocalInstant
    """With an offset, or without one to be read in the run's time zone."""
    ends_at: LocalInstant


class VenueIn(Strict):
    name: Name
    city: Name
    country: Country


class ScheduleRunIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "offering_id": "0b8f2f3e-6f1a-4d5e-9c1b-2a3d4e5f6a7b",
                    "sessions": [
                        {"starts_at": "2027-05-10T10:00:00", "ends_at": "2027-05-10T12:00:00"},
                        {"starts_at": "2027-05-17T10:00:00-05:00", "ends_at": "2027-05-17T12:00:00-05:00"},
                    ],
                    "timezone": "America/Bogota",
                    "modality": "online",
                    "language": "es",
                    "capacity": 40,
                    "enrolment_opens_at": "2027-04-01T00:00:00",
                    "enrolment_closes_at": "2027-05-09T23:59:00",
                    "eligible_countries": ["CO", "PE", "EC"],
                    "quota_per_country": 15,
                    "instructors": ["instructor-7f3a"],
                }
            ]
        }
    )

    offering_id: UUID
    sessions: Annotated[list[SessionIn], Field(min_length=1, max_length=200)]
    timezone: TimeZoneName
    modality: Modality
    venue: VenueIn | None = None
    language: LanguageTag
    capacity: Annotated[int, Field(ge=1, le=100_000)]
    enrolment_opens_at: LocalInstant
    enrolment_closes_at: LocalInstant
    eligible_countries: Annotated[list[Country], Field(default_factory=list, max_length=250)]
    """Empty: open to every country."""
    quota_per_country: Annotated[int, Field(ge=1)] | None = None
    instructors: Annotated[list[Subject], Field(default_factory=list, max_length=50)]
    """Token subjects of the people who teach the run."""


class SessionOut(BaseModel):
    session_id: UUID
    starts_at: datetime
    ends_at: datetime


class RunOut(BaseModel):
    id: UUID
    offering_id: UUID
    kind: OfferingKind
    title: Localized
    subject_area: str
    hours: Decimal
    completion: CompletionOut
    certificate: bool
    sessions: list[SessionOut]
    timezone: str
    modality: Modality
    venue: Venue | None
    language: str
    capacity: int
    seats_taken: int
    seats_free: int
    waiting: int
    enrolment_opens_at: datetime
    enrolment_closes_at: datetime
    eligible_countries: list[str]
    quota_per_country: int | None
    status: RunStatus
    phase: Phase
    """Where the run stands; `ended` is awaiting its closing."""
    instructors: list[str] | None
    """Shown to coordinators and the run's instructors only."""
    scheduled_at: datetime
    closed_at: datetime | None
    cancelled_at: datetime | None
    cancelled_by: str | None
    """Who cancelled it (their token's subject); shown to coordinators and the run's instructors only."""
    cancellation_reason: str | None
    revision: int
    """How many times the run was rescheduled."""


def run_out(view: RunView) -> RunOut:
    run = view.run
    return RunOut(
        id=run.id,
        offering_id=run.offering_id,
        kind=run.kind,
        title=run.title,
        subject_area=run.subject_area,
        hours=run.hours,
        completion=completion_out(run.rule),
        certificate=run.certificate,
        sessions=[SessionOut(**s.model_dump()) for s in run.sessions],
        timezone=run.timezone,
        modality=run.modality,
        venue=run.venue,
        language=run.language,
        capacity=run.capacity,
        seats_taken=view.seats_taken,
        seats_free=view.seats_free,
        waiting=view.waiting,
        enrolment_opens_at=run.enrolment_opens_at,
        enrolment_closes_at=run.enrolment_closes_at,
        eligible_countries=run.eligible_countries,
        quota_per_country=run.quota_per_country,
        status=run.status,
        phase=view.phase,
        instructors=run.instructors if view.staffing_shown else None,
        scheduled_at=run.scheduled_at,
        closed_at=run.closed_at,
        cancelled_at=run.cancelled_at,
        cancelled_by=run.cancelled_by if view.staffing_shown else None,
        cancellation_reason=run.cancellation_reason,
        revision=run.revision,
    )


@router.post(
    "/runs",
    status_code=status.HTTP_201_CREATED,
    response_model=RunOut,
    summary="Schedule a run of a published offering (coordinators)",
)
async def schedule_run(
    body: ScheduleRunIn, c: ContainerDep, caller: Coordinator, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    plan = RunPlan(
        sessions=[SessionTimes(s.starts_at, s.ends_at) for s in body.sessions],
        timezone=str(body.timezone),
        modality=body.modality,
        venue=Venue(**body.venue.model_dump()) if body.venue else None,
        language=body.language,
        capacity=body.capacity,
        enrolment_opens_at=body.enrolment_opens_at,
        enrolment_closes_at=body.enrolment_closes_at,
        eligible_countries=[str(country) for country in body.eligible_countries],
        quota_per_country=body.quota_per_country,
        instructors=body.instructors,
    )
    command = runs.ScheduleRun(body.offering_id, plan, caller)

    async def schedule(uow: UnitOfWork) -> tuple[int, RunOut]:
        return status.HTTP_201_CREATED, run_out(await runs.schedule_run(command, uow, c.clock))

    return await c.idempotency.run(principal=caller.subject, key=idempotency_key, body=body, command=schedule)


@router.get(
    "/runs",
    response_model=Paged[RunOut],
    summary="Runs, latest first; filter by offering, status, or the ones you teach",
)
async def list_runs(
    request: Request,
    c: ContainerDep,
    caller: CurrentCaller,
    page: PageDep,
    offering_id: UUID | None = None,
    status: RunStatus | None = None,
    teaching: bool = False,
) -> Paged[RunOut]:
    found = await queries.runs(
        c.uow(), caller, c.clock, offering_id=offering_id, status=status, teaching=teaching, page=page
    )
    return paged(request, found, run_out)


@router.get("/runs/{run_id:uuid}", response_model=RunOut, summary="One run, with its seats")
async def get_run(run_id: UUID, c: ContainerDep, caller: CurrentCaller) -> RunOut:
    return run_out(await queries.run(c.uow(), caller, c.clock, run_id))


class InstructorsIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"instructors": ["instructor-7f3a", "instructor-b21c"]}]}
    )

    instructors: Annotated[list[Subject], Field(max_length=50)]


@router.put(
    "/runs/{run_id:uuid}/instructors",
    response_model=RunOut,
    summary="Name who teaches the run (coordinators)",
)
async def assign_instructors(
    run_id: UUID, body: InstructorsIn, c: ContainerDep, caller: Coordinator
) -> RunOut:
    command = runs.AssignInstructors(run_id, body.instructors, caller)
    return run_out(await runs.assign_instructors(command, c.uow(), c.clock))


class CancelRunIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"reason": "La sede no está disponible en esas fechas; abriremos una nueva edición."}
            ]
        }
    )

    reason: Annotated[Prose, Field(min_length=1, max_length=2_000)]
    """Told to every participant and person waiting, in the words given."""


class RunCancelledOut(BaseModel):
    run: RunOut
    cancelled_by: str
    """The coordinator who cancelled it (their token's subject)."""
    enrolments_cancelled: int
    waitlist_cancelled: int


@router.post(
    "/runs/{run_id:uuid}/cancel",
    response_model=RunCancelledOut,
    summary="Cancel a run before it ends, with a reason (coordinators)",
    description=(
        "Every seat and place on the waitlist ends (EnrolmentCancelled with `run_cancelled`) and the "
        "people are told; no enrolment, attendance, grade or closing is possible afterwards. The answer "
        "and CourseRunCancelled say who cancelled it."
    ),
    responses={
        409: {
            "description": "Ended (`run_ended`), closed (`run_closed`) or cancelled already (`run_cancelled`)"
        }
    },
)
async def cancel_run(
    run_id: UUID, body: CancelRunIn, c: ContainerDep, caller: Coordinator
) -> RunCancelledOut:
    done = await runs.cancel_scheduled_run(runs.CancelRun(run_id, body.reason, caller), c.uow(), c.clock)
    return RunCancelledOut(
        run=run_out(done.run),
        cancelled_by=caller.subject,
        enrolments_cancelled=done.enrolments_cancelled,
        waitlist_cancelled=done.waitlist_cancelled,
    )


class MovedSessionIn(Strict):
    session_id: UUID
    starts_at: LocalInstant
    """With an offset, or without one to be read in the run's time zone."""
    ends_at: LocalInstant


class RescheduleRunIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sessions": [
                        {
                            "session_id": "5d7e9f10-2a3b-4c5d-8e9f-0a1b2c3d4e5f",
                            "starts_at": "2027-05-24T10:00:00",
                            "ends_at": "2027-05-24T12:00:00",
                        }
                    ],
                    "enrolment_closes_at": "2027-05-23T23:59:00",
                }
            ]
        }
    )

    sessions: Annotated[list[MovedSessionIn], Field(min_length=1, max_length=200)]
    """Every session of the run, with its new (or unchanged) times."""
    enrolment_closes_at: LocalInstant | None = None
    """A new closing of enrolment; unchanged when left out."""


@router.post(
    "/runs/{run_id:uuid}/reschedule",
    response_model=RunOut,
    summary="Move a run's sessions to new times (coordinators)",
    description=(
        "List every session by its id with its times. Sessions that have started cannot move, new times "
        "lie ahead, sessions do not overlap, and enrolment closes before the last session ends. "
        "CourseRunRescheduled tells the enrolled participants, with an updated calendar."
    ),
    responses={
        409: {"description": "Ended (`run_ended`), closed (`run_closed`) or cancelled (`run_cancelled`)"}
    },
)
async def reschedule_run(run_id: UUID, body: RescheduleRunIn, c: ContainerDep, caller: Coordinator) -> RunOut:
    command = runs.RescheduleRun(
        run_id,
        [NewTimes(s.session_id, s.starts_at, s.ends_at) for s in body.sessions],
        body.enrolment_closes_at,
        caller,
    )
    return run_out(await runs.reschedule_run(command, c.uow(), c.clock))
