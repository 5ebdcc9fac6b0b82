"""HTTP API of runs: scheduling, instructors, attendance (by hand or from a webinar report), grades, closing."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import JSONResponse
from ibermuseos_contracts.common import Modality, Name
from ibermuseos_contracts.courses import OfferingKind, Venue
from ibermuseos_contracts.types import CountryCode, LanguageTag, Localized
from ibermuseos_platform.auth import Principal, Role, require
from ibermuseos_platform.idempotency import IdempotencyKey
from ibermuseos_platform.web import Problem
from pydantic import BaseModel, Field, StringConstraints

from ..application import handlers, queries
from ..application.access import Caller
from ..application.ports import UnitOfWork
from ..application.queries import RunView
from ..domain.enrolments import Mark
from ..domain.runs import NewTimes, RunPlan, SessionTimes, zone
from .catalogue import CompletionOut
from .common import PROBLEMS, CallerDep, ContainerDep, PageDep, Strict

router = APIRouter(tags=["runs"])

Coordinator = Annotated[Principal, Depends(require(Role.COORDINATOR))]
Subject = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Source = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]


class SessionIn(Strict):
    starts_at: datetime
    """With an offset, or without one to be read in the run's time zone."""
    ends_at: datetime


class VenueIn(Strict):
    name: Name
    city: Name
    country: CountryCode


class ScheduleRunIn(Strict):
    offering_id: UUID
    sessions: Annotated[list[SessionIn], Field(min_length=1, max_length=200)]
    timezone: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    modality: Modality
    venue: VenueIn | None = None
    language: LanguageTag
    capacity: Annotated[int, Field(ge=1, le=100_000)]
    enrolment_opens_at: datetime
    enrolment_closes_at: datetime
    eligible_countries: Annotated[list[CountryCode], Field(default_factory=list, max_length=250)]
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
    status: str
    phase: str
    """upcoming, enrolment_open, in_progress, ended (awaiting closing), closed or cancelled."""
    instructors: list[str] | None
    """Shown to coordinators and the run's instructors only."""
    scheduled_at: datetime
    closed_at: datetime | None
    cancelled_at: datetime | None
    cancellation_reason: str | None
    revision: int
    """How many times the run was rescheduled."""


def run_out(view: RunView, caller: Caller, now: datetime) -> RunOut:
    run = view.run
    return RunOut(
        id=run.id,
        offering_id=run.offering_id,
        kind=run.kind,
        title=run.title,
        subject_area=run.subject_area,
        hours=run.hours,
        completion=CompletionOut(
            min_attendance_rate=run.rule.min_attendance_rate, pass_mark=run.rule.pass_mark
        ),
        certificate=run.certificate,
        sessions=[SessionOut(**s.model_dump()) for s in run.sessions],
        timezone=run.timezone,
        modality=run.modality,
        venue=run.venue,
        language=run.language,
        capacity=run.capacity,
        seats_taken=view.enrolled,
        seats_free=max(0, run.capacity - view.enrolled),
        waiting=view.waiting,
        enrolment_opens_at=run.enrolment_opens_at,
        enrolment_closes_at=run.enrolment_closes_at,
        eligible_countries=run.eligible_countries,
        quota_per_country=run.quota_per_country,
        status=run.status.value,
        phase=run.phase(now),
        instructors=run.instructors if caller.coordinator or caller.teaches(run) else None,
        scheduled_at=run.scheduled_at,
        closed_at=run.closed_at,
        cancelled_at=run.cancelled_at,
        cancellation_reason=run.cancellation_reason,
        revision=run.revision,
    )


@router.post(
    "/runs",
    status_code=status.HTTP_201_CREATED,
    response_model=RunOut,
    summary="Schedule a run of a published offering (coordinators)",
    responses=PROBLEMS,
)
async def schedule_run(
    body: ScheduleRunIn,
    c: ContainerDep,
    principal: Coordinator,
    caller: CallerDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    plan = RunPlan(
        sessions=[SessionTimes(s.starts_at, s.ends_at) for s in body.sessions],
        timezone=body.timezone,
        modality=body.modality,
        venue=Venue(**body.venue.model_dump()) if body.venue else None,
        language=body.language,
        capacity=body.capacity,
        enrolment_opens_at=body.enrolment_opens_at,
        enrolment_closes_at=body.enrolment_closes_at,
        eligible_countries=body.eligible_countries,
        quota_per_country=body.quota_per_country,
        instructors=body.instructors,
    )

    async def command(uow: UnitOfWork) -> tuple[int, RunOut]:
        run = await handlers.schedule_run(body.offering_id, plan, uow, c.clock)
        return status.HTTP_201_CREATED, run_out(RunView(run, 0, 0), caller, c.clock.now())

    return await c.idempotency.run(
        principal=principal.subject, key=idempotency_key, body=body, command=command
    )


@router.get(
    "/runs",
    response_model=list[RunOut],
    summary="Runs, latest first; filter by offering, status, or the ones you teach",
)
async def list_runs(
    c: ContainerDep,
    caller: CallerDep,
    paging: PageDep,
    offering_id: UUID | None = None,
    status: Annotated[str | None, Query(pattern="^(scheduled|closed|cancelled)$")] = None,
    teaching: bool = False,
) -> list[RunOut]:
    views = await queries.runs(
        c.uow(),
        offering_id=offering_id,
        status=status,
        taught_by=caller.subject if teaching else None,
        page=paging,
    )
    now = c.clock.now()
    return [run_out(v, caller, now) for v in views]


@router.get("/runs/{run_id}", response_model=RunOut, summary="One run, with its seats", responses=PROBLEMS)
async def get_run(run_id: UUID, c: ContainerDep, caller: CallerDep) -> RunOut:
    return run_out(await queries.run(c.uow(), run_id), caller, c.clock.now())


class InstructorsIn(Strict):
    instructors: Annotated[list[Subject], Field(max_length=50)]


@router.put(
    "/runs/{run_id}/instructors",
    response_model=RunOut,
    summary="Name who teaches the run (coordinators)",
    responses=PROBLEMS,
)
async def assign_instructors(
    run_id: UUID, body: InstructorsIn, c: ContainerDep, _: Coordinator, caller: CallerDep
) -> RunOut:
    await handlers.assign_instructors(run_id, body.instructors, c.uow())
    return run_out(await queries.run(c.uow(), run_id), caller, c.clock.now())


class CancelRunIn(Strict):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2_000)]
    """Told to every participant and person waiting, in the words given."""


class RunCancelledOut(BaseModel):
    run: RunOut
    enrolments_cancelled: int
    waitlist_cancelled: int


@router.post(
    "/runs/{run_id}/cancel",
    response_model=RunCancelledOut,
    summary="Cancel a run before it ends, with a reason (coordinators)",
    description=(
        "Every seat and place on the waitlist ends (EnrolmentCancelled with `run_cancelled`) and the "
        "people are told; no enrolment, attendance, grade or closing is possible afterwards."
    ),
    responses={409: {"description": "ended, closed or cancelled already"}, **PROBLEMS},
)
async def cancel_run(
    run_id: UUID, body: CancelRunIn, c: ContainerDep, _: Coordinator, caller: CallerDep
) -> RunCancelledOut:
    done = await handlers.cancel_scheduled_run(run_id, body.reason, caller, c.uow(), c.clock)
    return RunCancelledOut(
        run=run_out(await queries.run(c.uow(), run_id), caller, c.clock.now()),
        enrolments_cancelled=done.enrolments_cancelled,
        waitlist_cancelled=done.waitlist_cancelled,
    )


class MovedSessionIn(Strict):
    session_id: UUID
    starts_at: datetime
    """With an offset, or without one to be read in the run's time zone."""
    ends_at: datetime


class RescheduleRunIn(Strict):
    sessions: Annotated[list[MovedSessionIn], Field(min_length=1, max_length=200)]
    """Every session of the run, with its new (or unchanged) times."""
    enrolment_closes_at: datetime | None = None
    """A new closing of enrolment; unchanged when left out."""


@router.post(
    "/runs/{run_id}/reschedule",
    response_model=RunOut,
    summary="Move a run's sessions to new times (coordinators)",
    description=(
        "List every session by its id with its times. Sessions that have started cannot move, new times "
        "lie ahead, sessions do not overlap, and enrolment closes before the last session ends. "
        "CourseRunRescheduled tells the enrolled participants, with an updated calendar."
    ),
    responses={409: {"description": "ended, closed or cancelled"}, **PROBLEMS},
)
async def reschedule_run(
    run_id: UUID, body: RescheduleRunIn, c: ContainerDep, _: Coordinator, caller: CallerDep
) -> RunOut:
    moves = [NewTimes(s.session_id, s.starts_at, s.ends_at) for s in body.sessions]
    await handlers.reschedule_run(run_id, moves, body.enrolment_closes_at, c.uow(), c.clock)
    return run_out(await queries.run(c.uow(), run_id), caller, c.clock.now())


# ------------------------------------------------------------------------ attendance


class MarkIn(Strict):
    enrolment_id: UUID
    present: bool
    minutes: Annotated[int, Field(ge=0, le=1440)] | None = None


class AttendanceIn(Strict):
    records: Annotated[list[MarkIn], Field(min_length=1, max_length=5000)]


class MarkOut(BaseModel):
    enrolment_id: UUID
    present: bool
    minutes: int | None


class RecordedOut(BaseModel):
    changed: int
    """How many marks changed something (and so were published)."""
    records: list[MarkOut]


@router.put(
    "/runs/{run_id}/sessions/{session_id}/attendance",
    response_model=RecordedOut,
    summary="Record who attended a session, in bulk (the run's instructors, coordinators)",
    responses={403: {"description": "not an instructor of this run"}, **PROBLEMS},
)
async def record_attendance(
    run_id: UUID, session_id: UUID, body: AttendanceIn, c: ContainerDep, caller: CallerDep
) -> RecordedOut:
    marks = [Mark(r.enrolment_id, r.present, r.minutes) for r in body.records]
    recorded = await handlers.record_session_attendance(run_id, session_id, marks, caller, c.uow(), c.clock)
    return RecordedOut(
        changed=recorded.changed,
        records=[MarkOut(enrolment_id=m.enrolment_id, present=m.present, minutes=m.minutes) for m in marks],
    )


class UnmatchedOut(BaseModel):
    line: int
    email: str
    minutes: int


class ImportedOut(BaseModel):
    min_minutes: int
    present: int
    absent: int
    changed: int
    records: list[MarkOut]
    unmatched: list[UnmatchedOut]
    """Rows whose e-mail is no enrolled participant's: to check by hand."""


REPORT_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel")


async def _report_text(request: Request, limit: int) -> str:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in REPORT_TYPES:
        raise Problem(415, "Send the attendance report as text/csv")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise Problem(413, f"The report is larger than {limit} bytes")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


@router.post(
    "/runs/{run_id}/sessions/{session_id}/attendance-report",
    response_model=ImportedOut,
    summary="Import a webinar attendance report (CSV: e-mail, join and leave times)",
    description=(
        "The body is the CSV a webinar platform exports (Zoom, Teams, Meet...): a header naming an "
        "e-mail, a join time and a leave time column, then a row per connection. Several rows of one "
        "person are merged (overlaps count once); enrolled participants with at least `min_minutes` "
        "(default: three quarters of the session) are present, the others absent. Rows of no "
        "enrolled participant are listed in `unmatched`. Times without an offset are read in "
        "`timezone` (default: the run's); dates with slashes are month first unless `day_first`."
    ),
    responses={
        403: {"description": "not an instructor of this run"},
        413: {"description": "the report is too large"},
        415: {"description": "not a CSV"},
        **PROBLEMS,
    },
)
async def import_attendance_report(
    run_id: UUID,
    session_id: UUID,
    request: Request,
    c: ContainerDep,
    caller: CallerDep,
    min_minutes: Annotated[int | None, Query(ge=0, le=1440)] = None,
    timezone: Annotated[str | None, Query(max_length=64)] = None,
    day_first: bool = False,
    source: Source = "webinar",
) -> ImportedOut:
    text = await _report_text(request, c.settings.attendance.max_report_bytes)
    if timezone is not None and zone(timezone) is None:
        raise Problem(
            422,
            "The request is not valid",
            errors=[{"field": "query.timezone", "problem": "not an IANA time zone"}],
        )
    imported = await handlers.import_attendance_report(
        run_id,
        session_id,
        handlers.ImportReport(text, min_minutes, timezone, day_first, source),
        caller,
        c.uow(),
        c.clock,
    )
    present = sum(1 for m in imported.marks if m.present)
    return ImportedOut(
        min_minutes=imported.min_minutes,
        present=present,
        absent=len(imported.marks) - present,
        changed=imported.changed,
        records=[
            MarkOut(enrolment_id=m.enrolment_id, present=m.present, minutes=m.minutes) for m in imported.marks
        ],
        unmatched=[UnmatchedOut(line=u.line, email=u.email, minutes=u.minutes) for u in imported.unmatched],
    )


class AttendanceRecordOut(BaseModel):
    enrolment_id: UUID
    session_id: UUID
    present: bool
    minutes: int | None
    source: str
    recorded_at: datetime


@router.get(
    "/runs/{run_id}/attendance",
    response_model=list[AttendanceRecordOut],
    summary="Every attendance record of the run (the run's instructors, coordinators)",
    responses=PROBLEMS,
)
async def get_attendance(run_id: UUID, c: ContainerDep, caller: CallerDep) -> list[AttendanceRecordOut]:
    _, records = await queries.attendance(c.uow(), caller, run_id)
    return [
        AttendanceRecordOut(
            enrolment_id=r.enrolment_id,
            session_id=r.session_id,
            present=r.present,
            minutes=r.minutes,
            source=r.source,
            recorded_at=r.recorded_at,
        )
        for r in records
    ]


class GradeIn(Strict):
    enrolment_id: UUID
    grade: Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]


class GradesIn(Strict):
    grades: Annotated[list[GradeIn], Field(min_length=1, max_length=5000)]


class GradesOut(BaseModel):
    recorded: int


@router.put(
    "/runs/{run_id}/grades",
    response_model=GradesOut,
    summary="Record assessment grades, 0 to 100 (the run's instructors, coordinators)",
    responses=PROBLEMS,
)
async def record_grades(run_id: UUID, body: GradesIn, c: ContainerDep, caller: CallerDep) -> GradesOut:
    recorded = await handlers.record_grades(
        run_id, [(g.enrolment_id, g.grade) for g in body.grades], caller, c.uow()
    )
    return GradesOut(recorded=recorded)


class ClosedOut(BaseModel):
    run_id: UUID
    evaluated: int
    completed: int
    not_completed: int
    certificates_issued: int


@router.post(
    "/runs/{run_id}/close",
    response_model=ClosedOut,
    summary="Close an ended run: evaluate completion, issue certificates (coordinators)",
    description="Runs also close by themselves `RUNS__CLOSE_AFTER_HOURS` after their last session.",
    responses={409: {"description": "not ended yet, or closed already"}, **PROBLEMS},
)
async def close_run(run_id: UUID, c: ContainerDep, _: Coordinator) -> ClosedOut:
    closed = await handlers.close_run(run_id, c.uow(), c.clock, c.issuer)
    completed = sum(1 for e in closed.evaluated if e.status.value == "completed")
    return ClosedOut(
        run_id=run_id,
        evaluated=len(closed.evaluated),
        completed=completed,
        not_completed=len(closed.evaluated) - completed,
        certificates_issued=len(closed.certificates),
    )
