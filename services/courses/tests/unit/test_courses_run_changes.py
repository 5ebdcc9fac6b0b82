"""Cancelling a run, moving its sessions, and the waitlist lapsing once no seat can come free."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from ibermuseos_contracts.common import Institution, Modality
from ibermuseos_contracts.courses import (
    CancelledBy,
    CourseRunCancelledV1,
    CourseRunRescheduledV1,
    EnrolmentCancelledV1,
    EnrolmentLapsedV1,
    OfferingKind,
    Participant,
)
from ibermuseos_contracts.types import Localized
from ibermuseos_courses.domain.catalogue import Offering
from ibermuseos_courses.domain.enrolments import (
    Enrolment,
    EnrolmentStatus,
    Mark,
    cancel,
    cancel_run,
    enrol,
    lapse_waitlist,
    record_attendance,
)
from ibermuseos_courses.domain.runs import NewTimes, Run, RunPlan, SessionTimes
from ibermuseos_courses.domain.seating import Seats
from ibermuseos_kernel.errors import Conflict, Invalid

NOW = datetime(2027, 5, 1, 12, tzinfo=UTC)
TEXT = Localized(es="Curso", pt="Curso", en="Course")
FIRST = datetime(2027, 5, 10, 15, tzinfo=UTC)
SECOND = datetime(2027, 5, 17, 15, tzinfo=UTC)


def scheduled(capacity: int = 1) -> Run:
    offering = Offering.draft(
        id=uuid.uuid4(), kind=OfferingKind.MINI_COURSE,
        title=TEXT, description=TEXT, subject_area="research", known_areas={"research"},
        hours=Decimal(8), rule=None, certificate=None, now=NOW,
    )  # fmt: skip
    offering.publish(NOW)
    plan = RunPlan(
        sessions=[SessionTimes(FIRST, FIRST + timedelta(hours=2)), SessionTimes(SECOND, SECOND + timedelta(hours=2))],
        timezone="America/Lima", modality=Modality.ONLINE, venue=None, language="es", capacity=capacity,
        enrolment_opens_at=datetime(2027, 4, 1, tzinfo=UTC), enrolment_closes_at=datetime(2027, 5, 9, tzinfo=UTC),
        eligible_countries=[], quota_per_country=None, instructors=["teacher"],
    )  # fmt: skip
    run = Run.schedule(id=uuid.uuid4(), offering=offering, plan=plan, now=NOW, new_session_id=uuid.uuid4)
    run.pull_events()
    return run


def participant(name: str) -> Participant:
    return Participant(
        person_id=name, name=name.title(), email=f"{name}@m.example", preferred_language="es", country="PE",
        institution=Institution(name="Museo", type="museum", city="Lima", country="PE"),
    )  # fmt: skip


def seated_and_waiting(run: Run) -> tuple[Seats, Enrolment, Enrolment]:
    seats = Seats(run.capacity, run.quota_per_country)
    seated, waiting = (
        enrol(run=run, seats=seats, waiting=index, existing=None, enrolment_id=uuid.uuid4(),
              participant=participant(name), now=NOW)
        for index, name in enumerate(["ana", "beto"])
    )  # fmt: skip
    seated.pull_events()
    waiting.pull_events()
    return seats, seated, waiting


def moves(run: Run, shift: timedelta) -> list[NewTimes]:
    return [NewTimes(s.session_id, s.starts_at + shift, s.ends_at + shift) for s in run.sessions]


# ------------------------------------------------------------------------- cancellation


def test_cancelling_a_run_ends_every_seat_and_place_on_the_waitlist_with_the_reason() -> None:
    run = scheduled()
    _, seated, waiting = seated_and_waiting(run)
    cancel_run(run=run, active=[seated, waiting], reason="  La sede cerró  ", by="coord", now=NOW)
    [event] = run.pull_events()
    assert isinstance(event, CourseRunCancelledV1)
    assert (event.reason, event.enrolments_cancelled, event.waitlist_cancelled) == ("La sede cerró", 1, 1)
    assert (run.phase(NOW), run.cancelled_by, run.cancelled_at) == ("cancelled", "coord", NOW)
    ended = [seated.pull_events()[0], waiting.pull_events()[0]]
    assert all(isinstance(e, EnrolmentCancelledV1) and e.run_cancelled for e in ended)
    assert {e.cancelled_by for e in ended if isinstance(e, EnrolmentCancelledV1)} == {CancelledBy.COORDINATOR}
    assert [e.was_enrolled for e in ended] == [True, False]  # type: ignore[attr-defined]
    assert {e.reason for e in ended} == {"La sede cerró"}  # type: ignore[attr-defined]
    assert seated.status is waiting.status is EnrolmentStatus.CANCELLED


def test_a_cancelled_run_takes_no_enrolment_attendance_grade_cancellation_or_closing() -> None:
    run = scheduled(capacity=2)
    seats, seated, waiting = seated_and_waiting(run)
    cancel_run(run=run, active=[seated], reason="Sin instructor", by="coord", now=NOW)
    with pytest.raises(Conflict, match="cancelled"):
        enrol(run=run, seats=seats, waiting=0, existing=None, enrolment_id=uuid.uuid4(),
              participant=participant("caro"), now=NOW)  # fmt: skip
    with pytest.raises(Conflict, match="cancelled"):
        record_attendance(
            run=run, session_id=run.sessions[0].session_id, marks=[Mark(seated.id, True)],
            enrolments={seated.id: seated}, recorded={}, source="manual", by="t", now=NOW,
        )  # fmt: skip
    with pytest.raises(Conflict, match="cancelled"):
        run.check_open_for_records()
    with pytest.raises(Conflict, match="cancelled"):
        cancel(run=run, seats=seats, enrolment=waiting, waitlist=[], now=NOW, by=CancelledBy.PARTICIPANT)
    with pytest.raises(Conflict, match="cancelled"):
        run.close(run.ends_at + timedelta(days=1))
    with pytest.raises(Conflict, match="cancelled"):
        run.reschedule(moves(run, timedelta(days=1)), None, NOW)


def test_a_run_is_cancelled_once_never_after_it_ended_or_closed_and_always_with_a_reason() -> None:
    run = scheduled()
    with pytest.raises(Invalid) as refused:
        run.cancel(reason="   ", by="coord", now=NOW, enrolments=0, waitlist=0)
    assert [p.field for p in refused.value.issues] == ["reason"]
    with pytest.raises(Conflict, match="ended"):
        run.cancel(reason="x", by="coord", now=run.ends_at, enrolments=0, waitlist=0)
    run.cancel(reason="x", by="coord", now=NOW, enrolments=0, waitlist=0)
    with pytest.raises(Conflict, match="cancelled"):
        run.cancel(reason="again", by="coord", now=NOW, enrolments=0, waitlist=0)
    closed = scheduled()
    closed.close(closed.ends_at)
    with pytest.raises(Conflict, match="completions were evaluated"):
        closed.cancel(
            reason="x", by="coord", now=closed.ends_at - timedelta(minutes=1), enrolments=0, waitlist=0
        )
    assert closed.pull_events() == []


# ------------------------------------------------------------------------- rescheduling


def test_moving_every_session_ahead_publishes_the_new_times_with_the_next_revision() -> None:
    run = scheduled()
    ids = [s.session_id for s in run.sessions]
    run.reschedule(moves(run, timedelta(days=7)), None, NOW)
    run.reschedule(moves(run, timedelta(hours=1)), None, NOW)
    first, second = run.pull_events()
    assert isinstance(second, CourseRunRescheduledV1)
    assert (first.revision, second.revision) == (1, 2)  # type: ignore[attr-defined]
    assert [s.session_id for s in second.sessions] == ids
    assert second.sessions[0].starts_at == FIRST + timedelta(days=7, hours=1)
    assert run.starts_at == FIRST + timedelta(days=7, hours=1)


def test_times_without_an_offset_are_read_in_the_run_time_zone_when_rescheduling() -> None:
    run = scheduled()
    lima = [
        NewTimes(s.session_id, datetime(2027, 6, 1 + 7 * i, 9), datetime(2027, 6, 1 + 7 * i, 11))
        for i, s in enumerate(run.sessions)
    ]
    run.reschedule(lima, None, NOW)
    assert run.starts_at == datetime(2027, 6, 1, 14, tzinfo=UTC)


def test_a_reschedule_lists_every_problem_and_changes_nothing() -> None:
    run = scheduled()
    before = (list(run.sessions), run.enrolment_closes_at, run.revision)
    first, second = run.sessions
    with pytest.raises(Invalid) as refused:
        run.reschedule(
            [
                NewTimes(first.session_id, NOW - timedelta(days=1), NOW - timedelta(hours=22)),
                NewTimes(first.session_id, FIRST, FIRST + timedelta(hours=1)),
                NewTimes(uuid.uuid4(), FIRST, FIRST + timedelta(hours=1)),
            ],
            NOW - timedelta(hours=1),
            NOW,
        )
    assert sorted((p.field, p.problem) for p in refused.value.issues) == sorted(
        [
            ("sessions.0", "cannot move into the past"),
            ("sessions.1.session_id", "listed twice"),
            ("sessions.0.session_id", "listed twice"),
            ("sessions.2.session_id", "no such session in this run"),
            ("sessions", f"session {second.session_id} is missing: list every session"),
            ("enrolment_closes_at", "cannot be in the past"),
        ]
    )
    assert (run.sessions, run.enrolment_closes_at, run.revision) == before
    assert run.pull_events() == []


def test_sessions_stay_ordered_without_overlap_and_enrolment_closes_before_the_last_ends() -> None:
    run = scheduled()
    first, second = run.sessions
    with pytest.raises(Invalid) as refused:
        run.reschedule(
            [
                NewTimes(first.session_id, FIRST, FIRST + timedelta(hours=3)),
                NewTimes(second.session_id, FIRST + timedelta(hours=1), FIRST + timedelta(hours=2)),
            ],
            None,
            NOW,
        )
    assert [p.field for p in refused.value.issues] == ["sessions.1"]
    with pytest.raises(Invalid) as too_late:
        run.reschedule(moves(run, timedelta(days=-9)), None, NOW)
    assert [p.field for p in too_late.value.issues] == ["enrolment_closes_at"]
    with pytest.raises(Invalid) as unchanged:
        run.reschedule(moves(run, timedelta(0)), None, NOW)
    assert unchanged.value.issues[0].problem.startswith("nothing changes")


def test_a_session_that_has_started_cannot_move_and_a_closed_enrolment_cannot_reopen() -> None:
    run = scheduled()
    during_first = FIRST + timedelta(minutes=30)
    with pytest.raises(Invalid) as refused:
        run.reschedule(moves(run, timedelta(days=1)), SECOND, during_first)
    assert sorted(p.field for p in refused.value.issues) == ["enrolment_closes_at", "sessions.0"]
    first, second = run.sessions
    run.reschedule(
        [NewTimes(first.session_id, first.starts_at, first.ends_at),
         NewTimes(second.session_id, SECOND + timedelta(days=1), SECOND + timedelta(days=1, hours=2))],
        None, during_first,
    )  # fmt: skip
    assert run.ends_at == SECOND + timedelta(days=1, hours=2)
    with pytest.raises(Conflict, match="ended"):
        run.reschedule(moves(run, timedelta(days=1)), None, run.ends_at)


# ------------------------------------------------------------------------------- lapsing


def test_the_waitlist_lapses_once_the_run_started_and_enrolment_closed_each_place_once() -> None:
    run = scheduled()
    _, seated, waiting = seated_and_waiting(run)
    assert run.waitlist_lapses_at == FIRST
    assert lapse_waitlist(run=run, waitlist=[waiting], now=FIRST - timedelta(seconds=1)) == []
    assert lapse_waitlist(run=run, waitlist=[waiting, seated], now=FIRST) == [waiting]
    [event] = waiting.pull_events()
    assert isinstance(event, EnrolmentLapsedV1)
    assert (event.person_id, event.enrolment_id, event.lapsed_at) == ("beto", waiting.id, FIRST)
    assert waiting.status is EnrolmentStatus.LAPSED
    assert lapse_waitlist(run=run, waitlist=[waiting], now=FIRST + timedelta(hours=1)) == []
    assert waiting.pull_events() == []
    assert seated.status is EnrolmentStatus.ENROLLED


def test_the_waitlist_of_a_cancelled_run_does_not_lapse() -> None:
    run = scheduled()
    _, _, waiting = seated_and_waiting(run)
    run.cancel(reason="x", by="coord", now=NOW, enrolments=1, waitlist=1)
    assert lapse_waitlist(run=run, waitlist=[waiting], now=FIRST) == []
