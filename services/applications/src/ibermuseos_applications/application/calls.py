"""Commands on calls: draft, revise, publish, close (at the deadline or early), register the panel."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from ibermuseos_kernel.caller import Caller
from ibermuseos_kernel.clock import Clock

from ..domain.applications import Status
from ..domain.audit import SYSTEM
from ..domain.calls import Call, CallTerms, PanelMember
from .common import audit, load_call
from .ports import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class DraftCall:
    terms: CallTerms
    caller: Caller


async def draft_call(
    command: DraftCall, uow: UnitOfWork, clock: Clock, new_id: Callable[[], UUID] = uuid.uuid4
) -> Call:
    """A coordinator drafts a call whose terms hold together."""
    async with uow:
        now = clock.now()
        call = Call.draft(id=new_id(), terms=command.terms, created_by=command.caller.subject, now=now)
        await uow.calls.add(call)
        await audit(uow, at=now, actor=command.caller.subject, action="call_drafted", call_id=call.id)
        await uow.commit()
    return call


@dataclass(frozen=True)
class ReviseCall:
    call_id: UUID
    terms: CallTerms
    caller: Caller


async def revise_call(command: ReviseCall, uow: UnitOfWork, clock: Clock) -> Call:
    """Only a draft's terms change."""
    async with uow:
        call = await load_call(uow, command.call_id, lock=True)
        call.revise(command.terms)
        await uow.calls.save(call)
        await audit(uow, at=clock.now(), actor=command.caller.subject, action="call_revised", call_id=call.id)
        await uow.commit()
    return call


@dataclass(frozen=True)
class PublishCall:
    call_id: UUID
    caller: Caller


async def publish_call(command: PublishCall, uow: UnitOfWork, clock: Clock) -> Call:
    """Publishing announces the call (CallOpened); applications are accepted from its opening time."""
    async with uow:
        call = await load_call(uow, command.call_id, lock=True)
        now = clock.now()
        call.publish(now)
        await uow.calls.save(call)
        await audit(uow, at=now, actor=command.caller.subject, action="call_published", call_id=call.id)
        await uow.commit()
    return call


@dataclass(frozen=True)
class CloseCallEarly:
    call_id: UUID
    justification: str
    caller: Caller


async def close_call_early(command: CloseCallEarly, uow: UnitOfWork, clock: Clock) -> Call:
    """A coordinator may close a call before its deadline, with a recorded justification."""
    async with uow:
        call = await load_call(uow, command.call_id, lock=True)
        now = clock.now()
        call.close(
            now=now, applications_submitted=await uow.applications.count_submitted(call.id), early=True
        )
        await uow.calls.save(call)
        await audit(
            uow,
            at=now,
            actor=command.caller.subject,
            action="call_closed_early",
            call_id=call.id,
            justification=command.justification,
            deadline=call.terms.closes_at.isoformat(),
        )
        await uow.commit()
    return call


async def close_due_calls(uows: UnitOfWorkFactory, clock: Clock) -> list[UUID]:
    """Calls close at their deadline without anyone pressing a button (run periodically)."""
    async with uows() as uow:
        due = await uow.calls.due_to_close(clock.now())
    closed = []
    for call_id in due:
        async with uows() as uow:
            call = await load_call(uow, call_id, lock=True)
            now = clock.now()
            if not call.is_due_to_close(now):
                continue
            call.close(now=now, applications_submitted=await uow.applications.count_submitted(call.id))
            await uow.calls.save(call)
            await audit(uow, at=now, actor=SYSTEM, action="call_closed_at_deadline", call_id=call.id)
            await uow.commit()
            closed.append(call_id)
    return closed


@dataclass(frozen=True)
class RegisterPanel:
    call_id: UUID
    members: list[PanelMember]
    caller: Caller


async def register_panel(command: RegisterPanel, uow: UnitOfWork, clock: Clock) -> Call:
    """The coordinator names the call's technical panel: evaluators and their countries."""
    async with uow:
        call = await load_call(uow, command.call_id, lock=True)
        started = bool(await uow.applications.in_call(call.id, [Status.UNDER_EVALUATION, Status.EVALUATED]))
        call.register_panel(command.members, evaluation_started=started)
        await uow.calls.save(call)
        await audit(
            uow,
            at=clock.now(),
            actor=command.caller.subject,
            action="panel_registered",
            call_id=call.id,
            evaluators=[{"evaluator_id": m.evaluator_id, "country": m.country} for m in command.members],
        )
        await uow.commit()
    return call
