"""Enrolments: a seat or a place on the waitlist, attendance, grade and, at the end, the outcome."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from ibermuseos_contracts import Event
from ibermuseos_contracts.courses import (
    AttendanceRecordedV1,
    CancelledBy,
    CourseCompletedV1,
    EnrolmentCancelledV1,
    EnrolmentLapsedV1,
    OfferingKind,
    Outcome,
    Participant,
    ParticipantEnrolledV1,
    ParticipantProfile,
    ParticipantWaitlistedV1,
)
from ibermuseos_kernel.errors import Conflict, Issue, require
from ibermuseos_kernel.events import RecordsEvents

from .runs import Run, RunStatus
from .seating import Seats, promotions


class EnrolmentStatus(StrEnum):
    WAITLISTED = "waitlisted"
    ENROLLED = "enrolled"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"
    LAPSED = "lapsed"
    """Still waiting when the run started and its enrolment closed: no seat came free in time."""


ACTIVE = (EnrolmentStatus.WAITLISTED, EnrolmentStatus.ENROLLED)


@dataclass
class Enrolment(RecordsEvents):
    id: UUID
    run_id: UUID
    offering_id: UUID
    kind: OfferingKind
    participant: Participant
    status: EnrolmentStatus
    arrival: int
    """Place in the run's order of arrival; the waitlist is served in this order."""
    requested_at: datetime
    enrolled_at: datetime | None = None
    from_waitlist: bool = False
    cancelled_at: datetime | None = None
    grade: Decimal | None = None
    outcome: Outcome | None = None
    attendance_rate: float | None = None
    hours: Decimal | None = None
    evaluated_at: datetime | None = None

    @property
    def person_id(self) -> str:
        return self.participant.person_id

    @property
    def country(self) -> str:
        return self.participant.country

    def _enrolled_event(self, now: datetime) -> ParticipantEnrolledV1:
        return ParticipantEnrolledV1(
            enrolment_id=self.id,
            run_id=self.run_id,
            offering_id=self.offering_id,
            kind=self.kind,
            participant=self.participant,
            from_waitlist=self.from_waitlist,
            enrolled_at=now,
        )

    def promote(self, now: datetime) -> None:
        if self.status is not EnrolmentStatus.WAITLISTED:
            raise Conflict("only someone on the waitlist can be promoted", code="not_waitlisted")
        self.status = EnrolmentStatus.ENROLLED
        self.enrolled_at = now
        self.from_waitlist = True
        self._record(self._enrolled_event(now))

    def cancel(self, now: datetime, *, by: CancelledBy, run_cancelled_because: str | None = None) -> None:
        """Ends a seat or a place on the waitlist, by the participant or a coordinator; `run_cancelled_because`
        when the run itself was cancelled."""
        if self.status not in ACTIVE:
            raise Conflict(
                f"the enrolment is {self.status.value}: there is nothing to cancel", code="enrolment_ended"
            )
        was_enrolled = self.status is EnrolmentStatus.ENROLLED
        self.status = EnrolmentStatus.CANCELLED
        self.cancelled_at = now
        self._record(
            EnrolmentCancelledV1(
                enrolment_id=self.id,
                run_id=self.run_id,
                person_id=self.person_id,
                was_enrolled=was_enrolled,
                cancelled_at=now,
                offering_id=self.offering_id,
                kind=self.kind,
                run_cancelled=run_cancelled_because is not None,
                reason=run_cancelled_because,
                cancelled_by=by,
            )
        )

    def record_grade(self, grade: Decimal) -> None:
        if self.status is not EnrolmentStatus.ENROLLED:
            raise Conflict("only an enrolled participant gets a grade", code="not_enrolled")
        self.grade = grade

    def evaluate(self, run: Run, attended: int, now: datetime) -> None:
        """The run ended: the offering's rule says whether the participant completed it."""
        if self.status is not EnrolmentStatus.ENROLLED:
            raise Conflict("only an enrolled participant is evaluated", code="not_enrolled")
        outcome, rate = run.rule.evaluate(sessions=len(run.sessions), attended=attended, grade=self.grade)
        self.outcome = outcome
        self.attendance_rate = rate
        self.hours = run.hours if outcome is Outcome.COMPLETED else Decimal(0)
        self.evaluated_at = now
        self.status = (
            EnrolmentStatus.COMPLETED if outcome is Outcome.COMPLETED else EnrolmentStatus.NOT_COMPLETED
        )
        self._record(
            CourseCompletedV1(
                enrolment_id=self.id,
                run_id=self.run_id,
                offering_id=self.offering_id,
                kind=self.kind,
                subject_area=run.subject_area,
                year=run.ends_at.year,
                participant=ParticipantProfile(
                    person_id=self.person_id,
                    gender=self.participant.gender,
                    country=self.participant.country,
                    institution=self.participant.institution,
                ),
                outcome=outcome,
                hours=self.hours,
                attendance_rate=rate,
                grade=self.grade,
                evaluated_at=now,
            )
        )

    def lapse(self, now: datetime) -> None:
        """A place on the waitlist lapses once: the participant is told they did not get a seat."""
        if self.status is not EnrolmentStatus.WAITLISTED:
            raise Conflict("only a place on the waitlist lapses", code="not_waitlisted")
        self.status = EnrolmentStatus.LAPSED
        self._record(
            EnrolmentLapsedV1(
                enrolment_id=self.id,
                run_id=self.run_id,
                offering_id=self.offering_id,
                kind=self.kind,
                person_id=self.person_id,
                lapsed_at=now,
            )
        )


def enrol(
    *,
    run: Run,
    seats: Seats,
    waiting: int,
    existing: Enrolment | None,
    enrolment_id: UUID,
    participant: Participant,
    now: datetime,
) -> Enrolment:
    """A seat while seats remain and the country's quota allows; otherwise the end of the waitlist.

    `seats` and `waiting` (how many are on the waitlist) must be read with the run locked.
    """
    require(run.eligibility_problems(participant.country))
    if existing is not None:
        raise Conflict(
            f"already {existing.status.value} in this run (enrolment {existing.id})", code="already_enrolled"
        )
    run.check_enrolment_open(now)
    enrolment = Enrolment(
        id=enrolment_id,
        run_id=run.id,
        offering_id=run.offering_id,
        kind=run.kind,
        participant=participant,
        status=EnrolmentStatus.WAITLISTED,
        arrival=run.next_arrival(),
        requested_at=now,
    )
    if seats.room_for(participant.country):
        seats.take(participant.country)
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.enrolled_at = now
        enrolment._record(enrolment._enrolled_event(now))
    else:
        enrolment._record(
            ParticipantWaitlistedV1(
                enrolment_id=enrolment.id,
                run_id=run.id,
                offering_id=run.offering_id,
                kind=run.kind,
                participant=participant,
                position=waiting + 1,
                waitlisted_at=now,
            )
        )
    return enrolment


def cancel(
    *,
    run: Run,
    seats: Seats,
    enrolment: Enrolment,
    waitlist: Iterable[Enrolment],
    now: datetime,
    by: CancelledBy,
) -> list[Enrolment]:
    """Cancelling (by the participant or a coordinator) frees the seat, and the next eligible people on the
    waitlist take the free seats at once (until the run starts). Returns who was promoted."""
    run.check_not_cancelled()
    if run.status is RunStatus.CLOSED:
        raise Conflict("the run is closed: its enrolments are final", code="run_closed")
    was_enrolled = enrolment.status is EnrolmentStatus.ENROLLED
    enrolment.cancel(now, by=by)
    if was_enrolled:
        seats.release(enrolment.country)
    if not run.promotes_from_waitlist(now):
        return []
    promoted = promotions(seats, [w for w in waitlist if w.status is EnrolmentStatus.WAITLISTED])
    for waiting in promoted:
        waiting.promote(now)
    return promoted


def cancel_run(
    *, run: Run, active: Sequence[Enrolment], reason: str, by: str, now: datetime
) -> tuple[int, int]:
    """Cancelling a run ends every seat and every place on the waitlist, each with its own
    EnrolmentCancelled carrying the reason, so that each person is told in order with their other events.
    Returns how many seats and places on the waitlist it ended."""
    enrolled = sum(1 for e in active if e.status is EnrolmentStatus.ENROLLED)
    waiting = sum(1 for e in active if e.status is EnrolmentStatus.WAITLISTED)
    run.cancel(reason=reason, by=by, now=now, enrolments=enrolled, waitlist=waiting)
    for enrolment in active:
        enrolment.cancel(now, by=CancelledBy.COORDINATOR, run_cancelled_because=run.cancellation_reason)
    return enrolled, waiting


def lapse_waitlist(*, run: Run, waitlist: Iterable[Enrolment], now: datetime) -> list[Enrolment]:
    """Once the run has started and its enrolment closed, no seat can come free for those waiting:
    their places lapse (EnrolmentLapsed), each once. Returns who lapsed."""
    if run.status is RunStatus.CANCELLED or now < run.waitlist_lapses_at:
        return []
    lapsed = [e for e in waitlist if e.status is EnrolmentStatus.WAITLISTED]
    for enrolment in lapsed:
        enrolment.lapse(now)
    return lapsed


@dataclass(frozen=True)
class Mark:
    """Whether one enrolled participant attended one session."""

    enrolment_id: UUID
    present: bool
    minutes: int | None = None


@dataclass(frozen=True)
class Attendance:
    enrolment_id: UUID
    session_id: UUID
    present: bool
    minutes: int | None
    source: str
    recorded_at: datetime
    recorded_by: str


def record_attendance(
    *,
    run: Run,
    session_id: UUID,
    marks: Sequence[Mark],
    enrolments: dict[UUID, Enrolment],
    recorded: dict[UUID, Attendance],
    source: str,
    by: str,
    now: datetime,
) -> tuple[list[Attendance], list[Event]]:
    """Attendance is recorded for enrolled participants of an open run; a mark that changes nothing
    records nothing. Returns the changed records and their AttendanceRecorded events."""
    run.check_open_for_records()
    problems: list[Issue] = []
    if run.session(session_id) is None:
        problems.append(Issue("session_id", "no such session in this run"))
    seen: set[UUID] = set()
    for index, mark in enumerate(marks):
        enrolment = enrolments.get(mark.enrolment_id)
        if enrolment is None or enrolment.status is not EnrolmentStatus.ENROLLED:
            problems.append(Issue(f"records.{index}.enrolment_id", "not enrolled in this run"))
        if mark.enrolment_id in seen:
            problems.append(Issue(f"records.{index}.enrolment_id", "listed twice"))
        seen.add(mark.enrolment_id)
    require(problems)
    changed: list[Attendance] = []
    events: list[Event] = []
    for mark in marks:
        before = recorded.get(mark.enrolment_id)
        if before is not None and (before.present, before.minutes) == (mark.present, mark.minutes):
            continue
        record = Attendance(mark.enrolment_id, session_id, mark.present, mark.minutes, source, now, by)
        changed.append(record)
        events.append(
            AttendanceRecordedV1(
                enrolment_id=mark.enrolment_id,
                run_id=run.id,
                session_id=session_id,
                person_id=enrolments[mark.enrolment_id].person_id,
                present=mark.present,
                minutes=mark.minutes,
                source=source,
                recorded_at=now,
            )
        )
    return changed, events
