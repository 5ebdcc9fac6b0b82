"""What every reporting endpoint shares: the container, who may ask, a page of a list, caching."""

import hashlib
import json
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.encoders import jsonable_encoder
from ibermuseos_kernel.caller import Caller, Role
from ibermuseos_kernel.paging import Page
from ibermuseos_platform.auth import current_caller, require
from ibermuseos_platform.paging import page_of
from ibermuseos_platform.web import container_of

from ..bootstrap import Container
from ..domain.disclosure import Viewer

ContainerDep = Annotated[Container, Depends(container_of)]
PageDep = Annotated[Page, Depends(page_of)]
Reviewer = Annotated[Caller, Depends(require(Role.COORDINATOR, Role.FOCAL_POINT))]
Coordinator = Annotated[Caller, Depends(require(Role.COORDINATOR))]


async def asked_by(caller: Caller | None, *, for_signed_in_only: bool) -> Caller | None:
    """Who asks; a question never answered for the public takes a token (401 without one, as the edge says)."""
    return await current_caller(caller) if for_signed_in_only else caller


async def rate_limited(request: Request, c: ContainerDep) -> None:
    """The figures' own limit: 429 with Retry-After to a client asking too often; staff are not held back."""
    c.limiter.admit(request)


def cached(request: Request, body: Any, viewer: Viewer, *, max_age: int) -> Response:
    """JSON with an ETag (304 when the caller has it) and Cache-Control: public figures may be cached by anyone."""
    content = json.dumps(jsonable_encoder(body), ensure_ascii=False, separators=(",", ":")).encode()
    return cached_bytes(request, content, "application/json", viewer, max_age=max_age)


def cached_bytes(
    request: Request, content: bytes, media_type: str, viewer: Viewer, *, max_age: int
) -> Response:
    etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    # An answer to a request that carried a token is that caller's, even when it shows the public figures.
    shared = viewer.is_public and "authorization" not in request.headers
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={max_age}" if shared else "private, no-cache",
        "Vary": "Authorization",
    }
    wanted = request.headers.get("if-none-match", "")
    if etag in [tag.strip().removeprefix("W/") for tag in wanted.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(content, media_type=media_type, headers=headers)
