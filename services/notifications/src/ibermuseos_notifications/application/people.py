"""What a person does with what they receive: read their messages, choose what to receive and when."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from ibermuseos_kernel.clock import Clock
from ibermuseos_kernel.errors import Invalid, NotFound

from ..domain.messages import Category, Channel, Status
from ..domain.timezones import QuietHours
from .ports import UnitOfWork
from .queries import Preferences, preferences_of


@dataclass(frozen=True)
class MarkRead:
    person_id: str
    notification_id: UUID


async def mark_read(command: MarkRead, uow: UnitOfWork, clock: Clock) -> None:
    """A person marks one of their own inbox messages read (again: no change); anyone else's is not found."""
    async with uow:
        message = await uow.messages.get(command.notification_id, lock=True)
        if (
            message is None
            or message.recipient_id != command.person_id
            or message.channel is not Channel.INBOX
            or message.status is not Status.SENT
            or message.erased_at is not None
        ):
            raise NotFound("No such message")
        message.mark_read(clock.now())
        await uow.messages.save(message)
        await uow.commit()


@dataclass(frozen=True)
class MarkAllRead:
    person_id: str


async def mark_all_read(command: MarkAllRead, uow: UnitOfWork, clock: Clock) -> int:
    """How many messages were marked."""
    async with uow:
        count = await uow.messages.read_all(command.person_id, clock.now())
        await uow.commit()
    return count


@dataclass(frozen=True)
class SetPreferences:
    person_id: str
    opted_out: Sequence[Category]
    quiet_hours: QuietHours | None


async def set_preferences(command: SetPreferences, uow: UnitOfWork, clock: Clock) -> Preferences:
    """A person opts out of reminder categories (never of decisions) and may set their own quiet hours."""
    refused = sorted(category.value for category in command.opted_out if not category.optional)
    if refused:
        raise Invalid.one(
            "opted_out", f"decisions and confirmations cannot be opted out of: {', '.join(refused)}"
        )
    async with uow:
        await uow.recipients.set_preferences(command.person_id, command.opted_out, command.quiet_hours)
        preferences = await preferences_of(uow, command.person_id)
        await uow.commit()
    return preferences
