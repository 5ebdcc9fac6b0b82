"""What operators do about e-mails: send a failed or bounced one again, record a bounce a relay reports."""

from dataclasses import dataclass
from uuid import UUID

from ibermuseos_contracts.notifications import BounceKind
from ibermuseos_kernel.clock import Clock
from ibermuseos_kernel.errors import Conflict, NotFound

from ..domain.messages import Channel, InvalidTransition
from .ports import UnitOfWork
from .queries import DeliveryDetail, delivery_of


@dataclass(frozen=True)
class Resend:
    notification_id: UUID


async def resend(command: Resend, uow: UnitOfWork, clock: Clock) -> DeliveryDetail:
    """An operator sends a failed or bounced e-mail again; not while the address is still known to bounce."""
    async with uow:
        message = await uow.messages.get(command.notification_id, lock=True)
        if message is None or message.channel is not Channel.EMAIL:
            raise NotFound("No such delivery")
        recipient = await uow.recipients.get(message.recipient_id)
        if recipient is not None and recipient.email_invalid_since is not None:
            raise Conflict("the person's address bounced and no new one has arrived", code="address_invalid")
        try:
            message.resend(clock.now())
        except InvalidTransition as error:
            raise Conflict(str(error), code="not_resendable") from None
        await uow.messages.save(message)
        resent = await delivery_of(uow, command.notification_id)
        await uow.commit()
    return resent


@dataclass(frozen=True)
class ReportBounce:
    notification_id: UUID
    kind: BounceKind
    diagnostic: str


async def report_bounce(command: ReportBounce, uow: UnitOfWork, clock: Clock) -> bool:
    """A bounce marks the message bounced and (a hard one) the address invalid, and is published; reporting
    it twice does nothing (False)."""
    async with uow:
        message = await uow.messages.get(command.notification_id, lock=True)
        if message is None or message.channel is not Channel.EMAIL or message.address is None:
            raise NotFound("No such e-mail")
        now = clock.now()
        try:
            recorded = message.bounce(
                now, address=message.address, kind=command.kind, detail=command.diagnostic
            )
        except InvalidTransition as error:
            raise Conflict(str(error), code="not_sent") from None
        if command.kind is BounceKind.HARD:
            await uow.recipients.mark_invalid(message.recipient_id, message.address, now)
        await uow.messages.save(message)
        await uow.commit()
    return recorded
