"""What people read, as view objects, each with the caller's object-level access applied; none changes anything."""

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from ibermuseos_kernel.caller import Caller
from ibermuseos_kernel.clock import Clock
from ibermuseos_kernel.errors import NotFound
from ibermuseos_kernel.paging import Page, Slice

from ..domain.catalogue import Offering, OfferingStatus, SubjectArea
from ..domain.certificates import Certificate
from ..domain.codes import canonical
from ..domain.enrolments import Attendance, Enrolment, EnrolmentStatus
from ..domain.runs import Phase, Run
from ..domain.status_lists import StatusList
from .access import check_manages, may_see_certificate, may_see_enrolment, may_see_run_staffing, scope_of
from .ports import UnitOfWork


@dataclass(frozen=True)
class RunView:
    """A run as its reader sees it: its seats now, where it stands, and, for its staff, who teaches it
    and who cancelled it."""

    run: Run
    seats_taken: int
    waiting: int
    phase: Phase
    """upcoming, enrolment_open, in_progress, ended (awaiting closing), closed or cancelled."""
    staffing_shown: bool

    @property
    def seats_free(self) -> int:
        return max(0, self.run.capacity - self.seats_taken)


def run_view(run: Run, counts: tuple[int, int], caller: Caller, now: datetime) -> RunView:
    """`counts`: seats taken and people waiting."""
    taken, waiting = counts
    return RunView(run, taken, waiting, run.phase(now), may_see_run_staffing(caller, run))


@dataclass(frozen=True)
class EnrolmentView:
    enrolment: Enrolment
    waitlist_position: int | None
    """1 is next in line; only while waitlisted."""


async def subject_areas(uow: UnitOfWork, page: Page) -> Slice[SubjectArea]:
    async with uow:
        return await uow.subject_areas.find(page)


async def offerings(
    uow: UnitOfWork, caller: Caller, *, kind: str | None, subject_area: str | None, page: Page
) -> Slice[Offering]:
    """Everyone sees the published catalogue; coordinators their drafts too."""
    async with uow:
        return await uow.offerings.find(
            published_only=not caller.is_coordinator, kind=kind, subject_area=subject_area, page=page
        )


async def offering(uow: UnitOfWork, caller: Caller, offering_id: UUID) -> Offering:
    async with uow:
        found = await uow.offerings.get(offering_id)
    if found is None or (found.status is not OfferingStatus.PUBLISHED and not caller.is_coordinator):
        raise NotFound("No such offering")
    return found


async def runs(
    uow: UnitOfWork,
    caller: Caller,
    clock: Clock,
    *,
    offering_id: UUID | None,
    status: str | None,
    teaching: bool,
    page: Page,
) -> Slice[RunView]:
    """Runs, latest first; with `teaching`, only those the caller teaches."""
    async with uow:
        found = await uow.runs.find(
            offering_id=offering_id, status=status, instructor=caller.subject if teaching else None, page=page
        )
        counts = await uow.runs.counts([r.id for r in found.items])
    now = clock.now()
    return Slice([run_view(r, counts[r.id], caller, now) for r in found.items], found.total, found.next)


async def run(uow: UnitOfWork, caller: Caller, clock: Clock, run_id: UUID) -> RunView:
    async with uow:
        found = await uow.runs.get(run_id)
        if found is None:
            raise NotFound("No such run")
        counts = await uow.runs.counts([run_id])
    return run_view(found, counts[run_id], caller, clock.now())


async def enrolments(
    uow: UnitOfWork,
    caller: Caller,
    *,
    run_id: UUID | None,
    status: EnrolmentStatus | None,
    country: str | None,
    page: Page,
) -> Slice[EnrolmentView]:
    """Participants list their own, focal points their country's, instructors their runs', coordinators all."""
    async with uow:
        found = await uow.enrolments.find(
            scope_of(caller), run_id=run_id, status=status, country=country, page=page
        )
    return Slice([EnrolmentView(e, position) for e, position in found.items], found.total, found.next)


async def enrolment(uow: UnitOfWork, caller: Caller, enrolment_id: UUID) -> EnrolmentView:
    async with uow:
        found = await uow.enrolments.get(enrolment_id)
        the_run = await uow.runs.get(found.run_id) if found else None
        if found is None or the_run is None or not may_see_enrolment(caller, found, the_run):
            raise NotFound("No such enrolment")
        return EnrolmentView(found, await uow.enrolments.position(found))


async def attendance(uow: UnitOfWork, caller: Caller, run_id: UUID, page: Page) -> Slice[Attendance]:
    """Every attendance record of a run, for its instructors and the coordinators."""
    async with uow:
        found = await uow.runs.get(run_id)
        if found is None:
            raise NotFound("No such run")
        check_manages(caller, found, "see its attendance")
        return await uow.attendance.find(run_id, page)


async def certificates(
    uow: UnitOfWork, caller: Caller, *, run_id: UUID | None, page: Page
) -> Slice[Certificate]:
    """Holders list their own, focal points their country's, coordinators all."""
    async with uow:
        return await uow.certificates.find(
            replace(scope_of(caller), instructor=None), run_id=run_id, page=page
        )


async def certificate(uow: UnitOfWork, caller: Caller, certificate_id: UUID) -> Certificate:
    async with uow:
        found = await uow.certificates.get(certificate_id)
    if found is None or not may_see_certificate(caller, found):
        raise NotFound("No such certificate")
    return found


async def verify(uow: UnitOfWork, code: str) -> Certificate:
    """Anyone with a code learns what its certificate says, or that there is none."""
    normalised = canonical(code)
    if normalised is None:
        raise NotFound("No certificate has this code")
    async with uow:
        found = await uow.certificates.by_code(normalised)
    if found is None:
        raise NotFound("No certificate has this code")
    return found


async def status_list(uow: UnitOfWork, list_id: UUID) -> StatusList:
    """A published status list, as it stands now (anyone may read it)."""
    async with uow:
        found = await uow.status_lists.get(list_id)
    if found is None:
        raise NotFound("No such status list")
    return found
