"""One handler per command; each commits its unit of work once."""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

from ibermuseos_contracts.courses import CancelledBy, OfferingKind, Participant
from ibermuseos_contracts.types import Localized

from ..domain import attendance_report
from ..domain.catalogue import CompletionRule, Offering, SubjectArea
from ..domain.certificates import Certificate, Signatory
from ..domain.codes import formatted
from ..domain.codes import new_code as fresh_code
from ..domain.enrolments import (
    Enrolment,
    EnrolmentStatus,
    Mark,
    cancel,
    cancel_run,
    enrol,
    lapse_waitlist,
    record_attendance,
)
from ..domain.errors import Conflict, Invalid, Problem
from ..domain.runs import NewTimes, Run, RunPlan
from .access import COORDINATOR, Caller, Forbidden, NotFound, may_manage_run, may_see_enrolment
from .ports import Clock, UnitOfWork
from .status_entries import StatusEntries, revoke_status

log = logging.getLogger(__name__)

NewId = Callable[[], UUID]


# ------------------------------------------------------------------------- catalogue


async def add_subject_area(code: str, name: Localized, uow: UnitOfWork, clock: Clock) -> SubjectArea:
    """The program adds subject areas beyond the six it starts with; a code is added once."""
    area = SubjectArea(code, name)
    async with uow:
        if not await uow.subject_areas.add(area, clock.now()):
            raise Conflict(f"the subject area {code!r} exists already")
        await uow.commit()
    return area


@dataclass(frozen=True)
class CreateOffering:
    kind: OfferingKind
    title: Localized
    description: Localized
    subject_area: str
    hours: Decimal
    rule: CompletionRule | None
    certificate: bool | None
    publish: bool


async def create_offering(
    command: CreateOffering, uow: UnitOfWork, clock: Clock, new_id: NewId = uuid.uuid4
) -> Offering:
    """An offering is drafted with a known subject area and a rule that fits its kind (and published at once if asked)."""
    async with uow:
        areas = {area.code for area in await uow.subject_areas.all()}
        offering = Offering.draft(
            id=new_id(),
            kind=command.kind,
            title=command.title,
            description=command.description,
            subject_area=command.subject_area,
            known_areas=areas,
            hours=command.hours,
            rule=command.rule,
            certificate=command.certificate,
            now=clock.now(),
        )
        if command.publish:
            offering.publish(clock.now())
        await uow.offerings.add(offering)
        await uow.commit()
    return offering


async def publish_offering(offering_id: UUID, uow: UnitOfWork, clock: Clock) -> Offering:
    """Publishing puts an offering in the catalogue, once (CoursePublished)."""
    async with uow:
        offering = await uow.offerings.get(offering_id, lock=True)
        if offering is None:
            raise NotFound
        offering.publish(clock.now())
        await uow.offerings.save(offering)
        await uow.commit()
    return offering


# ------------------------------------------------------------------------------ runs


async def schedule_run(
    offering_id: UUID, plan: RunPlan, uow: UnitOfWork, clock: Clock, new_id: NewId = uuid.uuid4
) -> Run:
    """A run of a published offering, with a coherent calendar, place and seats (CourseRunScheduled)."""
    async with uow:
        offering = await uow.offerings.get(offering_id)
        if offering is None:
            raise Invalid.one("offering_id", "no such offering")
        run = Run.schedule(id=new_id(), offering=offering, plan=plan, now=clock.now(), new_session_id=new_id)
        await uow.runs.add(run)
        await uow.commit()
    return run


async def assign_instructors(run_id: UUID, instructors: list[str], uow: UnitOfWork) -> Run:
    """The coordinators name who teaches a run: those instructors record its attendance and grades."""
    async with uow:
        run = await uow.runs.get(run_id, lock=True)
        if run is None:
            raise NotFound
        run.assign_instructors(instructors)
        await uow.runs.save(run)
        await uow.commit()
    return run


@dataclass(frozen=True)
class RunCancelled:
    run: Run
    enrolments_cancelled: int
    waitlist_cancelled: int


async def cancel_scheduled_run(
    run_id: UUID, reason: str, caller: Caller, uow: UnitOfWork, clock: Clock
) -> RunCancelled:
    """Coordinators cancel a run before it ends, with a reason (CourseRunCancelled); every seat and
    place on the waitlist ends with it (EnrolmentCancelled, `run_cancelled`); who and when are kept."""
    if not caller.has(COORDINATOR):
        raise Forbidden("only coordinators cancel runs")
    async with uow:
        run = await uow.runs.get(run_id, lock=True)
        if run is None:
            raise NotFound
        active = await uow.enrolments.of_run(run_id, [EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED])
        seats, waiting = cancel_run(run=run, active=active, reason=reason, by=caller.subject, now=clock.now())
        for enrolment in active:
            await uow.enrolments.save(enrolment)
        await uow.runs.save(run)
        await uow.commit()
    return RunCancelled(run, seats, waiting)


async def reschedule_run(
    run_id: UUID, moves: list[NewTimes], enrolment_closes_at: datetime | None, uow: UnitOfWork, clock: Clock
) -> Run:
    """Coordinators move a run's sessions (and perhaps its enrolment's closing) ahead of time
    (CourseRunRescheduled, with every session's new times)."""
    async with uow:
        run = await uow.runs.get(run_id, lock=True)
        if run is None:
            raise NotFound
        run.reschedule(moves, enrolment_closes_at, clock.now())
        await uow.runs.save(run)
        await uow.commit()
    return run


async def lapse_waitlists(uow_factory: Callable[[], UnitOfWork], clock: Clock, *, batch: int = 50) -> int:
    """The periodic job: in runs that have started with their enrolment closed, the places still on
    the waitlist lapse (EnrolmentLapsed), one run per transaction with the run locked, so each once."""
    async with uow_factory() as uow:
        due = await uow.runs.waitlists_due(clock.now(), batch)
    lapsed = 0
    for run_id in due:
        async with uow_factory() as uow:
            run = await uow.runs.get(run_id, lock=True)
            if run is None:
                continue
            ended = lapse_waitlist(run=run, waitlist=await uow.enrolments.waitlist(run_id), now=clock.now())
            for enrolment in ended:
                await uow.enrolments.save(enrolment)
            await uow.commit()
        lapsed += len(ended)
    if lapsed:
        log.info("%d places on waitlists lapsed", lapsed)
    return lapsed


# ------------------------------------------------------------------------ enrolments


@dataclass(frozen=True)
class Enrolled:
    enrolment: Enrolment
    position: int | None


async def enrol_participant(
    run_id: UUID, participant: Participant, uow: UnitOfWork, clock: Clock, new_id: NewId = uuid.uuid4
) -> Enrolled:
    """A seat while seats and the country's quota allow, else the waitlist in arrival order; the run's
    row is locked for the decision, so simultaneous enrolments are decided one after another."""
    async with uow:
        run = await uow.runs.get(run_id, lock=True)
        if run is None:
            raise NotFound
        now = clock.now()  # read under the lock: arrival order and timestamps agree
        enrolment = enrol(
            run=run,
            seats=await uow.enrolments.seats(run),
            waiting=await uow.enrolments.waiting(run_id),
            existing=await uow.enrolments.current(run_id, participant.person_id),
            enrolment_id=new_id(),
            participant=participant,
            now=now,
        )
        await uow.enrolments.add(enrolment)
        await uow.runs.save(run)
        position = await uow.enrolments.position(enrolment)
        await uow.commit()
    return Enrolled(enrolment, position)


@dataclass(frozen=True)
class Cancelled:
    enrolment: Enrolment
    promoted: list[Enrolment]


async def cancel_enrolment(enrolment_id: UUID, caller: Caller, uow: UnitOfWork, clock: Clock) -> Cancelled:
    """The participant (or a coordinator) cancels; the seat goes at once to the next eligible person
    waiting, exactly once, because the run stays locked from reading the seats to the commit."""
    async with uow:
        found = await uow.enrolments.get(enrolment_id)
        if found is None:
            raise NotFound
        run = await uow.runs.get(found.run_id, lock=True)
        if run is None:
            raise NotFound
        if not may_see_enrolment(caller, found, run):
            raise NotFound
        if not (caller.coordinator or caller.subject == found.person_id):
            raise Forbidden("only the participant or a coordinator cancels an enrolment")
        # Read again under the run's lock: a concurrent cancellation or promotion may have changed it.
        enrolment = await uow.enrolments.get(enrolment_id)
        assert enrolment is not None
        promoted = cancel(
            run=run,
            seats=await uow.enrolments.seats(run),
            enrolment=enrolment,
            waitlist=await uow.enrolments.waitlist(run.id),
            now=clock.now(),
            by=CancelledBy.PARTICIPANT if caller.subject == enrolment.person_id else CancelledBy.COORDINATOR,
        )
        for changed in (enrolment, *promoted):
            await uow.enrolments.save(changed)
        await uow.commit()
    return Cancelled(enrolment, promoted)


# ------------------------------------------------------------------------ attendance


async def _managed_run(uow: UnitOfWork, run_id: UUID, caller: Caller) -> Run:
    run = await uow.runs.get(run_id, lock=True)
    if run is None:
        raise NotFound
    if not may_manage_run(caller, run):
        raise Forbidden("only the run's instructors and the coordinators record its attendance and grades")
    return run


@dataclass(frozen=True)
class Recorded:
    changed: int
    marks: list[Mark]


async def record_session_attendance(
    run_id: UUID,
    session_id: UUID,
    marks: list[Mark],
    caller: Caller,
    uow: UnitOfWork,
    clock: Clock,
    source: str = "manual",
) -> Recorded:
    """Attendance of one session, in bulk, for enrolled participants only (AttendanceRecorded for each change)."""
    async with uow:
        run = await _managed_run(uow, run_id, caller)
        enrolled = await uow.enrolments.of_run(run_id, [EnrolmentStatus.ENROLLED])
        changed, events = record_attendance(
            run=run,
            session_id=session_id,
            marks=marks,
            enrolments={e.id: e for e in enrolled},
            recorded=await uow.attendance.of_session(run_id, session_id),
            source=source,
            by=caller.subject,
            now=clock.now(),
        )
        await uow.attendance.put(changed, run_id)
        uow.record(*events)
        await uow.commit()
    return Recorded(len(changed), marks)


@dataclass(frozen=True)
class ImportReport:
    report: str
    min_minutes: int | None
    timezone: str | None
    day_first: bool
    source: str


@dataclass(frozen=True)
class Imported:
    min_minutes: int
    changed: int
    marks: list[Mark]
    unmatched: list[attendance_report.UnmatchedRow]


async def import_attendance_report(
    run_id: UUID, session_id: UUID, command: ImportReport, caller: Caller, uow: UnitOfWork, clock: Clock
) -> Imported:
    """A webinar's attendance report: each enrolled participant present above the minimum minutes
    (intervals merged), absent when missing; rows of no one are listed. One bad row changes nothing."""
    async with uow:
        run = await _managed_run(uow, run_id, caller)
        session = run.session(session_id)
        if session is None:
            raise Invalid.one("session_id", "no such session in this run")
        tz = ZoneInfo(command.timezone or run.timezone)
        rows = attendance_report.parse(command.report, tz=tz, day_first=command.day_first)
        length = int((session.ends_at - session.starts_at).total_seconds() // 60)
        min_minutes = command.min_minutes if command.min_minutes is not None else (length * 3 + 3) // 4
        enrolled = await uow.enrolments.of_run(run_id, [EnrolmentStatus.ENROLLED])
        by_email: dict[str, UUID] = {}
        for e in enrolled:
            by_email.setdefault(e.participant.email.lower(), e.id)
        result = attendance_report.match(rows, by_email, min_minutes=min_minutes)
        changed, events = record_attendance(
            run=run,
            session_id=session_id,
            marks=result.marks,
            enrolments={e.id: e for e in enrolled},
            recorded=await uow.attendance.of_session(run_id, session_id),
            source=command.source,
            by=caller.subject,
            now=clock.now(),
        )
        await uow.attendance.put(changed, run_id)
        uow.record(*events)
        await uow.commit()
    return Imported(min_minutes, len(changed), result.marks, result.unmatched)


async def record_grades(
    run_id: UUID, grades: list[tuple[UUID, Decimal]], caller: Caller, uow: UnitOfWork
) -> int:
    """Assessment grades (0-100) of enrolled participants, before the run closes."""
    async with uow:
        run = await _managed_run(uow, run_id, caller)
        run.check_open_for_records()
        enrolled = {e.id: e for e in await uow.enrolments.of_run(run_id, [EnrolmentStatus.ENROLLED])}
        problems = []
        seen: set[UUID] = set()
        for index, (enrolment_id, _) in enumerate(grades):
            if enrolment_id not in enrolled:
                problems.append(Problem(f"grades.{index}.enrolment_id", "not enrolled in this run"))
            if enrolment_id in seen:
                problems.append(Problem(f"grades.{index}.enrolment_id", "listed twice"))
            seen.add(enrolment_id)
        if problems:
            raise Invalid(problems)
        for enrolment_id, grade in grades:
            enrolled[enrolment_id].record_grade(grade)
            await uow.enrolments.save(enrolled[enrolment_id])
        await uow.commit()
    return len(grades)


# ------------------------------------------------------------------------ completion


@dataclass(frozen=True)
class CertificateIssuer:
    """Who the certificates name as issuer and who signs them, and where their codes are verified."""

    name: str
    verification_base_url: str
    signatory: Signatory
    status_list_size: int = 131_072
    """Bits of each new revocation list (the specification's minimum, 16 KB, by default)."""

    def url(self, code: str) -> str:
        return f"{self.verification_base_url.rstrip('/')}/verify/{formatted(code)}"


@dataclass(frozen=True)
class Closed:
    run: Run
    evaluated: list[Enrolment]
    certificates: list[Certificate]


async def close_run(
    run_id: UUID,
    uow: UnitOfWork,
    clock: Clock,
    issuer: CertificateIssuer,
    new_id: NewId = uuid.uuid4,
    new_code: Callable[[], str] = fresh_code,
) -> Closed:
    """When a run ends, every enrolled participant is evaluated by the offering's rule (CourseCompleted,
    completed or not), those who completed get a certificate (CertificateIssued), and the waitlist lapses."""
    async with uow:
        run = await uow.runs.get(run_id, lock=True)
        if run is None:
            raise NotFound
        now = clock.now()
        run.close(now)
        session_ids = {s.session_id for s in run.sessions}
        attended: dict[UUID, int] = {}
        for record in await uow.attendance.of_run(run_id):
            if record.present and record.session_id in session_ids:
                attended[record.enrolment_id] = attended.get(record.enrolment_id, 0) + 1
        evaluated = await uow.enrolments.of_run(run_id, [EnrolmentStatus.ENROLLED])
        status_entries = StatusEntries(uow, list_size=issuer.status_list_size, now=now)
        issued = []
        for enrolment in evaluated:
            enrolment.evaluate(run, attended.get(enrolment.id, 0), now)
            await uow.enrolments.save(enrolment)
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
        for waiting in lapse_waitlist(run=run, waitlist=await uow.enrolments.waitlist(run_id), now=now):
            await uow.enrolments.save(waiting)
        await uow.runs.save(run)
        await uow.commit()
    return Closed(run, evaluated, issued)


async def close_ended_runs(
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    issuer: CertificateIssuer,
    *,
    after: timedelta,
    batch: int = 50,
) -> int:
    """The periodic job: runs whose last session ended more than `after` ago are closed, one
    transaction each (instructors have had that long to record attendance and grades)."""
    async with uow_factory() as uow:
        due = await uow.runs.ended_before(clock.now() - after, batch)
    closed = 0
    for run_id in due:
        try:
            await close_run(run_id, uow_factory(), clock, issuer)
            closed += 1
        except Conflict:
            pass  # closed meanwhile by a coordinator or another replica
    if closed:
        log.info("closed %d ended runs", closed)
    return closed


# ---------------------------------------------------------------------- certificates


async def revoke_certificate(
    certificate_id: UUID, reason: str, caller: Caller, uow: UnitOfWork, clock: Clock
) -> Certificate:
    """Coordinators revoke a certificate with a reason; who and when are kept (CertificateRevoked), and
    its bit in the published status list is set in the same transaction."""
    if not caller.has(COORDINATOR):
        raise Forbidden("only coordinators revoke certificates")
    async with uow:
        certificate = await uow.certificates.get(certificate_id, lock=True)
        if certificate is None:
            raise NotFound
        now = clock.now()
        certificate.revoke(reason=reason, by=caller.subject, now=now)
        await uow.certificates.save(certificate)
        await revoke_status(uow, certificate.status_entry, now)
        await uow.commit()
    return certificate
