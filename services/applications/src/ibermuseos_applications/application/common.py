"""Loading what a command acts on, and recording the decision in the audit log."""

from datetime import datetime
from typing import Any
from uuid import UUID

from ..domain.applications import Application
from ..domain.audit import AuditEntry
from ..domain.calls import Call
from ..domain.errors import NotFound
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
