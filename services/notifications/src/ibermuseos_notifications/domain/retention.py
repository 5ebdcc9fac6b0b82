"""How long the service keeps what it knows of people, and when each kind of row is due for erasure.

The rules are dates: a row is due once the moment that starts its clock lies further back than
its retention period. Pending messages are never due (a scheduled reminder keeps everything it
needs); the key of a message (event, recipient, channel) is never erased, so a replayed event
finds its message and sends nothing again.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .messages import Channel, Status


@dataclass(frozen=True)
class RetentionPolicy:
    sent_email: timedelta = timedelta(days=30)
    """A sent e-mail's subject, body, facts and address, from its sending."""
    read_inbox: timedelta = timedelta(days=90)
    """An inbox message the person read, from its reading."""
    unread_inbox: timedelta = timedelta(days=365)
    """An inbox message never read, from its delivery."""
    failed: timedelta = timedelta(days=180)
    """A failed or bounced e-mail (operators may resend it until then), from its last change."""
    cancelled: timedelta = timedelta(days=30)
    """A message that was never sent (opted out, no longer relevant), from its cancellation."""
    contact_idle: timedelta = timedelta(days=365)
    """A person's contact details, once no message, pending reminder or record refers to them."""
    run_after_end: timedelta = timedelta(days=90)
    """A run's schedule and its enrolments, from the end of its last session."""
    application_after_call_closes: timedelta = timedelta(days=730)
    """An application (and its call), from the call's closing: the cycle of award, grant and report."""
    assignment_after_deadline: timedelta = timedelta(days=90)
    """An evaluator's assignment, from its scoring deadline."""
    certificate: timedelta = timedelta(days=365)
    """A certificate's title (for telling a revocation), from the course's completion."""
    context_max: timedelta = timedelta(days=1095)
    """Any record whose natural end is unknown (a run without sessions, a call never announced)."""

    def cutoffs(self, now: datetime) -> "Cutoffs":
        return Cutoffs(
            sent_email=now - self.sent_email,
            read_inbox=now - self.read_inbox,
            unread_inbox=now - self.unread_inbox,
            failed=now - self.failed,
            cancelled=now - self.cancelled,
            contact_idle=now - self.contact_idle,
            run_ended=now - self.run_after_end,
            call_closed=now - self.application_after_call_closes,
            assignment_deadline=now - self.assignment_after_deadline,
            certificate_completed=(now - self.certificate).date(),
            context_remembered=now - self.context_max,
        )


@dataclass(frozen=True)
class Cutoffs:
    """For each rule, the moment before which its clock must have started for a row to be due."""

    sent_email: datetime
    read_inbox: datetime
    unread_inbox: datetime
    failed: datetime
    cancelled: datetime
    contact_idle: datetime
    run_ended: datetime
    call_closed: datetime
    assignment_deadline: datetime
    certificate_completed: date
    context_remembered: datetime


def message_content_expires_at(
    policy: RetentionPolicy,
    *,
    status: Status,
    channel: Channel,
    sent_at: datetime | None,
    read_at: datetime | None,
    updated_at: datetime,
) -> datetime | None:
    """When a message's content (subject, body, facts, address) is erased; None while it is pending."""
    if status is Status.PENDING:
        return None
    if status is Status.SENT and channel is Channel.INBOX:
        if read_at is not None:
            return read_at + policy.read_inbox
        return (sent_at or updated_at) + policy.unread_inbox
    if status is Status.SENT:
        return (sent_at or updated_at) + policy.sent_email
    if status in (Status.FAILED, Status.BOUNCED):
        return updated_at + policy.failed
    return updated_at + policy.cancelled


def run_expires_at(
    policy: RetentionPolicy, *, last_session_ends_at: datetime | None, remembered_at: datetime
) -> datetime:
    """A run (and its enrolments) is forgotten after its last session ended, or after the longest
    period when its schedule is unknown; never while a pending message speaks of it."""
    if last_session_ends_at is None:
        return remembered_at + policy.context_max
    return last_session_ends_at + policy.run_after_end


def application_expires_at(
    policy: RetentionPolicy, *, call_closes_at: datetime | None, remembered_at: datetime
) -> datetime:
    """An application is forgotten once its call's cycle is over; never while a pending message speaks of it."""
    if call_closes_at is None:
        return remembered_at + policy.context_max
    return call_closes_at + policy.application_after_call_closes


def assignment_expires_at(
    policy: RetentionPolicy, *, score_by: datetime | None, remembered_at: datetime
) -> datetime:
    if score_by is None:
        return remembered_at + policy.context_max
    return score_by + policy.assignment_after_deadline


def contact_expires_at(policy: RetentionPolicy, *, last_referred_at: datetime) -> datetime:
    """Contact details go once nothing referred to the person for the idle period (and nothing
    pending or remembered refers to them now: that is checked against the database)."""
    return last_referred_at + policy.contact_idle
