"""The ASGI app factory and the command that serves it."""

from functools import partial

from fastapi import FastAPI
from ibermuseos_platform.service import serve, service_app

from . import SERVICE
from .bootstrap import bootstrap
from .entrypoints import api, curation_api, dashboard_web
from .entrypoints.consumers import HANDLERS
from .settings import Settings

DESCRIPTION = "Reporting of Ibermuseos: the impact of the program, from public events only."
VERSION = "0.1.0"


def create_app(settings: Settings | None = None) -> FastAPI:
    return service_app(
        service=SERVICE,
        version=VERSION,
        description=DESCRIPTION,
        settings=settings or Settings(),
        bootstrap=partial(bootstrap, handlers=HANDLERS),
        routers=[api.router, curation_api.router, dashboard_web.router],
        consumes=list(HANDLERS),
        consumes_public=True,
    )


def run() -> None:
    serve(SERVICE, DESCRIPTION, create_app, default_port=8004)
