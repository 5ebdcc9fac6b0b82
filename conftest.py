"""How `make test` spreads the tests over pytest-xdist's workers (`pytest -n N --dist loadscope`): the
scheduler below replaces xdist's own."""

import pytest
from xdist.scheduler import LoadScopeScheduling
from xdist.workermanage import WorkerController

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


LONGEST_FIRST = (
    "services/notifications/tests/integration/",
    "tests/deploy/",
    "services/reporting/tests/integration/test_dashboard.py",
    "tests/e2e/",
    "services/courses/tests/integration/",
    "tests/generated/test_api_conformance.py",
    "tests/faults/",
    "services/reporting/tests/integration/test_reporting_service.py",
    "services/applications/tests/integration/",
)
"""The longest groups as measured (a minute or more each on 2 cores), started first so that none of them
begins when the others are nearly done. The order only changes how long the run takes."""


class ByStartedServices(LoadScopeScheduling):
    """Any other module goes to one worker, with its module-scoped fixtures."""

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        if module in EACH_ON_ITS_OWN:
            return nodeid
        return next((folder for folder in STARTED_ONCE if module.startswith(folder)), module)

    def _assign_work_unit(self, node: WorkerController) -> None:
        longest = min(self.workqueue, key=_rank)
        self.workqueue.move_to_end(longest, last=False)
        super()._assign_work_unit(node)


def _rank(scope: str) -> int:
    return next((i for i, start in enumerate(LONGEST_FIRST) if scope.startswith(start)), len(LONGEST_FIRST))


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> LoadScopeScheduling:
    return ByStartedServices(config, log)
