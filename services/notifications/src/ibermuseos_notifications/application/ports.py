"""What the handlers need from the outside world, as protocols the adapters implement."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from ibermuseos_kernel.paging import Page, Slice
from ibermuseos_kernel.transaction import Transaction

from ..domain.languages import LanguageChoice
from ..domain.messages import Category, Message
from ..domain.recipients import Contact, Recipient
from ..domain.timezones import QuietHours

if TYPE_CHECKING:
    from .queries import Delivery, DeliveryDetail, DeliveryFilter, FocalPoint, InboxMessage, Unread


@dataclass(frozen=True)
class Policy:
    """When reminders go out."""

    report_days_before: Sequence[int] = (14, 2)
    report_local_time: time = time(9, 0)
    run_hours_before: float = 24.0
    run_late_hours_before: float = 1.0
    scoring_hours_before: float = 24.0


@dataclass(frozen=True)
class DeliveryPolicy:
    """How delivery retries, waits and gives up."""

    quiet_hours: QuietHours
    batch_size: int = 50
    max_attempts: int = 8
    retry_base_seconds: float = 30.0
    retry_cap_seconds: float = 3600.0
    details_wait_seconds: float = 3600.0
    details_poll_seconds: float = 10.0
    sending_lease_seconds: float = 300.0
    """How long a message handed to a relay is left to its sender before another takes it up (and flags it)."""


# ------------------------------------------------------------------ errors of the adapters


class MissingDetails(Exception):
    """What a message speaks of is not known yet (a run whose schedule has not arrived)."""


class NoLongerRelevant(Exception):
    """What the message would say has become moot (everything it would remind of is done): it is cancelled."""


class TemplateError(Exception):
    """A template is missing or does not render with the facts given: never a blank mail."""


class DeliveryError(Exception):
    def __init__(self, relay: str, code: int | None, detail: str) -> None:
        super().__init__(f"{relay}: {code or ''} {detail}".strip())
        self.relay = relay
        self.code = code
        self.detail = detail


class TemporaryFailure(DeliveryError):
    """The relay is down or said 4xx: try again later."""


class PermanentFailure(DeliveryError):
    """The relay refused the message for good (5xx)."""


class RecipientRefused(DeliveryError):
    """The relay refused the address for good (5xx at RCPT): a bounce."""


class Unaddressable(Exception):
    """The recipient cannot be written in a mail header (a line break in the name, say): nothing is sent."""


# ---------------------------------------------------------------------------- composing


class Composed(Protocol):
    @property
    def language(self) -> str: ...

    @property
    def subject(self) -> str: ...

    @property
    def text(self) -> str: ...


class Composer(Protocol):
    def compose(
        self,
        message: Message,
        context: dict[str, Any],
        choice: LanguageChoice,
        *,
        name: str | None,
        timezone: str | None,
        address: str | None = None,
    ) -> Composed: ...


class Outgoing(Protocol):
    """A mail built and addressed, ready for a relay."""


class Mailer(Protocol):
    def address(self, message: Message, composed: Composed, *, to: str, to_name: str | None) -> Outgoing:
        """The mail, built and addressed; raises Unaddressable when the recipient cannot be written in it."""
        ...

    async def send(self, mail: Outgoing) -> str:
        """Hand the mail to a relay; returns the relay's name. Raises a DeliveryError."""
        ...


class Tally(Protocol):
    """What operators count: messages failed (by reason) and copies that may be second ones."""

    def failed(self, reason: str) -> None: ...

    def possible_duplicate(self) -> None: ...


# ------------------------------------------------------------------------- repositories


class Messages(Protocol):
    async def add(self, new: Sequence[Message]) -> int: ...

    async def due_ids(self, now: datetime, limit: int) -> list[int]: ...

    async def claim(self, id: int, now: datetime) -> Message | None: ...

    async def sending(self, id: int, attempt: int) -> Message | None:
        """The message, locked, while its attempt `attempt` is under way; None once someone closed it."""
        ...

    async def get(self, notification_id: UUID, *, lock: bool = False) -> Message | None: ...

    async def save(self, message: Message) -> None: ...

    async def cancel_pending(self, about: str, templates: Sequence[str], reason: str) -> int: ...

    async def reschedule_pending(
        self, about: str, template: str, at: datetime, context: dict[str, Any] | None = None
    ) -> None:
        """Pending messages of `template` about `about` go at `at`, with `context` added to their facts."""
        ...

    async def read_all(self, recipient_id: str, now: datetime) -> int: ...

    async def inbox(self, recipient_id: str, page: Page, *, unread_only: bool) -> "Slice[InboxMessage]": ...

    async def unread(self, recipient_id: str) -> "Unread": ...

    async def deliveries(self, where: "DeliveryFilter", page: Page) -> "Slice[Delivery]": ...

    async def delivery(self, notification_id: UUID) -> "DeliveryDetail | None":
        """An e-mail and its attempts, as operators see it."""
        ...


class Recipients(Protocol):
    async def remember(self, contact: Contact) -> None: ...

    async def get(self, person_id: str) -> Recipient | None: ...

    async def mark_invalid(self, person_id: str, address: str, now: datetime) -> None: ...

    async def set_preferences(
        self, person_id: str, opted_out: Sequence[Category], quiet_hours: QuietHours | None
    ) -> None: ...


class Directory(Protocol):
    async def remember_call(self, values: dict[str, Any]) -> None: ...

    async def call(self, call_id: UUID) -> dict[str, Any] | None: ...

    async def remember_application(self, values: dict[str, Any]) -> None: ...

    async def application(self, application_id: UUID) -> dict[str, Any] | None: ...

    async def remember_run(self, values: dict[str, Any]) -> None: ...

    async def run(self, run_id: UUID) -> dict[str, Any] | None: ...

    async def remember_enrolment(self, values: dict[str, Any]) -> None: ...

    async def enrolment_status(self, enrolment_id: UUID, status: str) -> None: ...

    async def enrolled_in(self, run_id: UUID) -> list[dict[str, Any]]: ...

    async def remember_certificate(
        self, certificate_id: UUID, person_id: str, run_id: UUID, title: dict[str, str], completed_on: date
    ) -> None: ...

    async def certificate(self, certificate_id: UUID) -> dict[str, Any] | None: ...

    async def focal_points(self) -> list[tuple[str, str]]: ...

    async def remember_assignment(self, values: dict[str, Any]) -> None: ...

    async def assignment_status(self, application_id: UUID, evaluator_id: str, status: str) -> None: ...

    async def round_assignments(self, round_id: UUID, evaluator_id: str) -> list[dict[str, Any]]: ...

    async def assignments_to_score(self, call_id: UUID, evaluator_id: str) -> list[dict[str, Any]]: ...

    async def set_focal_point(self, person_id: str, country: str, by: str) -> None: ...

    async def remove_focal_point(self, person_id: str) -> bool: ...

    async def focal_points_of(self, country: str | None, page: Page) -> "Slice[FocalPoint]":
        """The focal points (of `country`, or all) with their contact."""
        ...


class UnitOfWork(Transaction, Protocol):
    @property
    def messages(self) -> Messages: ...

    @property
    def recipients(self) -> Recipients: ...

    @property
    def directory(self) -> Directory: ...
