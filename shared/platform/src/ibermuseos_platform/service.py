"""A service's app and command, the same for every service: only its parts differ."""

import argparse
import json
import os
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import uvicorn
from fastapi import APIRouter, FastAPI
from ibermuseos_contracts import Event, events_of

from .asyncapi import asyncapi_document
from .auth import TokenVerifier
from .logs import configure_logging
from .runtime import Platform
from .settings import ServiceSettings
from .tracing import configure_tracing
from .web import create_app


class Container(Protocol):
    """What a service's bootstrap builds; the platform part is started and stopped with the app."""

    @property
    def platform(self) -> Platform: ...


def service_app(
    *,
    service: str,
    version: str,
    description: str,
    settings: ServiceSettings,
    bootstrap: Callable[[Any], Container],
    routers: Sequence[APIRouter],
    consumes: Sequence[type[Event]] = (),
    consumes_public: bool = True,
) -> FastAPI:
    """The FastAPI app of a service; `bootstrap(settings)` runs in the lifespan, not at import."""
    configure_logging(service, settings.log_level)
    configure_tracing(service)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = bootstrap(settings)
        app.state.container = container
        app.state.token_verifier = TokenVerifier(settings.auth)
        async with container.platform as platform:
            app.state.checks = platform.checks
            app.state.reported_checks = platform.reported_checks
            yield

    return create_app(
        title=f"Ibermuseos {service}",
        version=version,
        description=description,
        lifespan=lifespan,
        routers=routers,
        asyncapi=asyncapi_document(
            service=service,
            version=version,
            description=description,
            kafka=settings.kafka,
            publishes=events_of(service),
            consumes=consumes,
            consumes_public=consumes_public,
        ),
        http=settings.http,
    )


SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


@dataclass(frozen=True)
class Consumed:
    """The events a service consumes: from the public topics or the private ones."""

    events: Sequence[type[Event]]
    public: bool


@dataclass(frozen=True)
class Api:
    """What a service says of itself in its OpenAPI and AsyncAPI documents, and the routers that serve it."""

    version: str
    description: str
    routers: Sequence[APIRouter]
    consumed: Consumed = Consumed(events=(), public=True)


@dataclass(frozen=True)
class Service(Generic[SettingsT]):
    """A service as the platform runs it, from its parts: `create_app` makes its ASGI app (settings read
    from the environment unless given), `run` is its command."""

    name: str
    settings: Callable[[], SettingsT]
    bootstrap: Callable[[SettingsT], Container]
    api: Api
    port: int

    def create_app(self, settings: SettingsT | None = None) -> FastAPI:
        return service_app(
            service=self.name,
            version=self.api.version,
            description=self.api.description,
            settings=settings or self.settings(),
            bootstrap=self.bootstrap,
            routers=self.api.routers,
            consumes=self.api.consumed.events,
            consumes_public=self.api.consumed.public,
        )

    def run(self) -> None:
        serve(self.name, self.api.description, self.create_app, default_port=self.port)


GRACEFUL_STOP_SECONDS = 10
"""How long a stopping process lets requests in flight finish; Kubernetes waits 30 s before it kills."""


def serve(service: str, description: str, app_factory: Callable[[], FastAPI], default_port: int) -> None:
    """The service's command: `ibermuseos-<service> [--host H] [--port P]`.

    SIGTERM (what `docker stop` and Kubernetes send, also to a PID 1) stops it gracefully: no new
    connections, requests in flight finished, consumers and relay stopped after their current batch.
    Forwarded headers are not trusted here: the platform's web edge decides which proxies to trust.
    """
    parser = argparse.ArgumentParser(prog=f"ibermuseos-{service}", description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=default_port)
    parser.add_argument(
        "--roles",
        help="what this process runs, of api,relay,consumers,jobs (default: all, or <SERVICE>_ROLES)",
    )
    args = parser.parse_args(sys.argv[1:])
    if args.roles:
        # The settings are read once, from the environment, when the app is made.
        os.environ[f"{service.upper()}_ROLES"] = json.dumps(args.roles.split(","))
    # Forwarded headers are the edge's to judge, against the configured trusted proxies only.
    uvicorn.run(
        app_factory(),
        host=args.host,
        port=args.port,
        log_config=None,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_STOP_SECONDS,
    )
