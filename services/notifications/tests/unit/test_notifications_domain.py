"""The rules of telling people things: languages, quiet hours, reminders, retries and the life of a message."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from ibermuseos_contracts.applications import (
    ActivityKind,
    ApplicationRejectedV1,
    CallOpenedV1,
    GrantAcceptedV1,
    GrantAwardedV1,
    RejectionReason,
)
from ibermuseos_contracts.courses import CertificateIssuedV1, OfferingKind
from ibermuseos_contracts.notifications import (
    BounceKind,
    NotificationBouncedV1,
    NotificationDeliveredV1,
    NotificationFailedV1,
)
from ibermuseos_contracts.types import Localized, Money
from ibermuseos_notifications.domain import recipes
from ibermuseos_notifications.domain.languages import choose_language
from ibermuseos_notifications.domain.messages import (
    Category,
    Channel,
    FailureReason,
    InvalidTransition,
    Message,
    Notice,
    Status,
)
from ibermuseos_notifications.domain.recipients import Recipient
from ibermuseos_notifications.domain.schedule import (
    RunReminder,
    report_reminder_moments,
    retry_delay,
    run_reminder_moment,
)
from ibermuseos_notifications.domain.timezones import QuietHours, zone, zone_of_country

NOW = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)


# ---------------------------------------------------------------------------- languages


@pytest.mark.parametrize(
    ("preferred", "context", "template", "locale"),
    [
        ("pt-BR", "es", "pt", "pt-BR"),
        ("pt", None, "pt", "pt"),
        ("en", "pt", "en", "en"),
        ("es-MX", None, "es", "es-MX"),
        ("fr", "pt", "pt", "pt"),
        ("fr", "en-GB", "en", "en-GB"),
        ("fr", None, "es", "es"),
        (None, None, "es", "es"),
        ("de", "it", "es", "es"),
    ],
)
def test_the_language_follows_the_chain_preferred_then_primary_then_context_then_spanish(
    preferred: str | None, context: str | None, template: str, locale: str
) -> None:
    choice = choose_language(preferred, context)
    assert (choice.template, choice.locale) == (template, locale)


# -------------------------------------------------------------------------- quiet hours


def test_quiet_hours_spanning_midnight_end_in_the_recipients_morning() -> None:
    quiet = QuietHours(time(21), time(8))
    lima = ZoneInfo("America/Lima")  # UTC-5
    late = datetime(2027, 3, 10, 3, 30, tzinfo=UTC)  # 22:30 in Lima
    assert quiet.next_allowed(late, lima) == datetime(2027, 3, 10, 13, 0, tzinfo=UTC)  # 08:00 in Lima
    early = datetime(2027, 3, 10, 11, 0, tzinfo=UTC)  # 06:00 in Lima
    assert quiet.next_allowed(early, lima) == datetime(2027, 3, 10, 13, 0, tzinfo=UTC)
    day = datetime(2027, 3, 10, 17, 0, tzinfo=UTC)  # noon in Lima
    assert quiet.next_allowed(day, lima) == day


def test_quiet_hours_within_one_day_and_empty_ones() -> None:
    siesta = QuietHours(time(13), time(15))
    madrid = ZoneInfo("Europe/Madrid")
    at_two = datetime(2027, 7, 1, 12, 0, tzinfo=UTC)  # 14:00 in Madrid (summer)
    assert siesta.next_allowed(at_two, madrid) == datetime(2027, 7, 1, 13, 0, tzinfo=UTC)
    assert QuietHours(time(0), time(0)).next_allowed(at_two, madrid) == at_two


def test_quiet_hours_ending_on_a_daylight_saving_change_end_at_a_real_instant_after_them() -> None:
    quiet = QuietHours(time(22), time(2, 30))
    madrid = ZoneInfo("Europe/Madrid")  # 2027-03-28 02:00 → 03:00: 02:30 does not exist that night
    night = datetime(2027, 3, 27, 23, 0, tzinfo=UTC)  # 00:00 local
    allowed = quiet.next_allowed(night, madrid)
    assert allowed.tzinfo is UTC
    # 02:30 read at the winter offset, as zoneinfo reads it: 01:30 UTC, 03:30 local, after the quiet hours.
    assert allowed == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert not quiet.contains(allowed.astimezone(madrid).time())


def test_unknown_zones_are_read_as_utc_and_countries_have_their_usual_zone() -> None:
    assert zone("Mars/Olympus") is UTC
    assert zone(None) is UTC
    assert zone_of_country("BR") == "America/Sao_Paulo"
    assert zone_of_country("ZZ") == "UTC"


@pytest.mark.parametrize(
    "name", ["America", "Etc", "../../../../etc/passwd", "America/Lima\n", "/etc/localtime"]
)
def test_a_stored_zone_that_is_a_folder_or_a_path_is_read_as_utc_and_quiet_hours_still_hold(
    name: str,
) -> None:
    assert zone(name) is UTC
    quiet = QuietHours(time(21, 0), time(8, 0))
    assert quiet.next_allowed(datetime(2027, 1, 1, 22, tzinfo=UTC), zone(name)) == datetime(
        2027, 1, 2, 8, tzinfo=UTC
    )


# ---------------------------------------------------------------------------- reminders


def test_report_reminders_fall_at_the_local_morning_before_the_due_date_and_past_ones_are_dropped() -> None:
    lima = ZoneInfo("America/Lima")
    moments = report_reminder_moments(date(2027, 3, 30), [14, 2, 30], time(9), lima, NOW)
    assert moments == {
        14: datetime(2027, 3, 16, 14, 0, tzinfo=UTC),
        2: datetime(2027, 3, 28, 14, 0, tzinfo=UTC),
    }


def test_a_run_is_reminded_a_day_before_its_first_session() -> None:
    start = NOW + timedelta(days=3)
    assert run_reminder_moment(start, 24, NOW, 1) == RunReminder(start - timedelta(days=1), late=False)


@pytest.mark.parametrize(
    ("enrolled_before", "reminded"),
    [
        (timedelta(hours=23), timedelta(hours=22)),  # an hour before the run
        (timedelta(hours=5), timedelta(hours=4)),
        (timedelta(hours=2), timedelta(hours=1)),  # an hour after the confirmation: still worth it
        (
            timedelta(hours=1, minutes=59),
            None,
        ),  # sooner than an hour after the confirmation: it would repeat it
        (timedelta(minutes=30), None),
    ],
)
def test_someone_enrolling_less_than_a_day_before_is_reminded_an_hour_before_if_it_still_makes_sense(
    enrolled_before: timedelta, reminded: timedelta | None
) -> None:
    moment = run_reminder_moment(NOW + enrolled_before, 24, NOW, 1)
    assert moment == (RunReminder(NOW + reminded, late=True) if reminded else None)


def test_retries_back_off_exponentially_up_to_a_cap() -> None:
    delays = [
        retry_delay(n, base_seconds=30, cap_seconds=600, jitter=False).total_seconds() for n in range(1, 8)
    ]
    assert delays == [30, 60, 120, 240, 480, 600, 600]
    jittered = retry_delay(3, base_seconds=30, cap_seconds=600).total_seconds()
    assert 96 <= jittered <= 120


# ---------------------------------------------------------------------- which event, whom


def _award(from_waitlist: bool) -> GrantAwardedV1:
    return GrantAwardedV1(
        application_id=uuid.uuid4(),
        call_id=uuid.uuid4(),
        call_year=2027,
        applicant_id="ana",
        amount=Money(amount=Decimal("1200.00"), currency="EUR"),
        accept_by=NOW + timedelta(days=7),
        from_waitlist=from_waitlist,
        awarded_at=NOW,
    )


def test_an_award_from_the_waitlist_is_told_as_a_promotion() -> None:
    (plain,) = recipes.grant_awarded(_award(False))
    (promoted,) = recipes.grant_awarded(_award(True))
    assert (plain.template, promoted.template) == ("grant_awarded", "grant_awarded_from_waitlist")
    assert plain.category is Category.DECISION
    assert plain.context["amount"] == {"amount": "1200.00", "currency": "EUR"}
    assert plain.channels == (Channel.EMAIL, Channel.INBOX)


def test_a_rejection_as_the_waitlist_closes_is_told_as_the_end_of_the_waitlist() -> None:
    application_id, call_id = uuid.uuid4(), uuid.uuid4()
    at_release = ApplicationRejectedV1(
        application_id=application_id, call_id=call_id, applicant_id="ana", rejected_at=NOW
    )
    at_close = at_release.model_copy(update={"reason": RejectionReason.WAITLIST_CLOSED})

    (not_selected,) = recipes.application_rejected(at_release)
    (closed,) = recipes.application_rejected(at_close)

    assert (not_selected.template, closed.template) == ("application_rejected", "waitlist_closed")
    assert closed.category is Category.DECISION
    assert closed.category.urgent
    assert closed.context["closed_at"] == NOW.isoformat()
    assert "closed_at" not in not_selected.context
    assert closed.channels == (Channel.EMAIL, Channel.INBOX)


def test_an_accepted_grant_is_confirmed_and_its_report_reminded_in_the_grantees_zone() -> None:
    accepted = GrantAcceptedV1(
        application_id=uuid.uuid4(),
        call_id=uuid.uuid4(),
        call_year=2027,
        applicant_id="ana",
        amount=Money(amount=Decimal("1200.00"), currency="EUR"),
        report_due_on=date(2027, 6, 30),
        accepted_at=NOW,
    )
    notices = recipes.grant_accepted(
        accepted,
        reminder_days=[14, 2],
        reminder_time=time(9),
        timezone=ZoneInfo("America/Sao_Paulo"),
        now=NOW,
    )
    assert [(n.template, n.not_before) for n in notices] == [
        ("grant_acceptance_confirmed", None),
        ("report_reminder", datetime(2027, 6, 16, 12, 0, tzinfo=UTC)),
        ("report_reminder", datetime(2027, 6, 28, 12, 0, tzinfo=UTC)),
    ]
    keys = {n.event_key(uuid.UUID(int=1)) for n in notices}
    assert len(keys) == 3  # three messages per channel from one event, each its own


def test_a_call_is_told_to_the_focal_points_of_the_eligible_countries_only() -> None:
    call = CallOpenedV1(
        call_id=uuid.uuid4(),
        year=2027,
        title=Localized(es="Becas", pt="Bolsas", en="Grants"),
        rules=Localized(es="Bases", pt="Edital", en="Rules"),
        opens_at=NOW,
        closes_at=NOW + timedelta(days=30),
        timezone="America/Mexico_City",
        budget=Money(amount=Decimal("100000"), currency="USD"),
        max_per_grant=Money(amount=Decimal("2000"), currency="USD"),
        eligible_residence_countries=["BR", "PE"],
        eligible_host_countries=["MX"],
        eligible_activity_kinds=[ActivityKind.COURSE],
    )
    notices = recipes.call_opened(call, [("joao", "BR"), ("rosa", "PE"), ("ana", "AR")])
    assert [(n.recipient_id, n.context["country"]) for n in notices] == [("joao", "BR"), ("rosa", "PE")]
    assert all(n.category is Category.CALL_ANNOUNCEMENT and not n.category.urgent for n in notices)


def test_the_certificate_mail_prints_the_code_grouped_as_the_certificate_and_its_page_do() -> None:
    event = CertificateIssuedV1(
        certificate_id=uuid.uuid4(), enrolment_id=uuid.uuid4(), run_id=uuid.uuid4(), offering_id=uuid.uuid4(),
        kind=OfferingKind.MINI_COURSE, person_id="ana", holder_name="Ana Souza",
        verification_code="3THV7B04MKSGH5R1P521F", title=Localized(es="T", pt="T", en="T"), hours=Decimal(8),
        completed_on=NOW.date(), issued_at=NOW,
    )  # fmt: skip
    (notice,) = recipes.certificate_issued(event, "es")
    assert notice.context["verification_code"] == "3THV7-B04MK-SGH5R-1P521-F"


@pytest.mark.parametrize(("starts_in", "late"), [(timedelta(days=3), False), (timedelta(hours=6), True)])
def test_a_run_reminder_knows_whether_it_comes_the_day_before_or_shortly_before(
    starts_in: timedelta, late: bool
) -> None:
    (notice,) = recipes.run_reminder(
        enrolment_id="e-1", run_id="r-1", offering_id="o-1", person_id="ana", first_session_starts_at=NOW + starts_in,
        run_language="es", hours_before=24, late_hours_before=1, now=NOW,
    )  # fmt: skip
    assert notice.context["late"] is late
    assert notice.not_before == NOW + starts_in - (timedelta(hours=1) if late else timedelta(days=1))


def test_every_template_has_a_category_and_only_reminders_may_be_opted_out_of() -> None:
    optional = {template for template, category in recipes.TEMPLATES.items() if category.optional}
    assert optional == {"report_reminder", "run_reminder"}
    urgent = {template for template, category in recipes.TEMPLATES.items() if category.urgent}
    assert {"grant_awarded", "application_rejected", "certificate_revoked", "enrolment_confirmed"} <= urgent
    assert "run_reminder" not in urgent


def test_a_person_who_opted_out_of_reminders_still_gets_decisions() -> None:
    person = Recipient("ana", opted_out=frozenset({Category.RUN_REMINDER}))
    assert not person.wants(Category.RUN_REMINDER)
    assert person.wants(Category.REPORT_REMINDER)
    assert person.wants(Category.DECISION)
    # Even a stored opt-out of a decision (never accepted by the API) does not silence it.
    assert Recipient("ana", opted_out=frozenset({Category.DECISION})).wants(Category.DECISION)


# ------------------------------------------------------------------- the life of a message


def _message(channel: Channel = Channel.EMAIL) -> Message:
    notice = Notice("grant_awarded", "ana", Category.DECISION, "app-1", {"x": 1}, channels=(channel,))
    (message,) = Message.from_notice(
        notice, cause_id=uuid.UUID(int=7), cause_type="t", language="pt-BR", now=NOW
    )
    return message


def test_one_event_makes_the_same_message_ids_however_often_it_is_seen() -> None:
    notice = Notice("grant_awarded", "ana", Category.DECISION, "app-1", {})
    first = Message.from_notice(notice, cause_id=uuid.UUID(int=7), cause_type="t", language="es", now=NOW)
    again = Message.from_notice(notice, cause_id=uuid.UUID(int=7), cause_type="t", language="es", now=NOW)
    assert [m.notification_id for m in first] == [m.notification_id for m in again]
    assert first[0].notification_id != first[1].notification_id  # one per channel


def test_a_delivered_message_records_its_attempt_and_publishes_delivered() -> None:
    message = _message()
    message.deliver(NOW, relay="primary", address="ana@museu.example")
    assert message.status is Status.SENT
    assert [a.outcome for a in message.new_attempts] == ["sent"]
    (event,) = message.pull_events()
    assert isinstance(event, NotificationDeliveredV1)
    assert (event.attempts, event.relay, event.language) == (1, "primary", "pt-BR")
    with pytest.raises(InvalidTransition):
        message.deliver(NOW)


def test_temporary_failures_retry_until_the_budget_is_spent_then_fail_and_publish() -> None:
    message = _message()
    message.attempt_failed(
        NOW, relay="primary", code=451, detail="later", retry_at=NOW + timedelta(minutes=1)
    )
    assert (message.status, message.next_attempt_at) == (Status.PENDING, NOW + timedelta(minutes=1))
    assert message.pull_events() == []
    message.attempt_failed(NOW, relay="primary", code=451, detail="later", retry_at=None)
    assert message.status is Status.FAILED
    (event,) = message.pull_events()
    assert isinstance(event, NotificationFailedV1)
    assert (event.reason, event.attempts) == (FailureReason.RETRIES_EXHAUSTED, 2)


def test_a_failed_message_is_resent_with_a_fresh_budget_and_a_sent_one_is_not() -> None:
    message = _message()
    message.refused(NOW, relay="primary", code=554, detail="no")
    message.resend(NOW + timedelta(hours=1))
    assert (message.status, message.retries, message.attempts) == (Status.PENDING, 0, 1)
    message.deliver(NOW, relay="primary")
    with pytest.raises(InvalidTransition):
        message.resend(NOW)


def test_a_hard_bounce_is_published_once_and_a_soft_one_leaves_the_message_sent() -> None:
    message = _message()
    message.deliver(NOW, relay="primary", address="ana@museu.example")
    message.pull_events()
    assert message.bounce(NOW, address="ana@museu.example", kind=BounceKind.SOFT, detail="mailbox full")
    assert message.status is Status.SENT
    assert message.bounce(NOW, address="ana@museu.example", kind=BounceKind.HARD, detail="no such user")
    assert message.status is Status.BOUNCED
    assert not message.bounce(NOW, address="ana@museu.example", kind=BounceKind.HARD, detail="again")
    events = message.pull_events()
    assert [type(e) for e in events] == [NotificationBouncedV1, NotificationBouncedV1]
    assert [e.kind for e in events if isinstance(e, NotificationBouncedV1)] == [
        BounceKind.SOFT,
        BounceKind.HARD,
    ]


def test_only_sent_inbox_messages_are_read_and_cancelled_ones_stay_cancelled() -> None:
    inbox = _message(Channel.INBOX)
    with pytest.raises(InvalidTransition):
        inbox.mark_read(NOW)
    inbox.deliver(NOW)
    inbox.mark_read(NOW)
    inbox.mark_read(NOW + timedelta(days=1))
    assert inbox.read_at == NOW
    assert inbox.new_attempts == []  # the inbox is no relay: nothing to attempt
    email = _message()
    email.cancel("opted out")
    with pytest.raises(InvalidTransition):
        email.postpone(NOW)
    with pytest.raises(InvalidTransition):
        email.resend(NOW)


def test_an_attempt_is_on_record_before_the_relay_and_its_answer_closes_it() -> None:
    message = _message()
    message.start_sending(NOW, until=NOW + timedelta(minutes=5))
    assert (message.sending_attempt, message.attempts, message.next_attempt_at) == (
        1,
        1,
        NOW + timedelta(minutes=5),
    )
    assert [(a.number, a.outcome, a.finished_at) for a in message.new_attempts] == [(1, "sending", None)]
    message.new_attempts.clear()
    message.deliver(NOW, relay="primary", address="ana@museu.example")
    assert [(a.number, a.outcome) for a in message.new_attempts] == [(1, "sent")]
    assert (message.sending_attempt, message.attempts, message.possible_duplicate) == (None, 1, False)
    (delivered,) = message.pull_events()
    assert isinstance(delivered, NotificationDeliveredV1)
    assert delivered.attempts == 1


def test_an_interrupted_attempt_is_closed_as_such_and_the_next_copy_is_flagged() -> None:
    message = _message()
    message.start_sending(NOW, until=NOW + timedelta(minutes=5))
    with pytest.raises(InvalidTransition):
        message.start_sending(NOW, until=NOW + timedelta(minutes=5))
    message.new_attempts.clear()
    message.interrupted(NOW + timedelta(minutes=5))
    message.start_sending(NOW + timedelta(minutes=5), until=NOW + timedelta(minutes=10))
    message.deliver(NOW + timedelta(minutes=5), relay="primary", address="ana@museu.example")
    assert [(a.number, a.outcome) for a in message.new_attempts] == [
        (1, "interrupted"),
        (2, "sending"),
        (2, "sent"),
    ]
    assert message.possible_duplicate
    assert message.status is Status.SENT


def test_a_message_that_fails_says_why() -> None:
    message = _message()
    message.fail(NOW, FailureReason.ADDRESS_INVALID, "the message cannot be addressed")
    assert (message.status, message.failure_reason) == (Status.FAILED, FailureReason.ADDRESS_INVALID)
    message.resend(NOW)
    assert message.failure_reason is None
