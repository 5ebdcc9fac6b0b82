"""The retention rules: how long each kind of row is kept, and that erased messages stay erased."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from ibermuseos_notifications.bootstrap import retention_policy
from ibermuseos_notifications.domain.messages import Category, Channel, InvalidTransition, Message, Status
from ibermuseos_notifications.domain.retention import (
    RetentionPolicy,
    application_expires_at,
    assignment_expires_at,
    contact_expires_at,
    message_content_expires_at,
    run_expires_at,
)
from ibermuseos_notifications.settings import RetentionSettings

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
POLICY = RetentionPolicy()


def expires(
    status: Status, channel: Channel, *, sent: int | None = None, read: int | None = None, changed: int = 0
) -> datetime | None:
    """When the content of a message sent/read/changed that many days before NOW expires."""
    return message_content_expires_at(
        POLICY,
        status=status,
        channel=channel,
        sent_at=NOW - sent * DAY if sent is not None else None,
        read_at=NOW - read * DAY if read is not None else None,
        updated_at=NOW - changed * DAY,
    )


def test_a_pending_message_is_never_erased_however_old() -> None:
    assert expires(Status.PENDING, Channel.EMAIL, changed=10_000) is None
    assert expires(Status.PENDING, Channel.INBOX, changed=10_000) is None


def test_a_sent_emails_content_is_erased_30_days_after_sending() -> None:
    assert expires(Status.SENT, Channel.EMAIL, sent=10, changed=1) == NOW + 20 * DAY


def test_a_read_inbox_message_is_erased_90_days_after_reading() -> None:
    assert expires(Status.SENT, Channel.INBOX, sent=100, read=10) == NOW + 80 * DAY


def test_an_unread_inbox_message_is_kept_a_year_from_delivery() -> None:
    assert expires(Status.SENT, Channel.INBOX, sent=100) == NOW + 265 * DAY


def test_failed_and_bounced_emails_are_kept_180_days_for_operators() -> None:
    assert expires(Status.FAILED, Channel.EMAIL, changed=30) == NOW + 150 * DAY
    assert expires(Status.BOUNCED, Channel.EMAIL, sent=200, changed=30) == NOW + 150 * DAY


def test_a_cancelled_message_is_erased_30_days_after_cancellation() -> None:
    assert expires(Status.CANCELLED, Channel.EMAIL, changed=5) == NOW + 25 * DAY


def test_a_runs_schedule_goes_90_days_after_its_last_session_or_after_three_years_without_one() -> None:
    assert run_expires_at(POLICY, last_session_ends_at=NOW, remembered_at=NOW - 5000 * DAY) == NOW + 90 * DAY
    assert run_expires_at(POLICY, last_session_ends_at=None, remembered_at=NOW) == NOW + 1095 * DAY


def test_an_application_goes_two_years_after_its_call_closed_or_three_years_when_the_call_is_unknown() -> (
    None
):
    assert application_expires_at(POLICY, call_closes_at=NOW, remembered_at=NOW) == NOW + 730 * DAY
    assert application_expires_at(POLICY, call_closes_at=None, remembered_at=NOW) == NOW + 1095 * DAY


def test_an_assignment_goes_90_days_after_its_scoring_deadline() -> None:
    assert assignment_expires_at(POLICY, score_by=NOW, remembered_at=NOW - 5000 * DAY) == NOW + 90 * DAY
    assert assignment_expires_at(POLICY, score_by=None, remembered_at=NOW) == NOW + 1095 * DAY


def test_a_contact_goes_after_a_year_without_anything_referring_to_the_person() -> None:
    assert contact_expires_at(POLICY, last_referred_at=NOW) == NOW + 365 * DAY


@pytest.mark.parametrize(
    ("status", "channel", "sent", "read", "changed", "cutoff"),
    [
        (Status.SENT, Channel.EMAIL, 31, None, 31, "sent_email"),
        (Status.SENT, Channel.INBOX, 100, 91, 91, "read_inbox"),
        (Status.SENT, Channel.INBOX, 366, None, 366, "unread_inbox"),
        (Status.FAILED, Channel.EMAIL, None, None, 181, "failed"),
        (Status.CANCELLED, Channel.INBOX, None, None, 31, "cancelled"),
    ],
)
def test_a_message_past_its_expiry_lies_before_the_cutoff_the_database_query_uses(
    status: Status, channel: Channel, sent: int | None, read: int | None, changed: int, cutoff: str
) -> None:
    expiry = expires(status, channel, sent=sent, read=read, changed=changed)
    assert expiry is not None
    assert expiry < NOW
    clock_start = {"sent_email": sent, "read_inbox": read, "unread_inbox": sent}.get(cutoff, changed)
    assert clock_start is not None
    assert NOW - clock_start * DAY < getattr(POLICY.cutoffs(NOW), cutoff)
    # A day later it would not have been due yet.
    assert NOW - (clock_start - 2) * DAY > getattr(POLICY.cutoffs(NOW), cutoff)


def test_the_settings_defaults_are_the_documented_policy_and_each_setting_counts() -> None:
    assert retention_policy(RetentionSettings()) == RetentionPolicy()
    assert retention_policy(RetentionSettings(sent_email_days=7)).sent_email == 7 * DAY
    assert retention_policy(RetentionSettings(contact_idle_days=30)).contact_idle == 30 * DAY


def _failed_message(erased_at: datetime | None) -> Message:
    return Message(
        notification_id=uuid.uuid4(),
        event_key=uuid.uuid4(),
        cause_id=uuid.uuid4(),
        cause_type="ApplicationSubmitted",
        recipient_id="ana",
        channel=Channel.EMAIL,
        template="application_received",
        category=Category.ACKNOWLEDGEMENT,
        about="x",
        context={},
        language="es",
        context_language=None,
        status=Status.FAILED,
        next_attempt_at=NOW,
        created_at=NOW,
        erased_at=erased_at,
    )


def test_an_erased_message_cannot_be_resent_but_one_not_erased_can() -> None:
    with pytest.raises(InvalidTransition):
        _failed_message(NOW).resend(NOW)
    message = _failed_message(None)
    message.resend(NOW)
    assert message.status is Status.PENDING
