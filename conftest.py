"""How `make test` spreads the tests over pytest-xdist's workers (`pytest -n N --dist loadgroup`)."""

import pytest
from xdist.scheduler import LoadScopeScheduling

STARTED_ONCE = (
    "tests/e2e/",
    "tests/deploy/",
    "services/applications/tests/integration/",
    "services/courses/tests/integration/",
    "services/notifications/tests/integration/",
)
"""Folders whose conftest starts services once for the session: their tests go to one worker, so that no
other worker starts those services again. Any other module is scheduled on its own."""


class ByStartedServices(LoadScopeScheduling):
    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        return next((folder for folder in STARTED_ONCE if module.startswith(folder)), module)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> LoadScopeScheduling:
    return ByStartedServices(config, log)
