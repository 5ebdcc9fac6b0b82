"""HTTP API of attendance and completion: marks by hand or from a webinar's report, grades, closing a run."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from ibermuseos_platform.auth import CurrentCaller
from ibermuseos_platform.inputs import Strict, TimeZoneName
from ibermuseos_platform.paging import Paged, paged
from ibermuseos_platform.web import Problem
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..application import attendance, queries
from ..domain.enrolments import Mark
from .dependencies import ContainerDep, Coordinator, PageDep

router = APIRouter(tags=["attendance and completion"])

Source = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]
SESSION = "/runs/{run_id:uuid}/sessions/{session_id:uuid}"
NOT_THEIRS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not an instructor of this run, nor a coordinator"}
}


class MarkIn(Strict):
    enrolment_id: UUID
    present: bool
    minutes: Annotated[int, Field(ge=0, le=1440)] | None = None


class AttendanceIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "records": [
                        {
                            "enrolment_id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
                            "present": True,
                            "minutes": 118,
                        },
                        {"enrolment_id": "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a", "present": False},
                    ]
                }
            ]
        }
    )

    records: Annotated[list[MarkIn], Field(min_length=1, max_length=5000)]


class MarkOut(BaseModel):
    enrolment_id: UUID
    present: bool
    minutes: int | None


def _mark_out(mark: Mark) -> MarkOut:
    return MarkOut(enrolment_id=mark.enrolment_id, present=mark.present, minutes=mark.minutes)


class RecordedOut(BaseModel):
    changed: int
    """How many marks changed something (and so were published)."""
    records: list[MarkOut]


@router.put(
    f"{SESSION}/attendance",
    response_model=RecordedOut,
    summary="Record who attended a session, in bulk (the run's instructors, coordinators)",
    responses={
        **NOT_THEIRS,
        409: {"description": "The run is closed or cancelled (`run_closed`, `run_cancelled`)"},
    },
)
async def record_attendance(
    run_id: UUID, session_id: UUID, body: AttendanceIn, c: ContainerDep, caller: CurrentCaller
) -> RecordedOut:
    command = attendance.RecordAttendance(
        run_id, session_id, [Mark(r.enrolment_id, r.present, r.minutes) for r in body.records], caller
    )
    recorded = await attendance.record_session_attendance(command, c.uow(), c.clock)
    return RecordedOut(changed=recorded.changed, records=[_mark_out(m) for m in recorded.marks])


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
    f"{SESSION}/attendance-report",
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
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "Email,Join Time,Leave Time\nana@museo.example,05/10/2027 10:02:11 AM,05/10/2027 11:58:40 AM\n",
                }
            },
        }
    },
    responses={
        **NOT_THEIRS,
        409: {"description": "The run is closed or cancelled (`run_closed`, `run_cancelled`)"},
        413: {"description": "The report is too large"},
        415: {"description": "Not a CSV"},
    },
)
async def import_attendance_report(
    run_id: UUID,
    session_id: UUID,
    request: Request,
    c: ContainerDep,
    caller: CurrentCaller,
    min_minutes: Annotated[int | None, Query(ge=0, le=1440)] = None,
    timezone: TimeZoneName | None = None,
    day_first: bool = False,
    source: Source = "webinar",
) -> ImportedOut:
    command = attendance.ImportReport(
        run_id=run_id,
        session_id=session_id,
        report=await _report_text(request, c.settings.attendance.max_report_bytes),
        min_minutes=min_minutes,
        timezone=str(timezone) if timezone else None,
        day_first=day_first,
        source=source,
        caller=caller,
    )
    imported = await attendance.import_attendance_report(command, c.uow(), c.clock)
    return ImportedOut(
        min_minutes=imported.min_minutes,
        present=imported.present,
        absent=len(imported.marks) - imported.present,
        changed=imported.changed,
        records=[_mark_out(m) for m in imported.marks],
        unmatched=[UnmatchedOut(line=u.line, email=u.email, minutes=u.minutes) for u in imported.unmatched],
    )


class AttendanceRecordOut(BaseModel):
    """A mark as recorded (read from the record itself; who recorded it stays inside)."""

    model_config = ConfigDict(from_attributes=True)

    enrolment_id: UUID
    session_id: UUID
    present: bool
    minutes: int | None
    source: str
    recorded_at: datetime


@router.get(
    "/runs/{run_id:uuid}/attendance",
    response_model=Paged[AttendanceRecordOut],
    summary="Every attendance record of the run (the run's instructors, coordinators)",
    responses=NOT_THEIRS,
)
async def get_attendance(
    request: Request, run_id: UUID, c: ContainerDep, caller: CurrentCaller, page: PageDep
) -> Paged[AttendanceRecordOut]:
    return paged(
        request, await queries.attendance(c.uow(), caller, run_id, page), AttendanceRecordOut.model_validate
    )


class GradeIn(Strict):
    enrolment_id: UUID
    grade: Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]


class GradesIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"grades": [{"enrolment_id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "grade": "85.5"}]}
            ]
        }
    )

    grades: Annotated[list[GradeIn], Field(min_length=1, max_length=5000)]


class GradesOut(BaseModel):
    recorded: int


@router.put(
    "/runs/{run_id:uuid}/grades",
    response_model=GradesOut,
    summary="Record assessment grades, 0 to 100 (the run's instructors, coordinators)",
    responses={
        **NOT_THEIRS,
        409: {"description": "The run is closed or cancelled (`run_closed`, `run_cancelled`)"},
    },
)
async def record_grades(run_id: UUID, body: GradesIn, c: ContainerDep, caller: CurrentCaller) -> GradesOut:
    command = attendance.RecordGrades(run_id, [(g.enrolment_id, g.grade) for g in body.grades], caller)
    return GradesOut(recorded=await attendance.record_grades(command, c.uow(), c.clock))


class ClosedOut(BaseModel):
    run_id: UUID
    evaluated: int
    completed: int
    not_completed: int
    certificates_issued: int


@router.post(
    "/runs/{run_id:uuid}/close",
    response_model=ClosedOut,
    summary="Close an ended run: evaluate completion, issue certificates (coordinators)",
    description="Runs also close by themselves `RUNS__CLOSE_AFTER_HOURS` after their last session.",
    responses={
        409: {
            "description": "Not ended yet (`run_not_ended`), closed already (`run_closed`), or cancelled (`run_cancelled`)"
        }
    },
)
async def close_run(run_id: UUID, c: ContainerDep, _: Coordinator) -> ClosedOut:
    closed = await attendance.close_run(attendance.CloseRun(run_id), c.uow(), c.clock, c.issuer)
    return ClosedOut(
        run_id=run_id,
        evaluated=len(closed.evaluated),
        completed=closed.completed,
        not_completed=len(closed.evaluated) - closed.completed,
        certificates_issued=len(closed.certificates),
    )
