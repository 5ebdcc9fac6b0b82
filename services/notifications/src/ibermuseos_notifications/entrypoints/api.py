"""HTTP API: a person's in-app inbox."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from ibermuseos_platform.auth import CurrentPrincipal

from ..adapters.messages import inbox_of
from ..bootstrap import Container

router = APIRouter(prefix="/inbox", tags=["inbox"])


def container(request: Request) -> Container:
    built: Container = request.app.state.container
    return built


@router.get("", summary="The caller's in-app messages, newest first")
async def my_inbox(
    principal: CurrentPrincipal, c: Annotated[Container, Depends(container)]
) -> list[dict[str, Any]]:
    async with c.platform.sessions() as session:
        return await inbox_of(session, principal.subject)
