"""Each service's image: it runs as a user that is not root, on a read-only root filesystem, holds only its
own service's package, and migrates its database again and again as the Kubernetes Job does each release."""

import json

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from container_harness import REPO, database_revision, image, migrate, run_once
from deployment_harness import SERVICES, Deployment

pytestmark = pytest.mark.deploy

WHAT_IT_IS = """
import importlib.util, json, os
try:
    open('/app/written-at-run-time', 'w')
    writable = True
except OSError:
    writable = False
print(json.dumps({
    "uid": os.getuid(),
    "root_fs_writable": writable,
    "packages": sorted(n for n in ("applications", "courses", "notifications", "reporting")
                       if importlib.util.find_spec(f"ibermuseos_{n}") is not None),
}))
"""


@pytest.mark.parametrize("service", SERVICES)
def test_an_image_runs_unprivileged_read_only_with_its_own_service_only(service: str) -> None:
    result = run_once(image(service), ["python3", "-c", WHAT_IT_IS])

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"uid": 10001, "root_fs_writable": False, "packages": [service]}


def head_revision(service: str) -> str:
    config = Config(str(REPO / "services" / service / "alembic.ini"))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


@pytest.mark.parametrize("service", SERVICES)
async def test_the_migrations_of_an_image_run_again_next_release_without_changing_anything(
    deployment: Deployment, service: str
) -> None:
    url = deployment.database_urls[service]  # migrated from this image when the deployment started

    again = migrate(image(service), service, url)

    assert again.returncode == 0, again.stderr
    assert await database_revision(url) == head_revision(service)
