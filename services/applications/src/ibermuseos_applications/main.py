"""The ASGI app factory and the command that serves it."""

from fastapi import FastAPI
from ibermuseos_platform.service import serve, service_app

from . import SERVICE
from .bootstrap import bootstrap
from .entrypoints import applications, audit, calls, evaluations
from .settings import Settings

DESCRIPTION = "Training Grants of Ibermuseos: calls, applications, evaluation, awards and grantee reports."
VERSION = "0.2.0"


def create_app(settings: Settings | None = None) -> FastAPI:
    return service_app(
        service=SERVICE,
        version=VERSION,
        description=DESCRIPTION,
        settings=settings or Settings(),
        bootstrap=bootstrap,
        routers=[calls.router, applications.router, evaluations.router, audit.router],
    )


def run() -> None:
    serve(SERVICE, DESCRIPTION, create_app, default_port=8001)
