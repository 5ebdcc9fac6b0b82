"""Reads, each with the caller's object-level access applied."""

from dataclasses import dataclass, replace
from uuid import UUID

from ..domain.catalogue import Offering, OfferingStatus, SubjectArea
from ..domain.certificates import Certificate
from ..domain.codes import canonical
from ..domain.enrolments import Attendance, Enrolment, EnrolmentStatus
from ..domain.runs import Run
from ..domain.status_lists import StatusList
from .access import Caller, Forbidden, NotFound, may_manage_run, may_see_certificate, may_see_enrolment
from .ports import Page, UnitOfWork


async def subject_areas(uow: UnitOfWork) -> list[SubjectArea]:
    async with uow:
        return await uow.subject_areas.all()


async def offerings(
    uow: UnitOfWork, caller: Caller, *, kind: str | None, subject_area: str | None, page: Page
) -> list[Offering]:
    """Everyone sees the published catalogue; coordinators their drafts too."""
    async with uow:
        return await uow.offerings.find(
            published_only=not caller.coordinator, kind=kind, subject_area=subject_area, page=page
        )


async def offering(uow: UnitOfWork, caller: Caller, offering_id: UUID) -> Offering:
    async with uow:
        found = await uow.offerings.get(offering_id)
    if found is None or (found.status is not OfferingStatus.PUBLISHED and not caller.coordinator):
        raise NotFound
    return found


@dataclass(frozen=True)
class RunView:
    run: Run
    enrolled: int
    waiting: int


async def runs(
    uow: UnitOfWork, *, offering_id: UUID | None, status: str | None, taught_by: str | None, page: Page
) -> list[RunView]:
    async with uow:
        found = await uow.runs.find(offering_id=offering_id, status=status, instructor=taught_by, page=page)
        counts = await uow.runs.counts([r.id for r in found])
    return [RunView(r, *counts[r.id]) for r in found]


async def run(uow: UnitOfWork, run_id: UUID) -> RunView:
    async with uow:
        found = await uow.runs.get(run_id)
        if found is None:
            raise NotFound
        counts = await uow.runs.counts([run_id])
    return RunView(found, *counts[run_id])


@dataclass(frozen=True)
class EnrolmentView:
    enrolment: Enrolment
    position: int | None


async def enrolments(
    uow: UnitOfWork,
    caller: Caller,
    *,
    run_id: UUID | None,
    status: EnrolmentStatus | None,
    country: str | None,
    page: Page,
) -> list[EnrolmentView]:
    """Participants list their own, focal points their country's, instructors their runs', coordinators all."""
    async with uow:
        found = await uow.enrolments.find(
            caller.scope(), run_id=run_id, status=status, country=country, page=page
        )
    return [EnrolmentView(e, position) for e, position in found]


async def enrolment(uow: UnitOfWork, caller: Caller, enrolment_id: UUID) -> EnrolmentView:
    async with uow:
        found = await uow.enrolments.get(enrolment_id)
        the_run = await uow.runs.get(found.run_id) if found else None
        if found is None or the_run is None or not may_see_enrolment(caller, found, the_run):
            raise NotFound
        return EnrolmentView(found, await uow.enrolments.position(found))


async def attendance(uow: UnitOfWork, caller: Caller, run_id: UUID) -> tuple[Run, list[Attendance]]:
    async with uow:
        found = await uow.runs.get(run_id)
        if found is None:
            raise NotFound
        if not may_manage_run(caller, found):
            raise Forbidden("only the run's instructors and the coordinators see its attendance")
        return found, await uow.attendance.of_run(run_id)


async def certificates(
    uow: UnitOfWork, caller: Caller, *, run_id: UUID | None, page: Page
) -> list[Certificate]:
    """Holders list their own, focal points their country's, coordinators all."""
    scope = caller.scope()
    async with uow:
        return await uow.certificates.find(replace(scope, instructor=None), run_id=run_id, page=page)


async def certificate(uow: UnitOfWork, caller: Caller, certificate_id: UUID) -> Certificate:
    async with uow:
        found = await uow.certificates.get(certificate_id)
    if found is None or not may_see_certificate(caller, found):
        raise NotFound
    return found


async def verify(uow: UnitOfWork, code: str) -> Certificate:
    """Anyone with a code learns what its certificate says, or that there is none."""
    normalised = canonical(code)
    if normalised is None:
        raise NotFound
    async with uow:
        found = await uow.certificates.by_code(normalised)
    if found is None:
        raise NotFound
    return found


async def status_list(uow: UnitOfWork, list_id: UUID) -> StatusList:
    """A published status list, as it stands now (anyone may read it)."""
    async with uow:
        found = await uow.status_lists.get(list_id)
    if found is None:
        raise NotFound
    return found
