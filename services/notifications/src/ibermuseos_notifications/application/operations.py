"""Commands of people and operators: read messages, choose what to receive, resend, report bounces, name focal points."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from ibermuseos_contracts.notifications import BounceKind

from ..domain.messages import Category, Channel, InvalidTransition, Status
from ..domain.recipients import Contact
from ..domain.timezones import QuietHours
from .ports import Clock, UnitOfWork


class NotFound(Exception):
    pass


class Conflict(Exception):
    pass


async def mark_read(uow: UnitOfWork, recipient_id: str, notification_id: UUID, clock: Clock) -> None:
    """A person marks one of their own inbox messages read; anyone else's is not found."""
    async with uow:
        message = await uow.messages.get(notification_id, lock=True)
        if (
            message is None
            or message.recipient_id != recipient_id
            or message.channel is not Channel.INBOX
            or message.status is not Status.SENT
            or message.erased_at is not None
        ):
            raise NotFound
        message.mark_read(clock.now())
        await uow.messages.save(message)
        await uow.commit()


async def mark_all_read(uow: UnitOfWork, recipient_id: str, clock: Clock) -> int:
    async with uow:
        count = await uow.messages.read_all(recipient_id, clock.now())
        await uow.commit()
    return count


async def resend(uow: UnitOfWork, notification_id: UUID, clock: Clock) -> None:
    """An operator sends a failed or bounced e-mail again; not while the address is still known to bounce."""
    async with uow:
        message = await uow.messages.get(notification_id, lock=True)
        if message is None or message.channel is not Channel.EMAIL:
            raise NotFound
        recipient = await uow.recipients.get(message.recipient_id)
        if recipient is not None and recipient.email_invalid_since is not None:
            raise Conflict("the person's address bounced and no new one has arrived")
        try:
            message.resend(clock.now())
        except InvalidTransition as error:
            raise Conflict(str(error)) from None
        await uow.messages.save(message)
        await uow.commit()


@dataclass(frozen=True)
class BounceReport:
    notification_id: UUID
    kind: BounceKind
    diagnostic: str


async def record_bounce(uow: UnitOfWork, report: BounceReport, clock: Clock) -> bool:
    """A bounce marks the message bounced and the address invalid, and is published; reporting it twice does nothing."""
    async with uow:
        message = await uow.messages.get(report.notification_id, lock=True)
        if message is None or message.channel is not Channel.EMAIL or message.address is None:
            raise NotFound
        now = clock.now()
        try:
            recorded = message.bounce(
                now, address=message.address, kind=report.kind, detail=report.diagnostic
            )
        except InvalidTransition as error:
            raise Conflict(str(error)) from None
        if report.kind is BounceKind.HARD:
            await uow.recipients.mark_invalid(message.recipient_id, message.address, now)
        await uow.messages.save(message)
        await uow.commit()
    return recorded


async def set_preferences(
    uow: UnitOfWork, person_id: str, opted_out: Sequence[Category], quiet_hours: QuietHours | None
) -> None:
    """A person opts out of reminder categories (never of decisions) and may set their own quiet hours."""
    not_optional = [category for category in opted_out if not category.optional]
    if not_optional:
        raise ValueError(f"one cannot opt out of {', '.join(sorted(not_optional))}")
    async with uow:
        await uow.recipients.set_preferences(person_id, opted_out, quiet_hours)
        await uow.commit()


async def name_focal_point(uow: UnitOfWork, contact: Contact, country: str, by: str) -> None:
    """A coordinator names a country's focal point: they are told of the calls open to their country."""
    async with uow:
        await uow.recipients.remember(contact)
        await uow.directory.set_focal_point(contact.person_id, country, by)
        await uow.commit()


async def remove_focal_point(uow: UnitOfWork, person_id: str) -> None:
    async with uow:
        if not await uow.directory.remove_focal_point(person_id):
            raise NotFound
        await uow.commit()
