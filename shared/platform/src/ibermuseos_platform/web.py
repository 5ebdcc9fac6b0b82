"""The HTTP side every service shares: problem responses, correlation ids, metrics, health, AsyncAPI."""

import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import logs
from .health import health_router
from .metrics import HTTP_LATENCY, HTTP_REQUESTS

CORRELATION_HEADER = "X-Correlation-ID"
PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """An error for the caller, as RFC 9457 problem details, with every problem found listed."""

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


def _field(location: Sequence[int | str]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = [parts[0], *parts[1:]]
    return ".".join(parts)


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


def _route_of(request: Request) -> str:
    route = request.scope.get("route")
    return getattr(route, "path", "unmatched")


def _operations_request(scope: MutableMapping[str, Any]) -> bool:
    """Probes and scrapes, which would bury the traces of real work."""
    path = str(scope.get("path", ""))
    return path.startswith("/health/") or path == "/metrics"


def install_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def correlate_and_measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        correlation = request.headers.get(CORRELATION_HEADER) or str(uuid.uuid4())
        token = logs.correlation_id.set(correlation[:100])
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            logs.correlation_id.reset(token)
        route = _route_of(request)
        HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        HTTP_LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
        response.headers[CORRELATION_HEADER] = correlation[:100]
        return response


def operations_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @router.get(
        "/asyncapi", summary="AsyncAPI 3.0 document of the events this service publishes and consumes"
    )
    async def asyncapi_document(request: Request) -> dict[str, Any]:
        document: dict[str, Any] = request.app.state.asyncapi
        return document

    return router


def create_app(
    *,
    title: str,
    version: str,
    description: str,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]],
    routers: Sequence[APIRouter],
    asyncapi: dict[str, Any],
) -> FastAPI:
    """A service's FastAPI app with problem responses, correlation ids, metrics, health and AsyncAPI.

    The lifespan sets `app.state.checks`, the readiness checks of what bootstrap built.
    """
    app = FastAPI(
        title=title,
        version=version,
        description=description,
        lifespan=lifespan,
        # FastAPI's own spans start the trace that the outbox carries on through Kafka. Its
        # OpenTelemetry logs stay off: a validation failure there carries the input, which can
        # be personal data; our JSON logs say what failed without it.
        telemetry={"logs": False, "metrics": False, "exclude": _operations_request},
    )
    app.state.asyncapi = asyncapi
    app.state.checks = {}
    app.add_exception_handler(RequestValidationError, _validation_problem)
    app.add_exception_handler(StarletteHTTPException, _http_problem)
    app.add_exception_handler(Problem, _problem)
    install_middleware(app)
    app.include_router(health_router())
    app.include_router(operations_router())
    for router in routers:
        app.include_router(router)
    return app
