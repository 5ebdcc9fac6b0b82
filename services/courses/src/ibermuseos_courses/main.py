"""The service as the platform runs it: `create_app` makes its ASGI app, `run` is its command."""

from ibermuseos_platform.service import Api, Service

from . import SERVICE
from .bootstrap import bootstrap
from .entrypoints import attendance, catalogue, certificates, enrolments, runs
from .settings import Settings

API = Api(
    version="0.1.0",
    description=(
        "Courses of Ibermuseos: training courses, mini courses and conversatorios, to a verifiable certificate."
    ),
    routers=[
        catalogue.router,
        runs.router,
        enrolments.router,
        attendance.router,
        certificates.router,
        certificates.public,
    ],
)

service = Service(SERVICE, Settings, bootstrap, API, port=8002)
create_app = service.create_app
run = service.run
