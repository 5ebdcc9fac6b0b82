"""Commands on the catalogue: subject areas, and offerings drafted and published."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from ibermuseos_contracts.courses import OfferingKind
from ibermuseos_contracts.types import Localized
from ibermuseos_kernel.clock import Clock
from ibermuseos_kernel.errors import Conflict, NotFound

from ..domain.catalogue import CompletionRule, Offering, SubjectArea
from .ports import UnitOfWork


@dataclass(frozen=True)
class AddSubjectArea:
    code: str
    name: Localized


async def add_subject_area(command: AddSubjectArea, uow: UnitOfWork, clock: Clock) -> SubjectArea:
    """The program adds subject areas beyond the six it starts with; a code is added once."""
    area = SubjectArea(command.code, command.name)
    async with uow:
        if not await uow.subject_areas.add(area, clock.now()):
            raise Conflict(f"the subject area {command.code!r} exists already", code="subject_area_exists")
        await uow.commit()
    return area


@dataclass(frozen=True)
class CreateOffering:
    kind: OfferingKind
    title: Localized
    description: Localized
    subject_area: str
    hours: Decimal
    rule: CompletionRule | None
    certificate: bool | None
    publish: bool


async def create_offering(
    command: CreateOffering, uow: UnitOfWork, clock: Clock, new_id: Callable[[], UUID] = uuid.uuid4
) -> Offering:
    """An offering is drafted with a known subject area and a rule that fits its kind (and published at once if asked)."""
    async with uow:
        areas = {area.code for area in await uow.subject_areas.all()}
        offering = Offering.draft(
            id=new_id(),
            kind=command.kind,
            title=command.title,
            description=command.description,
            subject_area=command.subject_area,
            known_areas=areas,
            hours=command.hours,
            rule=command.rule,
            certificate=command.certificate,
            now=clock.now(),
        )
        if command.publish:
            offering.publish(clock.now())
        await uow.offerings.add(offering)
        await uow.commit()
    return offering


@dataclass(frozen=True)
class PublishOffering:
    offering_id: UUID


async def publish_offering(command: PublishOffering, uow: UnitOfWork, clock: Clock) -> Offering:
    """Publishing puts an offering in the catalogue, once (CoursePublished)."""
    async with uow:
        offering = await uow.offerings.get(command.offering_id, lock=True)
        if offering is None:
            raise NotFound("No such offering")
        offering.publish(clock.now())
        await uow.commit()
    return offering
