"""Commands on runs: schedule, name the instructors, cancel, reschedule; and the job that lapses waitlists."""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ibermuseos_kernel.caller import Caller
from ibermuseos_kernel.clock import Clock
from ibermuseos_kernel.errors import Invalid, NotFound

from ..domain.enrolments import EnrolmentStatus, cancel_run, lapse_waitlist
from ..domain.runs import NewTimes, Run, RunPlan
from .access import check_coordinator
from .ports import UnitOfWork, UnitOfWorkFactory
from .queries import RunView, run_view

log = logging.getLogger(__name__)


async def load_run(uow: UnitOfWork, run_id: UUID, *, lock: bool = False) -> Run:
    run = await uow.runs.get(run_id, lock=lock)
    if run is None:
        raise NotFound("No such run")
    return run


async def _view(uow: UnitOfWork, run: Run, caller: Caller, now: datetime) -> RunView:
    return run_view(run, (await uow.runs.counts([run.id]))[run.id], caller, now)


@dataclass(frozen=True)
class ScheduleRun:
    offering_id: UUID
    plan: RunPlan
    caller: Caller


async def schedule_run(
    command: ScheduleRun, uow: UnitOfWork, clock: Clock, new_id: Callable[[], UUID] = uuid.uuid4
) -> RunView:
    """A run of a published offering, with a coherent calendar, place and seats (CourseRunScheduled)."""
    async with uow:
        offering = await uow.offerings.get(command.offering_id)
        if offering is None:
            raise Invalid.one("offering_id", "no such offering")
        now = clock.now()
        run = Run.schedule(id=new_id(), offering=offering, plan=command.plan, now=now, new_session_id=new_id)
        await uow.runs.add(run)
        await uow.commit()
    return run_view(run, (0, 0), command.caller, now)


@dataclass(frozen=True)
class AssignInstructors:
    run_id: UUID
    instructors: list[str]
    caller: Caller


async def assign_instructors(command: AssignInstructors, uow: UnitOfWork, clock: Clock) -> RunView:
    """The coordinators name who teaches a run: those instructors record its attendance and grades."""
    async with uow:
        run = await load_run(uow, command.run_id, lock=True)
        run.assign_instructors(command.instructors)
        view = await _view(uow, run, command.caller, clock.now())
        await uow.commit()
    return view


@dataclass(frozen=True)
class CancelRun:
    run_id: UUID
    reason: str
    caller: Caller


@dataclass(frozen=True)
class RunCancelled:
    run: RunView
    enrolments_cancelled: int
    waitlist_cancelled: int


async def cancel_scheduled_run(command: CancelRun, uow: UnitOfWork, clock: Clock) -> RunCancelled:
    """Coordinators cancel a run before it ends, with a reason (CourseRunCancelled, saying who); every seat
    and place on the waitlist ends with it (EnrolmentCancelled, `run_cancelled`); who and when are kept."""
    check_coordinator(command.caller, "cancel runs")
    async with uow:
        run = await load_run(uow, command.run_id, lock=True)
        now = clock.now()
        active = await uow.enrolments.of_run(run.id, [EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED])
        seats, waiting = cancel_run(
            run=run, active=active, reason=command.reason, by=command.caller.subject, now=now
        )
        view = await _view(uow, run, command.caller, now)
        await uow.commit()
    return RunCancelled(view, seats, waiting)


@dataclass(frozen=True)
class RescheduleRun:
    run_id: UUID
    moves: list[NewTimes]
    enrolment_closes_at: datetime | None
    caller: Caller


async def reschedule_run(command: RescheduleRun, uow: UnitOfWork, clock: Clock) -> RunView:
    """Coordinators move a run's sessions (and perhaps its enrolment's closing) ahead of time
    (CourseRunRescheduled, with every session's new times)."""
    async with uow:
        run = await load_run(uow, command.run_id, lock=True)
        now = clock.now()
        run.reschedule(command.moves, command.enrolment_closes_at, now)
        view = await _view(uow, run, command.caller, now)
        await uow.commit()
    return view


async def lapse_waitlists(uows: UnitOfWorkFactory, clock: Clock, *, batch: int = 50) -> int:
    """The periodic job: in runs that have started with their enrolment closed, the places still on
    the waitlist lapse (EnrolmentLapsed), one run per transaction with the run locked, so each once."""
    async with uows() as uow:
        due = await uow.runs.waitlists_due(clock.now(), batch)
    lapsed = 0
    for run_id in due:
        async with uows() as uow:
            run = await uow.runs.get(run_id, lock=True)
            if run is None:
                continue
            ended = lapse_waitlist(run=run, waitlist=await uow.enrolments.waitlist(run_id), now=clock.now())
            await uow.commit()
        lapsed += len(ended)
    if lapsed:
        log.info("%d places on waitlists lapsed", lapsed)
    return lapsed
