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
other worker starts those services again."""

EACH_ON_ITS_OWN = ("tests/generated/test_api_conformance.py", "tests/faults/test_outages.py")
"""Modules of long tests that share nothing: each test may go to any worker."""


class ByStartedServices(LoadScopeScheduling):
    """Any other module goes to one worker, with its module-scoped fixtures."""

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        if module in EACH_ON_ITS_OWN:
            return nodeid
        return next((folder for folder in STARTED_ONCE if module.startswith(folder)), module)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> LoadScopeScheduling:
    return ByStartedServices(config, log)
