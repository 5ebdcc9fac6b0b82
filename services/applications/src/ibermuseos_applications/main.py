"""The service as the platform runs it: `create_app` makes its ASGI app, `run` is its command."""

from ibermuseos_platform.service import Api, Service

from . import SERVICE
from .bootstrap import bootstrap
from .entrypoints import applications, audit, calls, evaluations
from .settings import Settings

API = Api(
    version="0.2.0",
    description="Training Grants of Ibermuseos: calls, applications, evaluation, awards and grantee reports.",
    routers=[calls.router, applications.router, evaluations.router, audit.router],
)

service = Service(SERVICE, Settings, bootstrap, API, port=8001)
create_app = service.create_app
run = service.run
