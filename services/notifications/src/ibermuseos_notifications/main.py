"""The service as the platform runs it: `create_app` makes its ASGI app, `run` is its command."""

from functools import partial

from ibermuseos_platform.service import Api, Consumed, Service

from . import SERVICE
from .bootstrap import bootstrap
from .entrypoints import deliveries, focal_points, people, privacy_api
from .entrypoints.consumers import CONSUMED, handlers
from .settings import Settings

API = Api(
    version="0.2.0",
    description="Notifications of Ibermuseos: every person told what concerns them, in their language.",
    routers=[people.router, focal_points.router, deliveries.router, privacy_api.router],
    consumed=Consumed(CONSUMED, public=False),
)

service = Service(SERVICE, Settings, partial(bootstrap, handlers=handlers), API, port=8003)
create_app = service.create_app
run = service.run
