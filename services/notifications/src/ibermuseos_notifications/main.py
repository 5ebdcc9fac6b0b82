"""The ASGI app factory and the command that serves it."""

from functools import partial

from fastapi import FastAPI
from ibermuseos_platform.service import serve, service_app

from . import SERVICE
from .bootstrap import bootstrap
from .entrypoints import deliveries, focal_points, people, privacy_api
from .entrypoints.consumers import CONSUMED, handlers
from .settings import Settings

DESCRIPTION = "Notifications of Ibermuseos: every person told what concerns them, in their language."
VERSION = "0.2.0"


def create_app(settings: Settings | None = None) -> FastAPI:
    return service_app(
        service=SERVICE,
        version=VERSION,
        description=DESCRIPTION,
        settings=settings or Settings(),
        bootstrap=partial(bootstrap, handlers=handlers),
        routers=[people.router, focal_points.router, deliveries.router, privacy_api.router],
        consumes=CONSUMED,
        consumes_public=False,
    )


def run() -> None:
    serve(SERVICE, DESCRIPTION, create_app, default_port=8003)
