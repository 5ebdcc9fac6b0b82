"""Attendance and completion: who attended (by hand or from a webinar's report), grades, and closing a run
that ended (everyone evaluated, certificates issued); the job that closes runs nobody closed."""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from ibermuseos_kernel.caller import Caller
from ibermuseos_kernel.clock import Clock
from ibermuseos_kernel.errors import Conflict, Invalid, Issue, require
from ibermuseos_kernel.zones import zone

from ..domain import attendance_report
from ..domain.certificates import Certificate
from ..domain.codes import new_code as fresh_code
from ..domain.enrolments import Enrolment, EnrolmentStatus, Mark, lapse_waitlist, record_attendance
from ..domain.runs import Run
from .access import check_manages
from .certificates import CertificateIssuer
from .ports import UnitOfWork, UnitOfWorkFactory
from .runs import load_run
from .status_entries import StatusEntries

log = logging.getLogger(__name__)


async def _managed_run(uow: UnitOfWork, run_id: UUID, caller: Caller) -> Run:
    run = await load_run(uow, run_id, lock=True)
    check_manages(caller, run, "record its attendance and grades")
    return run


async def _record(
    uow: UnitOfWork, run: Run, session_id: UUID, marks: list[Mark], source: str, caller: Caller, clock: Clock
) -> int:
    """Records the marks of enrolled participants; returns how many changed something."""
    enrolled = await uow.enrolments.of_run(run.id, [EnrolmentStatus.ENROLLED])
    changed, events = record_attendance(
        run=run,
        session_id=session_id,
        marks=marks,
        enrolments={e.id: e for e in enrolled},
        recorded=await uow.attendance.of_session(run.id, session_id),
        source=source,
        by=caller.subject,
        now=clock.now(),
    )
    await uow.attendance.put(changed, run.id)
    uow.record(*events)
    return len(changed)


@dataclass(frozen=True)
class RecordAttendance:
    run_id: UUID
    session_id: UUID
    marks: list[Mark]
    caller: Caller
    source: str = "manual"


@dataclass(frozen=True)
class Recorded:
    changed: int
    marks: list[Mark]


async def record_session_attendance(command: RecordAttendance, uow: UnitOfWork, clock: Clock) -> Recorded:
    """Attendance of one session, in bulk, for enrolled participants only (AttendanceRecorded for each change)."""
    async with uow:
        run = await _managed_run(uow, command.run_id, command.caller)
        changed = await _record(
            uow, run, command.session_id, command.marks, command.source, command.caller, clock
        )
        await uow.commit()
    return Recorded(changed, command.marks)


@dataclass(frozen=True)
class ImportReport:
    run_id: UUID
    session_id: UUID
    report: str
    min_minutes: int | None
    timezone: str | None
    day_first: bool
    source: str
    caller: Caller


@dataclass(frozen=True)
class Imported:
    min_minutes: int
    changed: int
    marks: list[Mark]
    unmatched: list[attendance_report.UnmatchedRow]

    @property
    def present(self) -> int:
        return sum(1 for mark in self.marks if mark.present)


async def import_attendance_report(command: ImportReport, uow: UnitOfWork, clock: Clock) -> Imported:
    """A webinar's attendance report: each enrolled participant present above the minimum minutes
    (intervals merged), absent when missing; rows of no one are listed. One bad row changes nothing."""
    async with uow:
        run = await _managed_run(uow, command.run_id, command.caller)
        session = run.session(command.session_id)
        if session is None:
            raise Invalid.one("session_id", "no such session in this run")
        tz = zone(command.timezone or run.timezone)
        rows = attendance_report.parse(command.report, tz=tz, day_first=command.day_first)
        length = int((session.ends_at - session.starts_at).total_seconds() // 60)
        min_minutes = command.min_minutes if command.min_minutes is not None else (length * 3 + 3) // 4
        by_email: dict[str, UUID] = {}
        for e in await uow.enrolments.of_run(run.id, [EnrolmentStatus.ENROLLED]):
            by_email.setdefault(e.participant.email.lower(), e.id)
        result = attendance_report.match(rows, by_email, min_minutes=min_minutes)
        changed = await _record(
            uow, run, command.session_id, result.marks, command.source, command.caller, clock
        )
        await uow.commit()
    return Imported(min_minutes, changed, result.marks, result.unmatched)


@dataclass(frozen=True)
class RecordGrades:
    run_id: UUID
    grades: list[tuple[UUID, Decimal]]
    caller: Caller


async def record_grades(command: RecordGrades, uow: UnitOfWork, clock: Clock) -> int:
    """Assessment grades (0-100) of enrolled participants, before the run closes. Returns how many."""
    async with uow:
        run = await _managed_run(uow, command.run_id, command.caller)
        run.check_open_for_records()
        enrolled = {e.id: e for e in await uow.enrolments.of_run(run.id, [EnrolmentStatus.ENROLLED])}
        issues = []
        seen: set[UUID] = set()
        for index, (enrolment_id, _) in enumerate(command.grades):
            if enrolment_id not in enrolled:
                issues.append(Issue(f"grades.{index}.enrolment_id", "not enrolled in this run"))
            if enrolment_id in seen:
                issues.append(Issue(f"grades.{index}.enrolment_id", "listed twice"))
            seen.add(enrolment_id)
        require(issues)
        for enrolment_id, grade in command.grades:
            enrolled[enrolment_id].record_grade(grade)
        await uow.commit()
    return len(command.grades)


@dataclass(frozen=True)
class CloseRun:
    run_id: UUID


@dataclass(frozen=True)
class Closed:
    run: Run
    evaluated: list[Enrolment]
    certificates: list[Certificate]

    @property
    def completed(self) -> int:
        return sum(1 for e in self.evaluated if e.status is EnrolmentStatus.COMPLETED)


async def close_run(
    command: CloseRun,
    uow: UnitOfWork,
    clock: Clock,
    issuer: CertificateIssuer,
    new_id: Callable[[], UUID] = uuid.uuid4,
    new_code: Callable[[], str] = fresh_code,
) -> Closed:
    """When a run ends, every enrolled participant is evaluated by the offering's rule (CourseCompleted,
    completed or not), those who completed get a certificate (CertificateIssued), and the waitlist lapses."""
    async with uow:
        run = await load_run(uow, command.run_id, lock=True)
        now = clock.now()
        run.close(now)
        session_ids = {s.session_id for s in run.sessions}
        attended: dict[UUID, int] = {}
        for record in await uow.attendance.of_run(run.id):
            if record.present and record.session_id in session_ids:
                attended[record.enrolment_id] = attended.get(record.enrolment_id, 0) + 1
        evaluated = await uow.enrolments.of_run(run.id, [EnrolmentStatus.ENROLLED])
        status_entries = StatusEntries(uow, list_size=issuer.status_list_size, now=now)
        issued = []
        for enrolment in evaluated:
            enrolment.evaluate(run, attended.get(enrolment.id, 0), now)
            if enrolment.status is EnrolmentStatus.COMPLETED and run.certificate:
                code = new_code()
                certificate = Certificate.issue(
                    id=new_id(),
                    enrolment=enrolment,
                    run=run,
                    code=code,
                    issuer=issuer.name,
                    signatory=issuer.signatory,
                    verification_url=issuer.url(code),
                    now=now,
                    status_entry=await status_entries.next(),
                )
                await uow.certificates.add(certificate)
                issued.append(certificate)
        await status_entries.save()
        lapse_waitlist(run=run, waitlist=await uow.enrolments.waitlist(run.id), now=now)
        await uow.commit()
    return Closed(run, evaluated, issued)


async def close_ended_runs(
    uows: UnitOfWorkFactory,
    clock: Clock,
    issuer: CertificateIssuer,
    *,
    after: timedelta,
    batch: int = 50,
) -> int:
    """The periodic job: runs whose last session ended more than `after` ago are closed, one
    transaction each (instructors have had that long to record attendance and grades)."""
    async with uows() as uow:
        due = await uow.runs.ended_before(clock.now() - after, batch)
    closed = 0
    for run_id in due:
        try:
            await close_run(CloseRun(run_id), uows(), clock, issuer)
            closed += 1
        except Conflict:
            pass  # closed meanwhile by a coordinator or another replica
    if closed:
        log.info("closed %d ended runs", closed)
    return closed
