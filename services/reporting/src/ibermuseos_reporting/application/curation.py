"""The coordinator's commands about institutions: confirm a match, merge institutions, split spellings out,
teach or forget an abbreviation. Each decision applies at once and is written to the curation log."""

import uuid
from dataclasses import dataclass
from uuid import UUID

from ibermuseos_kernel.clock import Clock
from ibermuseos_kernel.errors import Invalid, Issue, NotFound

from ..domain.institutions import Abbreviation, check_abbreviation
from .ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class ConfirmInstitution:
    institution_id: UUID
    name: str | None
    by: str


@dataclass(frozen=True, slots=True)
class MergeInstitutions:
    into: UUID
    institutions: tuple[UUID, ...]
    by: str


@dataclass(frozen=True, slots=True)
class SplitInstitution:
    institution_id: UUID
    spellings: tuple[UUID, ...]
    name: str | None
    by: str


@dataclass(frozen=True, slots=True)
class AddAbbreviation:
    abbreviation: Abbreviation
    by: str


@dataclass(frozen=True, slots=True)
class RemoveAbbreviation:
    abbreviation_id: UUID
    by: str


async def confirm_institution(command: ConfirmInstitution, uow: UnitOfWork, clock: Clock) -> None:
    """A coordinator confirms that the spellings matched into an institution are that one institution."""
    now = clock.now()
    async with uow:
        if await uow.curation.institution_country(command.institution_id) is None:
            raise NotFound("No such institution")
        await uow.curation.confirm(command.institution_id, command.name, command.by, now)
        await uow.curation.log(
            command.by, "confirm", {"institution_id": command.institution_id, "name": command.name}, now
        )
        await uow.commit()


async def merge_institutions(command: MergeInstitutions, uow: UnitOfWork, clock: Clock) -> None:
    """Institutions the rules did not match become one: all their spellings count as `into`, now and after rebuilds."""
    now, into = clock.now(), command.into
    async with uow:
        curation = uow.curation
        target_country = await curation.institution_country(into)
        issues = []
        if target_country is None:
            issues.append(Issue("into", f"no institution {into}"))
        for index, source in enumerate(command.institutions):
            if source == into:
                issues.append(Issue(f"institutions.{index}", "is the institution merged into"))
                continue
            country = await curation.institution_country(source)
            if country is None:
                issues.append(Issue(f"institutions.{index}", f"no institution {source}"))
            elif target_country is not None and country != target_country:
                issues.append(
                    Issue(f"institutions.{index}", "is in another country: institutions match within one")
                )
        if issues:
            raise Invalid("The institutions cannot be merged", issues)
        for source in command.institutions:
            for spelling in await curation.spellings_of(source):
                if not spelling["linked"]:
                    # A spelling split into `source` keeps its own link (moved below); its key is not `source`'s.
                    await curation.link_key(spelling["matched_key"], into, command.by, now)
            await curation.relink(source, into, command.by, now)
        await curation.log(
            command.by, "merge", {"into": into, "institutions": list(command.institutions)}, now
        )
        await uow.commit()


async def split_institution(command: SplitInstitution, uow: UnitOfWork, clock: Clock) -> UUID:
    """Spellings wrongly matched into an institution are split out into a new one of their own (its id)."""
    now = clock.now()
    async with uow:
        curation = uow.curation
        if await curation.institution_country(command.institution_id) is None:
            raise NotFound("No such institution")
        spellings = {
            spelling["id"]: spelling for spelling in await curation.spellings_of(command.institution_id)
        }
        issues = [
            Issue(f"spellings.{index}", "is not a spelling of this institution")
            for index, spelling_id in enumerate(command.spellings)
            if spelling_id not in spellings
        ]
        if not issues and len(set(command.spellings)) >= len(spellings):
            issues.append(Issue("spellings", "would leave the institution without any spelling"))
        if issues:
            raise Invalid("The spellings cannot be split out", issues)
        new_id = uuid.uuid4()
        for spelling_id in command.spellings:
            await curation.link_spelling(spellings[spelling_id]["spelling"], new_id, command.by, now)
        await curation.confirm(new_id, command.name, command.by, now)
        await curation.log(
            command.by,
            "split",
            {
                "institution_id": command.institution_id,
                "spellings": list(command.spellings),
                "new_institution_id": new_id,
            },
            now,
        )
        await uow.commit()
    return new_id


async def add_abbreviation(command: AddAbbreviation, uow: UnitOfWork, clock: Clock) -> UUID:
    """A known abbreviation extends matching at once, for every spelling ever seen and every one to come (its id)."""
    abbreviation, now = command.abbreviation, clock.now()
    check_abbreviation(abbreviation)
    async with uow:
        new_id = await uow.curation.add_abbreviation(abbreviation, command.by, now)
        await uow.curation.log(
            command.by,
            "add_abbreviation",
            {
                "id": new_id,
                "abbreviation": abbreviation.abbreviation,
                "name": abbreviation.name,
                "country": abbreviation.country,
                "city": abbreviation.city,
            },
            now,
        )
        await uow.commit()
    return new_id


async def remove_abbreviation(command: RemoveAbbreviation, uow: UnitOfWork, clock: Clock) -> None:
    """A coordinator forgets an abbreviation; spellings it matched are matched without it from now on."""
    async with uow:
        removed = await uow.curation.remove_abbreviation(command.abbreviation_id)
        if removed is None:
            raise NotFound("No such abbreviation")
        await uow.curation.log(command.by, "remove_abbreviation", removed, clock.now())
        await uow.commit()
