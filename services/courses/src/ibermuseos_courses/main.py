"""The ASGI app factory and the command that serves it."""

from fastapi import FastAPI
from ibermuseos_platform.service import serve, service_app

from . import SERVICE
from .bootstrap import bootstrap
from .entrypoints import attendance, catalogue, certificates, enrolments, runs
from .settings import Settings

DESCRIPTION = (
    "Courses of Ibermuseos: training courses, mini courses and conversatorios, to a verifiable certificate."
)
VERSION = "0.1.0"


def create_app(settings: Settings | None = None) -> FastAPI:
    return service_app(
        service=SERVICE,
        version=VERSION,
        description=DESCRIPTION,
        settings=settings or Settings(),
        bootstrap=bootstrap,
        routers=[
            catalogue.router,
            runs.router,
            enrolments.router,
            attendance.router,
            certificates.router,
            certificates.public,
        ],
    )


def run() -> None:
    serve(SERVICE, DESCRIPTION, create_app, default_port=8002)
