"""The HTTP side every service shares: the edge, problem responses, health, metrics, AsyncAPI."""

from collections.abc import Callable, MutableMapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from . import openapi, tracing
from .edge import Edge
from .health import health_router
from .problems import PROBLEM_JSON, Problem, install_problem_handlers, problem_response
from .settings import HttpSettings

__all__ = ["PROBLEM_JSON", "Problem", "container_of", "create_app", "problem_response"]


async def container_of(request: Request) -> Any:
    """What the service's bootstrap built (a FastAPI dependency; each service types it as its Container)."""
    return request.app.state.container


def _operations_request(scope: MutableMapping[str, Any]) -> bool:
    """Probes and scrapes, which would bury the traces of real work."""
    path = str(scope.get("path", ""))
    return path.startswith("/health/") or path == "/metrics"


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
    http: HttpSettings,
) -> FastAPI:
    """A service's FastAPI app behind the platform's edge, with problem responses, health and AsyncAPI.

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
        # When no one reads spans, FastAPI records none (the edge carries the trace context on).
        telemetry={
            "tracing": tracing.spans_are_read(),
            "logs": False,
            "metrics": False,
            "exclude": _operations_request,
        },
    )
    app.state.asyncapi = asyncapi
    app.state.checks = {}
    install_problem_handlers(app)
    app.add_middleware(Edge, settings=http)
    app.include_router(health_router())
    app.include_router(operations_router())
    for router in routers:
        app.include_router(router)
    openapi.complete(app)
    return app
