"""The end of a call's waitlist: at its term (a periodic job) or by a coordinator's justified decision, everyone
still waiting is rejected, once, and no grant is promoted from it afterwards."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ibermuseos_kernel.caller import Caller
from ibermuseos_kernel.clock import Clock

from ..domain.applications import Status
from ..domain.audit import SYSTEM
from ..domain.calls import Call
from .common import audit, load_call
from .ports import UnitOfWork, UnitOfWorkFactory


async def _close(
    uow: UnitOfWork, call: Call, *, now: datetime, early: bool, actor: str, justification: str | None
) -> int:
    """Closes the (locked) call's waitlist and rejects whoever is on it, in one transaction."""
    call.close_waitlist(now, early=early)
    waiting = await uow.applications.in_call(call.id, [Status.WAITLISTED])
    for application in sorted(waiting, key=lambda a: a.waitlist_position or 0):
        application.reject_from_waitlist(now)
        await uow.applications.save(application)
    await uow.calls.save(call)
    await audit(
        uow,
        at=now,
        actor=actor,
        action="waitlist_closed_early" if early else "waitlist_closed_at_term",
        call_id=call.id,
        justification=justification,
        rejected=len(waiting),
        term=None if call.terms.waitlist_closes_at is None else call.terms.waitlist_closes_at.isoformat(),
    )
    return len(waiting)


@dataclass(frozen=True)
class CloseWaitlist:
    call_id: UUID
    justification: str
    caller: Caller


async def close_waitlist(command: CloseWaitlist, uow: UnitOfWork, clock: Clock) -> Call:
    """A coordinator may close a released call's waitlist before its term (or when it has none), with a justification."""
    async with uow:
        # The row lock orders this with declines and lapses: a promotion happens before it or not at all.
        call = await load_call(uow, command.call_id, lock=True)
        await _close(
            uow,
            call,
            now=clock.now(),
            early=True,
            actor=command.caller.subject,
            justification=command.justification,
        )
        await uow.commit()
    return call


async def close_due_waitlists(uows: UnitOfWorkFactory, clock: Clock) -> dict[UUID, int]:
    """Waitlists close at their term without anyone pressing a button (run periodically); call → rejected."""
    async with uows() as uow:
        due = await uow.calls.waitlists_due_to_close(clock.now())
    closed: dict[UUID, int] = {}
    for call_id in due:
        async with uows() as uow:
            call = await load_call(uow, call_id, lock=True)
            now = clock.now()
            if not call.is_waitlist_due_to_close(now):
                continue
            closed[call_id] = await _close(uow, call, now=now, early=False, actor=SYSTEM, justification=None)
            await uow.commit()
    return closed
