"""Every error a caller can meet, as RFC 9457 problem details: the one place where a refusal gets its status."""

import traceback
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import asyncpg
import sqlalchemy.exc
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from ibermuseos_kernel.errors import Conflict, Forbidden, Invalid, NotFound, Refused, TooLarge
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
DATABASE_RETRY_AFTER_SECONDS = 5

STATUS_OF_REFUSAL: dict[type[Refused], int] = {
    TooLarge: 413,
    Invalid: 422,
    Conflict: 409,
    NotFound: 404,
    Forbidden: 403,
}
"""Most specific first: a refusal takes the status of the first class it is an instance of."""


class Problem(Exception):
    """An error for the caller raised at the edge (401, 429, ...), with every problem found listed."""

    def __init__(
        self,
        status: int,
        title: str,
        *,
        errors: Sequence[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.errors = list(errors)
        self.headers = dict(headers or {})
        self.extra = extra


class FieldProblem(BaseModel):
    field: str = Field(description="Where: `body.<field>`, `query.<name>`, `path.<name>`, `header.<name>`")
    problem: str = Field(description="What is wrong with it, in words")
    type: str | None = Field(default=None, description="A machine-readable kind, when there is one")


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, the body of every error response."""

    type: str = "about:blank"
    title: str = Field(description="What went wrong, in words")
    status: int
    code: str | None = Field(default=None, description="For 409: which state refused it, e.g. `call_closed`")
    errors: list[FieldProblem] | None = Field(default=None, description="Every problem found, one per field")
    correlation_id: str | None = Field(
        default=None, description="For 500 and 503: quote it to the operators, who find the request by it"
    )
    retry_after_seconds: int | None = None


def problem_response(
    status: int,
    title: str,
    errors: Sequence[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, **extra}
    if errors:
        body["errors"] = list(errors)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {}))


def status_of(refusal: Refused) -> int:
    return next((status for kind, status in STATUS_OF_REFUSAL.items() if isinstance(refusal, kind)), 400)


def refusal_response(refusal: Refused) -> JSONResponse:
    extra: dict[str, Any] = {"code": refusal.code} if refusal.code else {}
    headers: dict[str, str] = {}
    if refusal.retry_after_seconds is not None:
        headers["Retry-After"] = str(refusal.retry_after_seconds)
        extra["retry_after_seconds"] = refusal.retry_after_seconds
    errors = [{"field": issue.field, "problem": issue.problem} for issue in refusal.issues]
    return problem_response(status_of(refusal), refusal.title, errors, headers, **extra)


def _field(location: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in location)


async def _validation_problem(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"field": _field(problem["loc"]), "problem": problem["msg"], "type": problem["type"]}
        for problem in error.errors()
    ]
    return problem_response(422, "The request is not valid", errors)


async def _http_problem(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    detail = error.detail if isinstance(error.detail, str) else "error"
    return problem_response(error.status_code, detail, headers=error.headers)


async def _problem(request: Request, error: Exception) -> Response:
    assert isinstance(error, Problem)
    return problem_response(error.status, error.title, error.errors, error.headers, **error.extra)


async def _refusal(request: Request, error: Exception) -> Response:
    assert isinstance(error, Refused)
    return refusal_response(error)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_problem)
    app.add_exception_handler(StarletteHTTPException, _http_problem)
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(Refused, _refusal)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


_DATABASE_MODULES = ("asyncpg", "sqlalchemy")
_UNAVAILABLE = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
    sqlalchemy.exc.TimeoutError,
)
_UNSTORABLE = (asyncpg.exceptions.DataError, asyncpg.exceptions._base.DataError)


def is_database_unavailable(error: BaseException) -> bool:
    """The database (or the way to it) is away for now: a retry later may succeed."""
    return any(
        isinstance(cause, _UNAVAILABLE)
        or (isinstance(cause, sqlalchemy.exc.DBAPIError) and cause.connection_invalidated)
        or (isinstance(cause, OSError | TimeoutError) and _raised_by_database_client(cause))
        for cause in _chain(error)
    )


def _raised_by_database_client(error: BaseException) -> bool:
    """A refused or dropped connection (OSError, TimeoutError) counts only on the way to the database."""
    frames = traceback.walk_tb(error.__traceback__)
    return any(str(frame.f_globals.get("__name__", "")).startswith(_DATABASE_MODULES) for frame, _ in frames)


def is_unstorable_value(error: BaseException) -> bool:
    """The database refused a value the edge let through (a character or number it cannot hold)."""
    return any(
        isinstance(cause, _UNSTORABLE)
        or (isinstance(cause, UnicodeError) and _raised_by_database_client(cause))
        for cause in _chain(error)
    )


def unexpected_error_response(error: BaseException, correlation_id: str) -> JSONResponse:
    """What a caller gets for an error nothing else answered: never internals, always the correlation id."""
    if is_database_unavailable(error):
        return problem_response(
            503,
            "The service cannot reach its database just now; try again shortly",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
            correlation_id=correlation_id,
            retry_after_seconds=DATABASE_RETRY_AFTER_SECONDS,
        )
    if is_unstorable_value(error):
        return problem_response(422, "A value in the request cannot be stored", correlation_id=correlation_id)
    return problem_response(500, "Something went wrong on our side", correlation_id=correlation_id)
