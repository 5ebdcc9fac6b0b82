"""Loading what a command or a query acts on, and recording decisions in the audit log."""

from datetime import datetime
from typing import Any
from uuid import UUID

from ibermuseos_kernel.caller import Caller
from ibermuseos_kernel.errors import NotFound

from ..domain.applications import Application, Status
from ..domain.audit import AuditEntry
from ..domain.calls import Call
from ..domain.evaluations import Evaluation
from .access import is_assigned, is_own
from .ports import UnitOfWork


async def load_call(uow: UnitOfWork, call_id: UUID, *, lock: bool = False, share: bool = False) -> Call:
    call = await uow.calls.get(call_id, lock=lock, share=share)
    if call is None:
        raise NotFound("No such call")
    return call


async def load_application(uow: UnitOfWork, application_id: UUID) -> Application:
    application = await uow.applications.get(application_id)
    if application is None:
        raise NotFound("No such application")
    return application


async def own_application(uow: UnitOfWork, application_id: UUID, caller: Caller) -> Application:
    """The caller's own application; anyone else's does not exist for them."""
    application = await load_application(uow, application_id)
    if not is_own(caller, application):
        raise NotFound("No such application")
    return application


async def assigned_application(
    uow: UnitOfWork, application_id: UUID, caller: Caller
) -> tuple[Application, Evaluation]:
    """An application assigned to the evaluator calling, and its evaluation; any other does not exist for them."""
    application = await load_application(uow, application_id)
    evaluation = await uow.evaluations.of(application)
    if not is_assigned(caller, evaluation) or application.status is Status.WITHDRAWN:
        raise NotFound("No such assignment")
    return application, evaluation


async def audit(
    uow: UnitOfWork,
    *,
    at: datetime,
    actor: str,
    action: str,
    call_id: UUID | None,
    application_id: UUID | None = None,
    justification: str | None = None,
    **details: Any,
) -> None:
    """Every decision and override: who, when, what, why."""
    await uow.audit.add(
        AuditEntry(
            at=at,
            actor=actor,
            action=action,
            call_id=call_id,
            application_id=application_id,
            justification=justification,
            details=details,
        )
    )
