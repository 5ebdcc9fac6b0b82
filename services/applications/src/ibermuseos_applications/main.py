"""The ASGI app factory and the command that serves it."""

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from ibermuseos_contracts import events_of
from ibermuseos_platform.asyncapi import asyncapi_document
from ibermuseos_platform.auth import TokenVerifier
from ibermuseos_platform.logs import configure_logging
from ibermuseos_platform.web import create_app as create_service_app

from . import SERVICE
from .bootstrap import bootstrap
from .entrypoints import api
from .settings import Settings

DESCRIPTION = "Training Grants of Ibermuseos: calls, applications, evaluation, awards and grantee reports."
VERSION = "0.1.0"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(SERVICE, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = bootstrap(settings)
        app.state.container = container
        app.state.token_verifier = TokenVerifier(settings.auth)
        async with container.platform as platform:
            app.state.checks = platform.checks
            yield

    return create_service_app(
        title="Ibermuseos applications",
        version=VERSION,
        description=DESCRIPTION,
        lifespan=lifespan,
        routers=[api.router],
        asyncapi=asyncapi_document(
            service=SERVICE,
            version=VERSION,
            description=DESCRIPTION,
            kafka=settings.kafka,
            publishes=events_of(SERVICE),
        ),
    )


def run() -> None:
    """Serve the API: `ibermuseos-applications [--host H] [--port P]`."""
    parser = argparse.ArgumentParser(prog="ibermuseos-applications", description=DESCRIPTION)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    uvicorn.run(create_app(), host=args.host, port=args.port, log_config=None)
