"""What every reporting endpoint shares: the container, the caller as a viewer, sessions on the serving schema, caching."""

import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.encoders import jsonable_encoder
from ibermuseos_platform.auth import OptionalCaller, Principal, Role
from ibermuseos_platform.web import Problem
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters.schemas import ensure_serving
from ..bootstrap import Container
from ..domain.disclosure import Viewer


def container(request: Request) -> Container:
    built: Container = request.app.state.container
    return built


ContainerDep = Annotated[Container, Depends(container)]

OptionalPrincipal = OptionalCaller


def viewer_of(principal: Principal | None) -> Viewer:
    """Coordinators see every figure exactly, focal points those of their country, everyone else the public figures."""
    if principal is None:
        return Viewer.public()
    if principal.has(Role.COORDINATOR):
        return Viewer(everything=True)
    if principal.has(Role.FOCAL_POINT) and principal.country:
        return Viewer(country=principal.country)
    return Viewer.public()


def rate_limited(request: Request) -> None:
    """Public endpoints answer 429 with Retry-After to a client asking too often; staff are not held back."""
    built: Container = request.app.state.container
    built.limiter.admit(request)


@asynccontextmanager
async def serving_session(
    c: Container, joining: AsyncSession | None = None
) -> AsyncIterator[tuple[AsyncSession, str]]:
    """A session and the schema that serves now (the old one until a rebuild switches).

    With `joining`, inside that session's transaction (an idempotent command's), else in its own.
    """
    if joining is not None:
        yield joining, (await ensure_serving(joining)).schema
        return
    async with c.platform.sessions() as session, session.begin():
        serving = await ensure_serving(session)
        yield session, serving.schema


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


def problem(status: int, title: str, errors: list[dict[str, str]] | None = None) -> Problem:
    return Problem(status, title, errors=errors or [])
