"""Who is told of a cancelled run, a cancelled enrolment, a rescheduled run and a lapsed waitlist, how urgently,
and the updated or cancelling calendar."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
from ibermuseos_contracts.courses import (
    CancelledBy,
    CourseRunRescheduledV1,
    EnrolmentCancelledV1,
    EnrolmentLapsedV1,
    OfferingKind,
    Session,
)
from ibermuseos_notifications.adapters.calendar import Organizer, run_calendar
from ibermuseos_notifications.adapters.composer import MessageComposer
from ibermuseos_notifications.adapters.rendering import Links, TemplateRenderer
from ibermuseos_notifications.domain import recipes
from ibermuseos_notifications.domain.languages import choose_language
from ibermuseos_notifications.domain.messages import Category, Channel, Message

NOW = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)
RUN_ID, OFFERING_ID, ENROLMENT_ID = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
SESSION = {"session_id": "3eaf4c31-5a6d-4f8e-9b2c-3d4e5f607182", "starts_at": "2027-03-01T14:00:00+00:00"}
ORGANIZER = Organizer("formacion@ibermuseos.example", "Ibermuseos · Formación")


def _cancelled(
    *, run_cancelled: bool, was_enrolled: bool = True, by: CancelledBy | None = CancelledBy.COORDINATOR
) -> EnrolmentCancelledV1:
    return EnrolmentCancelledV1(
        enrolment_id=ENROLMENT_ID, run_id=RUN_ID, person_id="ana", was_enrolled=was_enrolled, cancelled_at=NOW,
        offering_id=OFFERING_ID, kind=OfferingKind.MINI_COURSE, run_cancelled=run_cancelled,
        reason="La sede cerró" if run_cancelled else None, cancelled_by=by,
    )  # fmt: skip


def test_a_cancelled_run_tells_each_person_why_and_whether_they_had_a_seat_at_once() -> None:
    (seat,) = recipes.enrolment_cancelled(_cancelled(run_cancelled=True), "pt")
    (place,) = recipes.enrolment_cancelled(_cancelled(run_cancelled=True, was_enrolled=False), "pt")
    assert (seat.template, seat.recipient_id, seat.about) == ("run_cancelled", "ana", str(ENROLMENT_ID))
    assert (seat.context["reason"], seat.context["was_enrolled"], place.context["was_enrolled"]) == (
        "La sede cerró",
        True,
        False,
    )
    assert seat.category is Category.DECISION
    assert seat.category.urgent
    assert seat.context_language == "pt"
    assert seat.channels == (Channel.EMAIL, Channel.INBOX)


def test_a_participant_who_cancels_their_own_seat_or_place_gets_a_confirmation_at_once() -> None:
    (seat,) = recipes.enrolment_cancelled(_cancelled(run_cancelled=False, by=CancelledBy.PARTICIPANT), "es")
    (place,) = recipes.enrolment_cancelled(
        _cancelled(run_cancelled=False, was_enrolled=False, by=CancelledBy.PARTICIPANT), "es"
    )
    assert (seat.template, seat.recipient_id, seat.about) == ("enrolment_cancelled", "ana", str(ENROLMENT_ID))
    assert (seat.context["was_enrolled"], place.context["was_enrolled"]) == (True, False)
    assert seat.category is Category.CONFIRMATION
    assert seat.category.urgent
    assert "reason" not in seat.context


def test_an_enrolment_a_coordinator_cancelled_or_from_before_cancelled_by_existed_tells_nobody() -> None:
    assert recipes.enrolment_cancelled(_cancelled(run_cancelled=False), "es") == []
    assert recipes.enrolment_cancelled(_cancelled(run_cancelled=False, by=None), "es") == []


def test_a_rescheduled_run_tells_every_enrolled_participant_at_once() -> None:
    event = CourseRunRescheduledV1(
        run_id=RUN_ID, offering_id=OFFERING_ID, kind=OfferingKind.MINI_COURSE,
        sessions=[Session(session_id=uuid.uuid4(), starts_at=NOW, ends_at=NOW + timedelta(hours=2))],
        timezone="America/Lima", enrolment_opens_at=NOW - timedelta(days=9), enrolment_closes_at=NOW,
        revision=2, rescheduled_at=NOW,
    )  # fmt: skip
    notices = recipes.run_rescheduled(event, [(ENROLMENT_ID, "ana"), ("e-2", "beto")], "es")
    assert [(n.template, n.recipient_id, n.about) for n in notices] == [
        ("run_rescheduled", "ana", str(ENROLMENT_ID)),
        ("run_rescheduled", "beto", "e-2"),
    ]
    assert all(n.category.urgent and n.context["revision"] == 2 for n in notices)
    assert "run_rescheduled" in recipes.WITH_CALENDAR


def test_a_lapsed_place_on_the_waitlist_is_told_but_waits_for_the_end_of_quiet_hours() -> None:
    event = EnrolmentLapsedV1(
        enrolment_id=ENROLMENT_ID, run_id=RUN_ID, offering_id=OFFERING_ID, kind=OfferingKind.MINI_COURSE,
        person_id="ana", lapsed_at=NOW,
    )  # fmt: skip
    (notice,) = recipes.enrolment_lapsed(event, "en")
    assert (notice.template, notice.recipient_id, notice.about) == (
        "enrolment_lapsed",
        "ana",
        str(ENROLMENT_ID),
    )
    assert not notice.category.urgent
    assert not notice.category.optional


def _calendar(sessions: list[dict[str, Any]], **cancelling: Any) -> icalendar.Calendar:
    run = {"sessions": sessions}
    data = run_calendar(
        run, title="Curso", description="d", location="On-line", timezone="America/Sao_Paulo",
        uid_domain="example.org", organizer=ORGANIZER, now=NOW, **cancelling,
    )  # fmt: skip
    return icalendar.Calendar.from_ical(data)


def test_an_updated_calendar_keeps_each_sessions_uid_and_raises_its_sequence() -> None:
    before = _calendar([{**SESSION, "ends_at": "2027-03-01T16:00:00+00:00"}])
    after = _calendar(
        [
            {
                **SESSION,
                "starts_at": "2027-03-08T14:00:00+00:00",
                "ends_at": "2027-03-08T16:00:00+00:00",
                "sequence": 1,
            }
        ]
    )
    (old,), (new,) = before.walk("VEVENT"), after.walk("VEVENT")
    assert old["uid"] == new["uid"] == f"{SESSION['session_id']}@example.org"
    assert (old["sequence"], new["sequence"]) == (0, 1)
    assert new.decoded("dtstart").day == 8
    assert str(new.decoded("dtstart").tzinfo) == "America/Sao_Paulo"


def test_a_cancelling_calendar_takes_out_the_same_entries_with_a_higher_sequence() -> None:
    """RFC 5546 CANCEL: the organizer, the attendee, STATUS:CANCELLED, each invitation's UID, its SEQUENCE + 1."""
    sessions = [{**SESSION, "ends_at": "2027-03-01T16:00:00+00:00", "sequence": 2}]
    (invitation,) = _calendar(sessions).walk("VEVENT")
    cancelling = _calendar(sessions, cancel=True, attendee="ana@museu.example")
    (cancelled,) = cancelling.walk("VEVENT")
    assert (str(_calendar(sessions)["method"]), str(cancelling["method"])) == ("PUBLISH", "CANCEL")
    assert cancelled["uid"] == invitation["uid"]
    assert (invitation["sequence"], cancelled["sequence"]) == (2, 3)
    assert str(cancelled["status"]) == "CANCELLED"
    assert (
        str(cancelled["organizer"]) == str(invitation["organizer"]) == "mailto:formacion@ibermuseos.example"
    )
    assert str(cancelled["attendee"]) == "mailto:ana@museu.example"
    assert "status" not in invitation


def test_the_rescheduled_mail_carries_the_new_sessions_in_the_participants_time_zone() -> None:
    run = {
        "run_id": str(RUN_ID),
        "title": {"es": "Curso", "pt": "Curso", "en": "Course"},
        "sessions": [{**SESSION, "ends_at": "2027-03-01T16:00:00+00:00", "sequence": 3}],
        "timezone": "America/Mexico_City", "modality": "online", "venue": None, "language": "es", "hours": "8",
    }  # fmt: skip
    context = {
        "enrolment_id": str(ENROLMENT_ID),
        "run": run,
        "revision": 3,
        "application": None,
        "call": None,
    }
    notice = recipes.run_rescheduled(
        CourseRunRescheduledV1(
            run_id=RUN_ID, offering_id=OFFERING_ID, kind=OfferingKind.MINI_COURSE, sessions=[], timezone="UTC",
            enrolment_opens_at=NOW, enrolment_closes_at=NOW, revision=3, rescheduled_at=NOW,
        ),
        [(ENROLMENT_ID, "ana")],
        "es",
    )[0]  # fmt: skip
    (message, _) = Message.from_notice(notice, cause_id=uuid.uuid4(), cause_type="t", language="en", now=NOW)
    composed = MessageComposer(
        TemplateRenderer(Links("https://p.example", "https://p.example/v/{code}")), "ex.org", ORGANIZER
    ).compose(message, context, choose_language("en"), name="Ana", timezone="America/Lima")
    assert composed.subject == "New dates: Course"
    assert "9:00\u202fAM" in composed.text  # 14:00 UTC in Lima
    (attachment,) = composed.attachments
    (event,) = icalendar.Calendar.from_ical(attachment.data).walk("VEVENT")
    assert event["sequence"] == 3
    assert str(event.decoded("dtstart").tzinfo) == "America/Lima"
