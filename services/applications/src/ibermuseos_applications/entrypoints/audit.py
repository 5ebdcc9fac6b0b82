"""HTTP API of the audit log: every decision and override, for coordinators."""

from uuid import UUID

from fastapi import APIRouter

from .dependencies import ContainerDep, Coordinator, PageDep
from .views import AuditEntryOut, PageOut, audit_out

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get(
    "",
    response_model=PageOut[AuditEntryOut],
    summary="Who decided what, when and why, newest first (coordinators)",
)
async def audit_log(
    c: ContainerDep,
    actor: Coordinator,
    page: PageDep,
    call_id: UUID | None = None,
    application_id: UUID | None = None,
) -> PageOut[AuditEntryOut]:
    async with c.uow() as uow:
        entries = await uow.audit.find(call_id=call_id, application_id=application_id, page=page)
    return PageOut(items=[audit_out(entry) for entry in entries], limit=page.limit, offset=page.offset)
