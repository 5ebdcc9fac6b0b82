"""What every router shares: strict input models, the container, the caller, paging, and errors as problems."""

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import Response
from ibermuseos_platform.auth import CurrentPrincipal
from ibermuseos_platform.web import problem_response
from pydantic import BaseModel, ConfigDict

from ..application.access import Caller, Forbidden, NotFound
from ..application.ports import Page
from ..bootstrap import Container
from ..domain.errors import Conflict, Invalid

MAX_PAGE = 200


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def container(request: Request) -> Container:
    built: Container = request.app.state.container
    return built


ContainerDep = Annotated[Container, Depends(container)]


def caller(principal: CurrentPrincipal) -> Caller:
    return Caller(
        subject=principal.subject,
        roles=frozenset(role.value for role in principal.roles),
        country=principal.country,
    )


CallerDep = Annotated[Caller, Depends(caller)]


def page(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Page:
    return Page(limit, offset)


PageDep = Annotated[Page, Depends(page)]

PROBLEMS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such object, or none the caller may see"},
    422: {"description": "every problem with the request, listed; nothing changed"},
}


async def _invalid(request: Request, error: Exception) -> Response:
    assert isinstance(error, Invalid)
    return problem_response(
        422,
        "The request breaks the rules",
        [{"field": p.field, "problem": p.problem} for p in error.problems],
    )


async def _conflict(request: Request, error: Exception) -> Response:
    return problem_response(409, str(error) or "Conflict")


async def _not_found(request: Request, error: Exception) -> Response:
    return problem_response(404, "Not found")


async def _forbidden(request: Request, error: Exception) -> Response:
    return problem_response(403, str(error) or "Forbidden")


def install_error_handlers(app: FastAPI) -> None:
    """Domain and access errors become problem responses: 422, 409, 404, 403."""
    app.add_exception_handler(Invalid, _invalid)
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(Forbidden, _forbidden)
