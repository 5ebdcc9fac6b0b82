"""What people and operators read, as view objects: a person's inbox and preferences, the focal points, the
e-mails' deliveries. Each query says who may see what; none changes anything. The views are what the API
answers, as they are."""

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated, TypeVar
from uuid import UUID

from ibermuseos_kernel.caller import Caller, Role
from ibermuseos_kernel.errors import Forbidden, NotFound
from ibermuseos_kernel.paging import Page, Slice
from pydantic import Field

from ..domain.messages import OPTIONAL_CATEGORIES, Status
from ..domain.timezones import QuietHours
from .ports import UnitOfWork


@dataclass(frozen=True)
class InboxMessage:
    """A message in a person's in-app inbox."""

    id: UUID
    template: str
    category: str
    language: str
    subject: str | None
    body: str | None
    about: str
    created_at: datetime
    delivered_at: datetime | None
    read_at: datetime | None


@dataclass(frozen=True)
class Unread:
    count: int
    version: int
    """Changes whenever the inbox does (a message arrives, is read, or is erased)."""


@dataclass(frozen=True)
class Preferences:
    """What a person receives, and how."""

    opted_out: list[str]
    optional_categories: list[str]
    quiet_hours: QuietHours | None
    language: str | None
    timezone: str | None
    email_known: bool
    email_invalid: bool


@dataclass(frozen=True)
class FocalPoint:
    """A country's focal point, told of the calls open to their country."""

    person_id: str
    country: str
    name: str | None
    email: str | None
    preferred_language: str | None
    timezone: str | None
    email_invalid: bool


@dataclass(frozen=True)
class DeliveryFilter:
    statuses: tuple[Status, ...]
    recipient_id: str | None = None
    template: str | None = None


@dataclass(frozen=True)
class Delivery:
    """An e-mail as operators see it: no address, addresses in relay replies masked."""

    id: UUID
    recipient_id: str
    template: str
    category: str
    cause_type: str
    cause_id: UUID | None
    status: Status
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    relay: str | None
    last_error: str | None
    failure_reason: Annotated[
        str | None,
        Field(
            description="Why it failed, as NotificationFailed said it (refused, address_invalid, template_error…)"
        ),
    ]
    possible_duplicate: Annotated[
        bool,
        Field(
            description="An attempt was interrupted after the relay may have accepted the mail: the person may "
            "have received it twice (with the same Message-ID)"
        ),
    ]
    updated_at: datetime


@dataclass(frozen=True)
class DeliveryAttempt:
    number: int
    relay: str | None
    at: datetime
    outcome: Annotated[
        str,
        Field(
            description="sending (under way), sent, retry, exhausted, refused, bounced, or interrupted: the service "
            "stopped between the relay's answer and its record, so the mail may have gone out"
        ),
    ]
    code: int | None
    detail: str | None


@dataclass(frozen=True)
class DeliveryDetail(Delivery):
    """An e-mail and its attempts."""

    attempt_log: list[DeliveryAttempt]


# ----------------------------------------------------------------------------- people


async def inbox(uow: UnitOfWork, caller: Caller, page: Page, *, unread_only: bool) -> Slice[InboxMessage]:
    """The caller's own in-app messages, newest first."""
    async with uow:
        return await uow.messages.inbox(caller.subject, page, unread_only=unread_only)


async def unread(uow: UnitOfWork, caller: Caller) -> Unread:
    async with uow:
        return await uow.messages.unread(caller.subject)


async def preferences(uow: UnitOfWork, caller: Caller) -> Preferences:
    async with uow:
        return await preferences_of(uow, caller.subject)


async def preferences_of(uow: UnitOfWork, person_id: str) -> Preferences:
    """What `person_id` receives and how, read in a unit of work already open."""
    recipient = await uow.recipients.get(person_id)
    return Preferences(
        opted_out=sorted(category.value for category in recipient.opted_out) if recipient else [],
        optional_categories=sorted(category.value for category in OPTIONAL_CATEGORIES),
        quiet_hours=recipient.quiet_hours if recipient else None,
        language=recipient.preferred_language if recipient else None,
        timezone=recipient.timezone if recipient else None,
        email_known=bool(recipient and recipient.email),
        email_invalid=bool(recipient and recipient.email_invalid_since),
    )


async def focal_points(uow: UnitOfWork, caller: Caller, country: str | None, page: Page) -> Slice[FocalPoint]:
    """Coordinators see every focal point; a focal point sees their own country's, and nobody else any."""
    if caller.has(Role.COORDINATOR):
        wanted = country
    elif caller.focal_country is not None:
        if country is not None and country != caller.focal_country:
            return Slice([], 0, None)
        wanted = caller.focal_country
    else:
        raise Forbidden("this needs one of the roles: coordinator, focal_point")
    async with uow:
        return await uow.directory.focal_points_of(wanted, page)


# -------------------------------------------------------------------------- operators

D = TypeVar("D", bound=Delivery)
_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+")


def _masked(text: str | None) -> str | None:
    """Operators see no personal data: addresses in relay answers are masked."""
    return _EMAIL.sub("<address>", text) if text else text


def for_operators(view: D) -> D:
    return replace(
        view,
        last_error=_masked(view.last_error),
        next_attempt_at=view.next_attempt_at if view.status is Status.PENDING else None,
    )


async def deliveries(uow: UnitOfWork, where: DeliveryFilter, page: Page) -> Slice[Delivery]:
    """E-mails in the states asked for, most recently changed first."""
    async with uow:
        found = await uow.messages.deliveries(where, page)
    return Slice([for_operators(view) for view in found.items], found.total, found.next)


async def delivery(uow: UnitOfWork, notification_id: UUID) -> DeliveryDetail:
    async with uow:
        return await delivery_of(uow, notification_id)


async def delivery_of(uow: UnitOfWork, notification_id: UUID) -> DeliveryDetail:
    """One e-mail and its attempts, read in a unit of work already open."""
    found = await uow.messages.delivery(notification_id)
    if found is None:
        raise NotFound("No such delivery")
    return for_operators(
        replace(found, attempt_log=[replace(a, detail=_masked(a.detail)) for a in found.attempt_log])
    )
