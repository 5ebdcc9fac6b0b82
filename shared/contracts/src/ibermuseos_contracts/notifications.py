"""Events of the notifications service: delivery outcomes of messages to people.

Topic: `notifications.message.v1` (key: notification_id, one message to one person on one
channel). Every event names the event that caused the message (`cause_type`, `cause_id`),
so that the service that owns it can react: a bounce, for instance, tells the owner of
the person's contact details to ask them for a new address.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from .base import Event
from .topics import Topic
from .types import PERSONAL, LanguageTag, PersonalEmail, PersonId

MESSAGE = Topic("notifications", "message")

TemplateName = Annotated[str, StringConstraints(pattern=r"^[a-z_]+$", max_length=100)]


class Channel(StrEnum):
    EMAIL = "email"
    INBOX = "inbox"


class FailureReason(StrEnum):
    RETRIES_EXHAUSTED = "retries_exhausted"
    """Every attempt met a temporary failure (server down, 4xx) until the attempts ran out."""
    REFUSED = "refused"
    """A relay refused the message for good (5xx)."""
    ADDRESS_INVALID = "address_invalid"
    """The address cannot be used: it bounced before and no new one is known, or it (or the name that goes
    with it) cannot be written in a mail header."""
    NO_CONTACT = "no_contact"
    """No e-mail address of the person ever arrived."""
    MISSING_DETAILS = "missing_details"
    """What the message speaks of (the run, the call) never became known."""
    TEMPLATE_ERROR = "template_error"
    """The message could not be rendered: a template failed, or anything else while composing the mail."""


class BounceKind(StrEnum):
    HARD = "hard"
    """The address does not exist or refuses mail for good: it is marked invalid."""
    SOFT = "soft"
    """A temporary problem (mailbox full): recorded, the address stays valid."""


class NotificationDeliveredV1(Event, topic=MESSAGE, subject="notification_id"):
    """A message reached its channel: accepted by an SMTP relay, or put in the person's in-app inbox."""

    notification_id: UUID
    recipient_id: PersonId
    channel: Channel
    template: TemplateName
    language: LanguageTag
    cause_type: str
    cause_id: UUID
    attempts: Annotated[int, Field(ge=0)]
    relay: str | None = None
    delivered_at: datetime


class NotificationFailedV1(Event, topic=MESSAGE, subject="notification_id"):
    """A message could not be delivered and will not be retried unless an operator resends it."""

    notification_id: UUID
    recipient_id: PersonId
    channel: Channel
    template: TemplateName
    cause_type: str
    cause_id: UUID
    reason: FailureReason
    attempts: Annotated[int, Field(ge=0)]
    detail: Annotated[str, StringConstraints(max_length=2_000), PERSONAL] = ""
    """The last error as the relay said it (it may name the address: private tier only)."""
    failed_at: datetime


class NotificationBouncedV1(Event, topic=MESSAGE, subject="notification_id"):
    """An e-mail bounced; on a hard bounce the address is marked invalid until a new one arrives."""

    notification_id: UUID
    recipient_id: PersonId
    address: PersonalEmail
    kind: BounceKind
    template: TemplateName
    cause_type: str
    cause_id: UUID
    detail: Annotated[str, StringConstraints(max_length=2_000), PERSONAL] = ""
    bounced_at: datetime
