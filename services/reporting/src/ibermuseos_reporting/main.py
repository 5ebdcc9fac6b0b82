"""The service as the platform runs it: `create_app` makes its ASGI app, `run` is its command."""

from functools import partial

from ibermuseos_platform.service import Api, Consumed, Service

from . import SERVICE
from .bootstrap import bootstrap
from .entrypoints import api, curation_api, dashboard_web
from .entrypoints.consumers import HANDLERS
from .settings import Settings

API = Api(
    version="0.1.0",
    description="Reporting of Ibermuseos: the impact of the program, from public events only.",
    routers=[api.router, curation_api.router, dashboard_web.router],
    consumed=Consumed(list(HANDLERS), public=True),
)

service = Service(SERVICE, Settings, partial(bootstrap, handlers=HANDLERS), API, port=8004)
create_app = service.create_app
run = service.run
