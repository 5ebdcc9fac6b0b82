"""Messages to people: which event tells whom what."""

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from ibermuseos_contracts.applications import ApplicationSubmittedV1


class Channel(StrEnum):
    EMAIL = "email"
    INBOX = "inbox"


class Status(StrEnum):
    PENDING = "pending"


@dataclass(frozen=True)
class Message:
    """One message to one person on one channel, caused by one event."""

    event_id: UUID
    recipient_id: str
    channel: Channel
    template: str
    language: str
    address: str | None
    status: Status = Status.PENDING


def application_received(event: ApplicationSubmittedV1, event_id: UUID) -> list[Message]:
    """The applicant is told their application arrived, by e-mail and in their inbox."""
    applicant = event.applicant
    return [
        Message(
            event_id,
            applicant.person_id,
            Channel.EMAIL,
            "application_received",
            applicant.preferred_language,
            applicant.email,
        ),
        Message(
            event_id,
            applicant.person_id,
            Channel.INBOX,
            "application_received",
            applicant.preferred_language,
            None,
        ),
    ]
