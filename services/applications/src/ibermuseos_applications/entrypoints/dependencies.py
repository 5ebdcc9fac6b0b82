"""What every route needs: the container, the caller as an Actor, pages, and domain errors as problem responses."""

from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import Response
from ibermuseos_platform.auth import CurrentPrincipal, Principal, Role, require
from ibermuseos_platform.web import problem_response

from ..application.access import Actor
from ..application.ports import ConcurrentChange, Page
from ..bootstrap import Container
from ..domain.errors import DomainError, Invalid, NotFound, NotNow, TooLarge


def container(request: Request) -> Container:
    built: Container = request.app.state.container
    return built


ContainerDep = Annotated[Container, Depends(container)]


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.subject, frozenset(role.value for role in principal.roles), principal.country)


def _actor(principal: CurrentPrincipal) -> Actor:
    return actor_of(principal)


def _coordinator(principal: Annotated[Principal, Depends(require(Role.COORDINATOR))]) -> Actor:
    return actor_of(principal)


def _evaluator(principal: Annotated[Principal, Depends(require(Role.EVALUATOR))]) -> Actor:
    return actor_of(principal)


CurrentActor = Annotated[Actor, Depends(_actor)]
"""Anyone with a valid token; what they may touch is decided on the object."""
Coordinator = Annotated[Actor, Depends(_coordinator)]
ParticipantPrincipal = Annotated[Principal, Depends(require(Role.PARTICIPANT))]
Evaluator = Annotated[Actor, Depends(_evaluator)]


def _page(
    limit: Annotated[int, Query(ge=1, le=100)] = 50, offset: Annotated[int, Query(ge=0, le=100_000)] = 0
) -> Page:
    return Page(limit, offset)


PageDep = Annotated[Page, Depends(_page)]


def _issues(error: Invalid | NotNow) -> list[dict[str, str]]:
    return [{"field": issue.field, "problem": issue.problem} for issue in error.issues]


async def _domain_problem(request: Request, error: Exception) -> Response:
    if isinstance(error, TooLarge):
        return problem_response(413, error.title, _issues(error))
    if isinstance(error, Invalid):
        return problem_response(422, error.title, _issues(error))
    if isinstance(error, NotNow):
        return problem_response(409, error.title, _issues(error), code=error.code)
    if isinstance(error, NotFound):
        return problem_response(404, error.title)
    assert isinstance(error, DomainError)
    return problem_response(400, error.title)


async def _concurrent_change(request: Request, error: Exception) -> Response:
    return problem_response(
        409,
        "Someone changed this meanwhile; read it again and retry",
        headers={"Retry-After": "1"},
        code="concurrent_change",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_problem)
    app.add_exception_handler(ConcurrentChange, _concurrent_change)
