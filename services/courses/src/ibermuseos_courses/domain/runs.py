"""Runs of an offering: sessions in a time zone, modality, language, seats and the enrolment window."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum
from typing import Literal
from uuid import UUID

from ibermuseos_contracts.common import Modality
from ibermuseos_contracts.courses import (
    CourseRunCancelledV1,
    CourseRunRescheduledV1,
    CourseRunScheduledV1,
    OfferingKind,
    Session,
    Venue,
)
from ibermuseos_contracts.types import Localized
from ibermuseos_kernel.errors import Conflict, Issue, require
from ibermuseos_kernel.events import RecordsEvents
from ibermuseos_kernel.zones import is_zone, zone

from .catalogue import CompletionRule, Offering, OfferingStatus

MAX_SESSIONS = 200


Phase = Literal["upcoming", "enrolment_open", "in_progress", "ended", "closed", "cancelled"]
"""Where a run stands for a reader; `ended` is awaiting its closing."""


class RunStatus(StrEnum):
    SCHEDULED = "scheduled"
    CLOSED = "closed"
    """Ended and evaluated: completions recorded, certificates issued."""
    CANCELLED = "cancelled"
    """Called off by a coordinator before it ended: nothing more happens in it."""


@dataclass(frozen=True)
class SessionTimes:
    """A session as asked for; times without an offset are read in the run's time zone."""

    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class RunPlan:
    """What a coordinator asks for when scheduling a run."""

    sessions: list[SessionTimes]
    timezone: str
    modality: Modality
    venue: Venue | None
    language: str
    capacity: int
    enrolment_opens_at: datetime
    enrolment_closes_at: datetime
    eligible_countries: list[str]
    quota_per_country: int | None
    instructors: list[str]


@dataclass(frozen=True)
class NewTimes:
    """A session of the run moved to new times (times without an offset are read in the run's time zone)."""

    session_id: UUID
    starts_at: datetime
    ends_at: datetime


def _aware(moment: datetime, tz: tzinfo) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def calendar_problems(sessions: list[tuple[datetime, datetime]]) -> list[Issue]:
    """Sessions (sorted by start) last at most a day, end after they start and do not overlap."""
    problems: list[Issue] = []
    if not sessions:
        problems.append(Issue("sessions", "a run has at least one session"))
    if len(sessions) > MAX_SESSIONS:
        problems.append(Issue("sessions", f"at most {MAX_SESSIONS} sessions"))
    for index, (starts, ends) in enumerate(sessions):
        if ends <= starts:
            problems.append(Issue(f"sessions.{index}", "ends before it starts"))
        elif ends - starts > timedelta(hours=24):
            problems.append(Issue(f"sessions.{index}", "lasts more than 24 hours"))
        if index and starts < sessions[index - 1][1]:
            problems.append(Issue(f"sessions.{index}", "overlaps the session before it"))
    return problems


@dataclass
class Run(RecordsEvents):
    """One run of an offering. The offering's kind, title, area, hours and rule are copied in at
    scheduling, since published offerings never change."""

    id: UUID
    offering_id: UUID
    kind: OfferingKind
    title: Localized
    subject_area: str
    hours: Decimal
    rule: CompletionRule
    certificate: bool
    sessions: list[Session]
    timezone: str
    modality: Modality
    venue: Venue | None
    language: str
    capacity: int
    enrolment_opens_at: datetime
    enrolment_closes_at: datetime
    eligible_countries: list[str]
    quota_per_country: int | None
    instructors: list[str]
    status: RunStatus
    scheduled_at: datetime
    arrivals: int = 0
    """How many enrolment requests arrived so far: the next one's place in the order of arrival."""
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None
    cancellation_reason: str | None = None
    revision: int = 0
    """How many times the run was rescheduled."""
    rescheduled_at: datetime | None = None

    @classmethod
    def schedule(
        cls,
        *,
        id: UUID,
        offering: Offering,
        plan: RunPlan,
        now: datetime,
        new_session_id: Callable[[], UUID],
    ) -> "Run":
        """A run belongs to a published offering and has a coherent calendar, place and seats."""
        problems: list[Issue] = []
        if offering.status is not OfferingStatus.PUBLISHED:
            problems.append(Issue("offering_id", "the offering is not published yet"))
        tz: tzinfo = UTC
        if is_zone(plan.timezone):
            tz = zone(plan.timezone)
        else:
            problems.append(Issue("timezone", "not an IANA time zone, e.g. America/Mexico_City"))
        sessions = sorted((_aware(s.starts_at, tz), _aware(s.ends_at, tz)) for s in plan.sessions)
        problems.extend(calendar_problems(sessions))
        if plan.modality is Modality.ONLINE and plan.venue is not None:
            problems.append(Issue("venue", "an online run has no venue"))
        if plan.modality is not Modality.ONLINE and plan.venue is None:
            problems.append(Issue("venue", "an in-person or hybrid run needs a venue"))
        if plan.quota_per_country is not None and plan.quota_per_country > plan.capacity:
            problems.append(Issue("quota_per_country", "cannot be more than the capacity"))
        opens = _aware(plan.enrolment_opens_at, tz)
        closes = _aware(plan.enrolment_closes_at, tz)
        if closes <= opens:
            problems.append(Issue("enrolment_closes_at", "must be after enrolment_opens_at"))
        if sessions and closes > sessions[-1][1]:
            problems.append(Issue("enrolment_closes_at", "must not be after the last session ends"))
        if len(set(plan.eligible_countries)) != len(plan.eligible_countries):
            problems.append(Issue("eligible_countries", "a country is listed twice"))
        require(problems)
        run = cls(
            id=id,
            offering_id=offering.id,
            kind=offering.kind,
            title=offering.title,
            subject_area=offering.subject_area,
            hours=offering.hours,
            rule=offering.rule,
            certificate=offering.certificate,
            sessions=[Session(session_id=new_session_id(), starts_at=s, ends_at=e) for s, e in sessions],
            timezone=plan.timezone,
            modality=plan.modality,
            venue=plan.venue,
            language=plan.language,
            capacity=plan.capacity,
            enrolment_opens_at=opens,
            enrolment_closes_at=closes,
            eligible_countries=sorted(plan.eligible_countries),
            quota_per_country=plan.quota_per_country,
            instructors=sorted(set(plan.instructors)),
            status=RunStatus.SCHEDULED,
            scheduled_at=now,
        )
        run._record(
            CourseRunScheduledV1(
                run_id=run.id,
                offering_id=run.offering_id,
                kind=run.kind,
                title=run.title,
                subject_area=run.subject_area,
                hours=run.hours,
                sessions=run.sessions,
                timezone=run.timezone,
                modality=run.modality,
                venue=run.venue,
                language=run.language,
                capacity=run.capacity,
                enrolment_opens_at=run.enrolment_opens_at,
                enrolment_closes_at=run.enrolment_closes_at,
                eligible_countries=run.eligible_countries,
                quota_per_country=run.quota_per_country,
                scheduled_at=now,
            )
        )
        return run

    @property
    def starts_at(self) -> datetime:
        return self.sessions[0].starts_at

    @property
    def ends_at(self) -> datetime:
        return self.sessions[-1].ends_at

    def phase(self, now: datetime) -> Phase:
        """Where the run stands for a reader: upcoming, enrolment_open, in_progress, ended, closed or cancelled."""
        if self.status is RunStatus.CLOSED:
            return "closed"
        if self.status is RunStatus.CANCELLED:
            return "cancelled"
        if now >= self.ends_at:
            return "ended"
        if now >= self.starts_at:
            return "in_progress"
        if self.enrolment_opens_at <= now < self.enrolment_closes_at:
            return "enrolment_open"
        return "upcoming"

    def eligibility_problems(self, country: str) -> list[Issue]:
        if self.eligible_countries and country not in self.eligible_countries:
            return [Issue("country", f"this run is open to {', '.join(self.eligible_countries)} only")]
        return []

    def check_not_cancelled(self) -> None:
        if self.status is RunStatus.CANCELLED:
            raise Conflict("the run was cancelled", code="run_cancelled")

    def check_enrolment_open(self, now: datetime) -> None:
        self.check_not_cancelled()
        if self.status is RunStatus.CLOSED:
            raise Conflict("the run is closed", code="run_closed")
        if now < self.enrolment_opens_at:
            raise Conflict("enrolment in this run has not opened yet", code="enrolment_not_open")
        if now >= self.enrolment_closes_at:
            raise Conflict("enrolment in this run has closed", code="enrolment_closed")

    def promotes_from_waitlist(self, now: datetime) -> bool:
        """A freed seat goes to the waitlist until the run starts, or later while enrolment is still
        open; once the run is under way and enrolment closed, no one joins late."""
        return self.status is RunStatus.SCHEDULED and now < self.waitlist_lapses_at

    @property
    def waitlist_lapses_at(self) -> datetime:
        """From then on no one waiting can get a seat: the run has started and its enrolment has closed."""
        return max(self.starts_at, self.enrolment_closes_at)

    def next_arrival(self) -> int:
        self.arrivals += 1
        return self.arrivals

    def teaches(self, subject: str) -> bool:
        return subject in self.instructors

    def session(self, session_id: UUID) -> Session | None:
        return next((s for s in self.sessions if s.session_id == session_id), None)

    def check_open_for_records(self) -> None:
        self.check_not_cancelled()
        if self.status is RunStatus.CLOSED:
            raise Conflict("the run is closed: its completions are final", code="run_closed")

    def assign_instructors(self, instructors: list[str]) -> None:
        self.instructors = sorted(set(instructors))

    def close(self, now: datetime) -> None:
        """A run closes once, after its last session ended."""
        self.check_not_cancelled()
        if self.status is RunStatus.CLOSED:
            raise Conflict("the run is already closed", code="run_closed")
        if now < self.ends_at:
            raise Conflict(
                "the run has not ended yet: its last session ends at " + self.ends_at.isoformat(),
                code="run_not_ended",
            )
        self.status = RunStatus.CLOSED
        self.closed_at = now

    def cancel(self, *, reason: str, by: str, now: datetime, enrolments: int, waitlist: int) -> None:
        """A run is cancelled once, with a reason, before it ends and before completions were evaluated."""
        self.check_not_cancelled()
        if self.status is RunStatus.CLOSED:
            raise Conflict(
                "the run is closed: its completions were evaluated, it can no longer be cancelled",
                code="run_closed",
            )
        if now >= self.ends_at:
            raise Conflict("the run has ended: close it instead of cancelling it", code="run_ended")
        require([Issue("reason", "say why the run is cancelled")] if not reason.strip() else [])
        self.status = RunStatus.CANCELLED
        self.cancelled_at = now
        self.cancelled_by = by
        self.cancellation_reason = reason.strip()
        self._record(
            CourseRunCancelledV1(
                run_id=self.id,
                offering_id=self.offering_id,
                kind=self.kind,
                reason=self.cancellation_reason,
                enrolments_cancelled=enrolments,
                waitlist_cancelled=waitlist,
                cancelled_at=now,
                cancelled_by=by,
            )
        )

    def reschedule(self, moves: list[NewTimes], enrolment_closes_at: datetime | None, now: datetime) -> None:
        """Sessions move to new times, every one named once: a session that has started stays as it
        is, new times lie ahead, the calendar stays coherent, and the enrolment window still fits it."""
        self.check_not_cancelled()
        if self.status is RunStatus.CLOSED:
            raise Conflict("the run is closed: its sessions can no longer move", code="run_closed")
        if now >= self.ends_at:
            raise Conflict("the run has ended: its sessions can no longer move", code="run_ended")
        tz = zone(self.timezone)
        problems: list[Issue] = []
        current = {s.session_id: s for s in self.sessions}
        named = [m.session_id for m in moves]
        for index, move in enumerate(moves):
            if move.session_id not in current:
                problems.append(Issue(f"sessions.{index}.session_id", "no such session in this run"))
            elif named.count(move.session_id) > 1:
                problems.append(Issue(f"sessions.{index}.session_id", "listed twice"))
        for session in self.sessions:
            if session.session_id not in named:
                problems.append(
                    Issue("sessions", f"session {session.session_id} is missing: list every session")
                )
        moved: list[Session] = []
        for index, move in enumerate(moves):
            before = current.get(move.session_id)
            if before is None:
                continue
            starts, ends = _aware(move.starts_at, tz), _aware(move.ends_at, tz)
            if (starts, ends) != (before.starts_at, before.ends_at):
                if before.starts_at <= now:
                    problems.append(Issue(f"sessions.{index}", "has already started: it cannot move"))
                elif starts <= now:
                    problems.append(Issue(f"sessions.{index}", "cannot move into the past"))
            moved.append(Session(session_id=move.session_id, starts_at=starts, ends_at=ends))
        moved.sort(key=lambda s: s.starts_at)
        calendar = calendar_problems([(s.starts_at, s.ends_at) for s in moved])
        problems.extend(p for p in calendar if p.field != "sessions" or not moves)
        closes = self.enrolment_closes_at
        if enrolment_closes_at is not None:
            closes = _aware(enrolment_closes_at, tz)
            if closes != self.enrolment_closes_at:
                if self.enrolment_closes_at <= now:
                    problems.append(Issue("enrolment_closes_at", "enrolment has closed: it cannot reopen"))
                elif closes <= now:
                    problems.append(Issue("enrolment_closes_at", "cannot be in the past"))
            if closes <= self.enrolment_opens_at:
                problems.append(Issue("enrolment_closes_at", "must be after enrolment_opens_at"))
        if moved and closes > moved[-1].ends_at:
            problems.append(Issue("enrolment_closes_at", "must not be after the last session ends"))
        if not problems and moved == self.sessions and closes == self.enrolment_closes_at:
            problems.append(Issue("sessions", "nothing changes: every session keeps its times"))
        require(problems)
        self.sessions = moved
        self.enrolment_closes_at = closes
        self.revision += 1
        self.rescheduled_at = now
        self._record(
            CourseRunRescheduledV1(
                run_id=self.id,
                offering_id=self.offering_id,
                kind=self.kind,
                sessions=self.sessions,
                timezone=self.timezone,
                enrolment_opens_at=self.enrolment_opens_at,
                enrolment_closes_at=self.enrolment_closes_at,
                revision=self.revision,
                rescheduled_at=now,
            )
        )
