"""Enrolling, waiting, cancelling and promotion on the Run and Enrolment aggregates."""

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from ibermuseos_contracts.common import Institution, Modality
from ibermuseos_contracts.courses import (
    CancelledBy,
    OfferingKind,
    Participant,
    ParticipantEnrolledV1,
    ParticipantWaitlistedV1,
)
from ibermuseos_contracts.types import Localized
from ibermuseos_courses.domain.catalogue import CompletionRule, Offering
from ibermuseos_courses.domain.enrolments import (
    Enrolment,
    EnrolmentStatus,
    Mark,
    cancel,
    enrol,
    record_attendance,
)
from ibermuseos_courses.domain.runs import Run, RunPlan, SessionTimes
from ibermuseos_courses.domain.seating import Seats
from ibermuseos_kernel.errors import Conflict, Invalid

NOW = datetime(2027, 5, 1, 12, tzinfo=UTC)
TEXT = Localized(es="Curso", pt="Curso", en="Course")


def offering(kind: OfferingKind = OfferingKind.MINI_COURSE) -> Offering:
    o = Offering.draft(
        id=uuid.uuid4(), kind=kind, title=TEXT, description=TEXT, subject_area="research",
        known_areas={"research"}, hours=Decimal(8), rule=None, certificate=None, now=NOW,
    )  # fmt: skip
    o.publish(NOW)
    return o


def plan(**changes: object) -> RunPlan:
    values: dict[str, object] = {
        "sessions": [SessionTimes(datetime(2027, 5, 10, 10), datetime(2027, 5, 10, 12))],
        "timezone": "America/Lima",
        "modality": Modality.ONLINE,
        "venue": None,
        "language": "es",
        "capacity": 2,
        "enrolment_opens_at": datetime(2027, 4, 1),
        "enrolment_closes_at": datetime(2027, 5, 9),
        "eligible_countries": ["PE", "CL"],
        "quota_per_country": None,
        "instructors": ["teacher"],
    }
    values.update(changes)
    return RunPlan(**values)  # type: ignore[arg-type]


def scheduled(**changes: object) -> Run:
    return Run.schedule(
        id=uuid.uuid4(), offering=offering(), plan=plan(**changes), now=NOW, new_session_id=uuid.uuid4
    )


def participant(name: str, country: str = "PE") -> Participant:
    return Participant(
        person_id=name, name=name.title(), email=f"{name}@m.example", preferred_language="es", country=country,
        institution=Institution(name="Museo", type="museum", city="Lima", country=country),
    )  # fmt: skip


def test_times_without_an_offset_are_read_in_the_run_time_zone() -> None:
    run = scheduled()
    assert run.starts_at == datetime(2027, 5, 10, 15, tzinfo=UTC)
    assert run.enrolment_closes_at == datetime(2027, 5, 9, 5, tzinfo=UTC)


def test_people_get_seats_until_the_run_is_full_then_wait_in_arrival_order() -> None:
    run = scheduled()
    seats = Seats(run.capacity, run.quota_per_country)
    made = []
    for index, name in enumerate(["ana", "beto", "caro", "dani"]):
        made.append(
            enrol(run=run, seats=seats, waiting=max(0, index - 2), existing=None,
                  enrolment_id=uuid.uuid4(), participant=participant(name), now=NOW)
        )  # fmt: skip
    assert [e.status for e in made] == [EnrolmentStatus.ENROLLED] * 2 + [EnrolmentStatus.WAITLISTED] * 2
    assert [e.arrival for e in made] == [1, 2, 3, 4]
    events = [e.pull_events()[0] for e in made]
    assert isinstance(events[0], ParticipantEnrolledV1)
    assert not events[0].from_waitlist
    assert isinstance(events[3], ParticipantWaitlistedV1)
    assert events[3].position == 2


def test_a_country_at_its_quota_waits_even_with_free_seats() -> None:
    run = scheduled(capacity=3, quota_per_country=1)
    seats = Seats(run.capacity, run.quota_per_country)
    first = enrol(
        run=run,
        seats=seats,
        waiting=0,
        existing=None,
        enrolment_id=uuid.uuid4(),
        participant=participant("a"),
        now=NOW,
    )
    second = enrol(
        run=run,
        seats=seats,
        waiting=0,
        existing=None,
        enrolment_id=uuid.uuid4(),
        participant=participant("b"),
        now=NOW,
    )
    third = enrol(
        run=run,
        seats=seats,
        waiting=1,
        existing=None,
        enrolment_id=uuid.uuid4(),
        participant=participant("c", "CL"),
        now=NOW,
    )
    assert [first.status, second.status, third.status] == ["enrolled", "waitlisted", "enrolled"]


def test_enrolment_is_refused_outside_the_window_for_other_countries_and_twice() -> None:
    run = scheduled()
    seats = Seats(run.capacity, None)
    with pytest.raises(Invalid) as refused:
        enrol(
            run=run,
            seats=seats,
            waiting=0,
            existing=None,
            enrolment_id=uuid.uuid4(),
            participant=participant("x", "BR"),
            now=NOW,
        )
    assert refused.value.issues[0].field == "country"
    with pytest.raises(Conflict, match="closed"):
        enrol(
            run=run,
            seats=seats,
            waiting=0,
            existing=None,
            enrolment_id=uuid.uuid4(),
            participant=participant("x"),
            now=NOW + timedelta(days=9),
        )
    existing = enrol(
        run=run,
        seats=seats,
        waiting=0,
        existing=None,
        enrolment_id=uuid.uuid4(),
        participant=participant("x"),
        now=NOW,
    )
    with pytest.raises(Conflict, match="already enrolled"):
        enrol(
            run=run,
            seats=seats,
            waiting=0,
            existing=existing,
            enrolment_id=uuid.uuid4(),
            participant=participant("x"),
            now=NOW,
        )
    assert run.arrivals == 1


def _seat_four(run: Run) -> tuple[Seats, list[Enrolment]]:
    seats = Seats(run.capacity, run.quota_per_country)
    people = [
        enrol(
            run=run,
            seats=seats,
            waiting=0,
            existing=None,
            enrolment_id=uuid.uuid4(),
            participant=participant(n, c),
            now=NOW,
        )
        for n, c in [("a", "PE"), ("b", "PE"), ("c", "PE"), ("d", "CL")]
    ]
    for person in people:
        person.pull_events()
    return seats, people


def test_cancelling_a_seat_promotes_the_next_eligible_person_once() -> None:
    run = scheduled(capacity=2, quota_per_country=2)
    seats, (a, _b, c, d) = _seat_four(run)
    promoted = cancel(run=run, seats=seats, enrolment=a, waitlist=[c, d], now=NOW, by=CancelledBy.PARTICIPANT)
    assert promoted == [c]
    assert c.status is EnrolmentStatus.ENROLLED
    assert c.from_waitlist
    [event] = c.pull_events()
    assert isinstance(event, ParticipantEnrolledV1)
    assert event.from_waitlist
    assert seats.enrolled == Counter({"PE": 2})
    with pytest.raises(Conflict):
        cancel(run=run, seats=seats, enrolment=a, waitlist=[d], now=NOW, by=CancelledBy.PARTICIPANT)


def test_cancelling_a_place_on_the_waitlist_frees_no_seat() -> None:
    run = scheduled()
    seats, (_, _, c, d) = _seat_four(run)
    assert cancel(run=run, seats=seats, enrolment=c, waitlist=[d], now=NOW, by=CancelledBy.PARTICIPANT) == []
    assert c.pull_events()[0].was_enrolled is False  # type: ignore[attr-defined]


def test_after_the_run_started_and_enrolment_closed_no_one_is_promoted() -> None:
    run = scheduled()
    seats, (a, _, c, _) = _seat_four(run)
    assert (
        cancel(
            run=run,
            seats=seats,
            enrolment=a,
            waitlist=[c],
            now=run.starts_at + timedelta(minutes=5),
            by=CancelledBy.PARTICIPANT,
        )
        == []
    )
    assert c.status is EnrolmentStatus.WAITLISTED


def test_attendance_is_recorded_for_enrolled_people_and_an_unchanged_mark_records_nothing() -> None:
    run = scheduled()
    _, (a, b, c, _) = _seat_four(run)
    session = run.sessions[0].session_id
    args = {
        "run": run,
        "session_id": session,
        "enrolments": {e.id: e for e in (a, b, c)},
        "source": "manual",
        "by": "t",
        "now": NOW,
    }
    changed, events = record_attendance(marks=[Mark(a.id, True), Mark(b.id, False)], recorded={}, **args)  # type: ignore[arg-type]
    assert len(changed) == len(events) == 2
    again, _ = record_attendance(marks=[Mark(a.id, True)], recorded={a.id: changed[0]}, **args)  # type: ignore[arg-type]
    assert again == []
    with pytest.raises(Invalid) as refused:
        record_attendance(marks=[Mark(c.id, True), Mark(a.id, True), Mark(a.id, False)], recorded={}, **args)  # type: ignore[arg-type]
    assert [p.field for p in refused.value.issues] == ["records.0.enrolment_id", "records.2.enrolment_id"]


def test_a_run_lists_every_scheduling_problem_at_once() -> None:
    with pytest.raises(Invalid) as refused:
        scheduled(
            sessions=[SessionTimes(datetime(2027, 5, 10, 12), datetime(2027, 5, 10, 11))],
            modality=Modality.IN_PERSON, quota_per_country=9, timezone="Nowhere",
            enrolment_closes_at=datetime(2027, 3, 1),
        )  # fmt: skip
    assert sorted(p.field for p in refused.value.issues) == [
        "enrolment_closes_at", "quota_per_country", "sessions.0", "timezone", "venue",
    ]  # fmt: skip


def test_the_kind_default_rules_fit_the_program() -> None:
    assert CompletionRule.default_for(OfferingKind.TRAINING_COURSE) == CompletionRule(
        Decimal("0.75"), Decimal(60)
    )
    assert CompletionRule.default_for(OfferingKind.CONVERSATORIO).pass_mark is None
