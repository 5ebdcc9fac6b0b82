"""HTTP API of the audit log: every decision and override, for coordinators."""

from uuid import UUID

from fastapi import APIRouter, Request
from ibermuseos_platform.paging import Paged, paged

from ..application import queries
from .dependencies import ContainerDep, Coordinator, PageDep
from .views import AuditEntryOut

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get(
    "",
    response_model=Paged[AuditEntryOut],
    summary="Who decided what, when and why, newest first (coordinators)",
)
async def audit_log(
    request: Request,
    c: ContainerDep,
    caller: Coordinator,
    page: PageDep,
    call_id: UUID | None = None,
    application_id: UUID | None = None,
) -> Paged[AuditEntryOut]:
    found = await queries.audit(c.uow(), page, call_id=call_id, application_id=application_id)
    return paged(request, found, AuditEntryOut.model_validate)
