"""Messages to people, and the states a message goes through until it reached them (or could not).

One event yields one message per recipient, channel and notice, whatever the number of
times it is delivered: the message's key is derived from the event's id.

    pending ──deliver──▶ sent ──hard bounce──▶ bounced
       │  ▲                                        │
       │  └──────────── resend (operator) ◀────────┤
       ├──attempts exhausted / refused──▶ failed ──┘
       └──opted out / no longer relevant──▶ cancelled

An e-mail attempt is on record as `sending` before the mail goes to a relay, and the message is
not taken up again until a lease runs out: a service stopped between the relay's acceptance and
the record of its answer leaves the attempt open, and whoever takes the message up next closes
it as `interrupted` and flags the message `possible_duplicate` before sending it again.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from ibermuseos_contracts.notifications import (
    BounceKind,
    Channel,
    FailureReason,
    NotificationBouncedV1,
    NotificationDeliveredV1,
    NotificationFailedV1,
)
from ibermuseos_kernel.events import RecordsEvents

__all__ = ["Channel", "FailureReason"]

NAMESPACE = uuid.UUID("6f0b7a52-3c1e-4d5b-9a0e-1b2c3d4e5f60")


class Status(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    BOUNCED = "bounced"
    CANCELLED = "cancelled"


class Category(StrEnum):
    """What kind of news a message is; it decides whether it may wait and whether one may opt out."""

    ACKNOWLEDGEMENT = "acknowledgement"
    DECISION = "decision"
    CONFIRMATION = "confirmation"
    REPORT_REMINDER = "report_reminder"
    RUN_REMINDER = "run_reminder"
    CALL_ANNOUNCEMENT = "call_announcement"
    COURSE_RECORD = "course_record"
    EVALUATION_TASK = "evaluation_task"
    """An evaluator's assignments: work with a deadline, sent at once."""
    SCORING_REMINDER = "scoring_reminder"
    """A duty, not news: it waits for quiet hours to end but cannot be opted out of."""

    @property
    def urgent(self) -> bool:
        """Urgent news goes out at once; the rest waits for the end of the recipient's quiet hours."""
        return self in (
            Category.ACKNOWLEDGEMENT,
            Category.DECISION,
            Category.CONFIRMATION,
            Category.EVALUATION_TASK,
        )

    @property
    def optional(self) -> bool:
        """Whether a person may opt out: reminders yes, decisions about them never."""
        return self in OPTIONAL_CATEGORIES


OPTIONAL_CATEGORIES = frozenset({Category.REPORT_REMINDER, Category.RUN_REMINDER})


class InvalidTransition(Exception):
    """The message is not in a state that allows this."""


@dataclass(frozen=True)
class Notice:
    """What one event tells one person: a template, its facts, and when it may go out."""

    template: str
    recipient_id: str
    category: Category
    about: str
    """The id of what it is about (application, enrolment, call ...), to find it again."""
    context: dict[str, Any]
    """The facts the template needs, as JSON values."""
    channels: tuple[Channel, ...] = (Channel.EMAIL, Channel.INBOX)
    not_before: datetime | None = None
    context_language: str | None = None
    """The call's or course's language: the second choice after the recipient's own."""
    key: str = ""
    """Distinguishes several notices one event makes for one person (the reminders of a deadline)."""

    def event_key(self, cause_id: UUID) -> UUID:
        return cause_id if not self.key else uuid.uuid5(NAMESPACE, f"{cause_id}:{self.key}")


INTERRUPTED = (
    "the service stopped after handing the mail to the relay and before recording the answer: "
    "the relay may have accepted it, so this copy may be a second one"
)


@dataclass(frozen=True)
class Attempt:
    number: int
    relay: str | None
    started_at: datetime
    finished_at: datetime | None
    """None while the attempt is under way (`sending`)."""
    outcome: str
    """sending, sent, retry, exhausted, refused, bounced, interrupted."""
    code: int | None = None
    detail: str = ""


@dataclass
class Message(RecordsEvents):
    """One message to one person on one channel, caused by one event."""

    notification_id: UUID
    event_key: UUID
    cause_id: UUID
    cause_type: str
    recipient_id: str
    channel: Channel
    template: str
    category: Category
    about: str
    context: dict[str, Any]
    language: str
    context_language: str | None
    status: Status
    next_attempt_at: datetime
    created_at: datetime
    id: int | None = None
    address: str | None = None
    attempts: int = 0
    retries: int = 0
    """Attempts since the message was (re)sent; the retry budget counts these."""
    subject: str | None = None
    body: str | None = None
    sent_at: datetime | None = None
    read_at: datetime | None = None
    relay: str | None = None
    last_error: str | None = None
    erased_at: datetime | None = None
    """When its content was erased (retention, or the person's request): it cannot be sent again."""
    failure_reason: FailureReason | None = None
    sending_attempt: int | None = None
    """The number of the e-mail attempt under way, until its outcome is recorded."""
    possible_duplicate: bool = False
    """An attempt was interrupted after it may have reached the relay: the person may have two copies."""
    new_attempts: list[Attempt] = field(default_factory=list, repr=False)
    """Attempts begun or finished since the message was loaded (the repository writes them by number)."""

    @classmethod
    def from_notice(
        cls, notice: Notice, *, cause_id: UUID, cause_type: str, language: str, now: datetime
    ) -> list["Message"]:
        """The messages of a notice, one per channel, pending until `not_before` (or now)."""
        event_key = notice.event_key(cause_id)
        return [
            cls(
                notification_id=uuid.uuid5(NAMESPACE, f"{event_key}:{notice.recipient_id}:{channel}"),
                event_key=event_key,
                cause_id=cause_id,
                cause_type=cause_type,
                recipient_id=notice.recipient_id,
                channel=channel,
                template=notice.template,
                category=notice.category,
                about=notice.about,
                context=notice.context,
                language=language,
                context_language=notice.context_language,
                status=Status.PENDING,
                next_attempt_at=notice.not_before or now,
                created_at=now,
            )
            for channel in notice.channels
        ]

    # ------------------------------------------------------------------ transitions

    def _require(self, *states: Status) -> None:
        if self.status not in states:
            raise InvalidTransition(
                f"message {self.notification_id} is {self.status}, not {', '.join(states)}"
            )

    def postpone(self, until: datetime) -> None:
        """Wait without spending an attempt (quiet hours, details still to arrive)."""
        self._require(Status.PENDING)
        self.next_attempt_at = until

    def render(self, language: str, subject: str, body: str) -> None:
        self.language = language
        self.subject = subject
        self.body = body

    def deliver(self, now: datetime, *, relay: str | None = None, address: str | None = None) -> None:
        """The channel took the message: an SMTP relay accepted it, or it is in the inbox."""
        self._require(Status.PENDING)
        if self.channel is Channel.EMAIL:
            self._attempt(now, relay, "sent")
        self.status = Status.SENT
        self.sent_at = now
        self.relay = relay
        self.address = address or self.address
        self.last_error = None
        self._record(
            NotificationDeliveredV1(
                notification_id=self.notification_id,
                recipient_id=self.recipient_id,
                channel=self.channel,
                template=self.template,
                language=self.language,
                cause_type=self.cause_type,
                cause_id=self.cause_id,
                attempts=self.attempts,
                relay=relay,
                delivered_at=now,
            )
        )

    def attempt_failed(
        self,
        now: datetime,
        *,
        relay: str | None,
        code: int | None,
        detail: str,
        retry_at: datetime | None,
    ) -> None:
        """A temporary failure: try again at `retry_at`, or fail for good when there is none."""
        self._require(Status.PENDING)
        self._attempt(now, relay, "retry" if retry_at else "exhausted", code, detail)
        self.last_error = detail
        if retry_at is None:
            self._fail(now, FailureReason.RETRIES_EXHAUSTED, detail)
        else:
            self.next_attempt_at = retry_at

    def refused(self, now: datetime, *, relay: str | None, code: int | None, detail: str) -> None:
        """The relay refused the message for good: no retry."""
        self._require(Status.PENDING)
        self._attempt(now, relay, "refused", code, detail)
        self._fail(now, FailureReason.REFUSED, detail)

    def fail(self, now: datetime, reason: FailureReason, detail: str = "") -> None:
        """Give up without an SMTP attempt: no address, an invalid one, missing details, nothing to render."""
        self._require(Status.PENDING)
        self._fail(now, reason, detail)

    def _fail(self, now: datetime, reason: FailureReason, detail: str) -> None:
        self.status = Status.FAILED
        self.failure_reason = reason
        self.last_error = detail or reason.value
        self._record(
            NotificationFailedV1(
                notification_id=self.notification_id,
                recipient_id=self.recipient_id,
                channel=self.channel,
                template=self.template,
                cause_type=self.cause_type,
                cause_id=self.cause_id,
                reason=reason,
                attempts=self.attempts,
                detail=detail[:2000],
                failed_at=now,
            )
        )

    def bounce(
        self, now: datetime, *, address: str, kind: BounceKind, detail: str, relay: str | None = None
    ) -> bool:
        """The address bounced (refused at RCPT, or reported later); False when this was already known."""
        if kind is BounceKind.HARD:
            if self.status is Status.BOUNCED:
                return False
            self._require(Status.PENDING, Status.SENT)
            if self.status is Status.PENDING:
                self._attempt(now, relay, "bounced", None, detail)
            self.status = Status.BOUNCED
            self.last_error = detail or "bounced"
        self.address = address
        self._record(
            NotificationBouncedV1(
                notification_id=self.notification_id,
                recipient_id=self.recipient_id,
                address=address,
                kind=kind,
                template=self.template,
                cause_type=self.cause_type,
                cause_id=self.cause_id,
                detail=detail[:2000],
                bounced_at=now,
            )
        )
        return True

    def resend(self, now: datetime) -> None:
        """An operator sends a failed or bounced message again, with a fresh retry budget."""
        self._require(Status.FAILED, Status.BOUNCED)
        if self.erased_at is not None:
            raise InvalidTransition(
                f"message {self.notification_id} was erased: there is nothing left to send"
            )
        self.status = Status.PENDING
        self.retries = 0
        self.next_attempt_at = now
        self.last_error = None
        self.failure_reason = None

    def cancel(self, reason: str) -> None:
        self._require(Status.PENDING)
        self.status = Status.CANCELLED
        self.last_error = reason

    def mark_read(self, now: datetime) -> None:
        if self.channel is not Channel.INBOX or self.status is not Status.SENT:
            raise InvalidTransition("only messages in the inbox are read")
        if self.read_at is None:
            self.read_at = now

    def start_sending(self, now: datetime, *, until: datetime) -> None:
        """The mail is about to go to a relay: the attempt is on record first, and nobody takes the message
        up again before `until` (by then its outcome is recorded, or the sender stopped)."""
        self._require(Status.PENDING)
        if self.sending_attempt is not None:
            raise InvalidTransition(
                f"message {self.notification_id} has attempt {self.sending_attempt} under way"
            )
        self.attempts += 1
        self.retries += 1
        self.sending_attempt = self.attempts
        self.next_attempt_at = until
        self.new_attempts.append(Attempt(self.attempts, None, now, None, "sending"))

    def interrupted(self, now: datetime) -> None:
        """The attempt under way never recorded its outcome: it is closed as such, and the copy that follows
        is flagged as possibly the second one."""
        if self.sending_attempt is None:
            return
        self._attempt(now, None, "interrupted", None, INTERRUPTED)
        self.possible_duplicate = True

    def close_attempt(
        self, now: datetime, *, relay: str | None, outcome: str, code: int | None = None, detail: str = ""
    ) -> None:
        """Record the outcome of the attempt under way, whatever became of the message meanwhile."""
        if self.sending_attempt is not None:
            self._attempt(now, relay, outcome, code, detail)

    def _attempt(
        self, now: datetime, relay: str | None, outcome: str, code: int | None = None, detail: str = ""
    ) -> None:
        """Finish the attempt under way with `outcome`, or record a whole one when none is."""
        if self.sending_attempt is None:
            self.attempts += 1
            self.retries += 1
            number = self.attempts
        else:
            number, self.sending_attempt = self.sending_attempt, None
        self.new_attempts.append(Attempt(number, relay, now, now, outcome, code, detail[:2000]))
