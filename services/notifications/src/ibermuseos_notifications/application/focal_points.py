"""Coordinators name each country's focal points, who are told of the calls open to their country."""

from dataclasses import dataclass

from ibermuseos_kernel.clock import Clock
from ibermuseos_kernel.errors import NotFound

from ..domain.recipients import Contact
from ..domain.timezones import zone_of_country
from .ports import UnitOfWork
from .queries import FocalPoint


@dataclass(frozen=True)
class NameFocalPoint:
    person_id: str
    country: str
    name: str
    email: str
    preferred_language: str
    timezone: str | None
    """None: the country's usual zone, until the person's own is known."""
    named_by: str


async def name_focal_point(command: NameFocalPoint, uow: UnitOfWork, clock: Clock) -> FocalPoint:
    """Name (or update) a country's focal point; naming them again changes nothing more."""
    contact = Contact(
        person_id=command.person_id,
        name=command.name,
        email=command.email,
        preferred_language=command.preferred_language,
        timezone=command.timezone or zone_of_country(command.country),
        timezone_known=command.timezone is not None,
    )
    async with uow:
        await uow.recipients.remember(contact)
        await uow.directory.set_focal_point(command.person_id, command.country, command.named_by)
        await uow.commit()
    return FocalPoint(
        person_id=contact.person_id,
        country=command.country,
        name=contact.name,
        email=contact.email,
        preferred_language=contact.preferred_language,
        timezone=contact.timezone,
        email_invalid=False,
    )


@dataclass(frozen=True)
class RemoveFocalPoint:
    person_id: str


async def remove_focal_point(command: RemoveFocalPoint, uow: UnitOfWork, clock: Clock) -> None:
    async with uow:
        if not await uow.directory.remove_focal_point(command.person_id):
            raise NotFound("No such focal point")
        await uow.commit()
