"""Documents in the applications images: uploaded through one container, whose root filesystem is read-only, and
downloaded from a second container of the same image on the same database, as two replicas would; neither writes
anything to its disk."""

from datetime import UTC, datetime, timedelta

import pytest
from container_harness import Container, image, run, start
from deployment_harness import Deployment, service_env

pytestmark = pytest.mark.deploy

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n" + bytes(range(256)) * 1024
TEXT = {"es": "Becas", "pt": "Bolsas", "en": "Grants"}


def call_terms() -> dict[str, object]:
    now = datetime.now(UTC)
    return {
        "year": now.year,
        "title": TEXT,
        "rules": TEXT,
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=1)).isoformat(),
        "timezone": "America/Mexico_City",
        "currency": "USD",
        "budget": "1000.00",
        "max_per_grant": "1000.00",
        "eligible_residence_countries": ["BR"],
        "eligible_host_countries": ["MX"],
        "eligible_activity_kinds": ["course"],
        "activities_from": now.date().isoformat(),
        "activities_until": (now.date() + timedelta(days=300)).isoformat(),
        "criteria": [{"id": "merit", "name": TEXT, "weight": "1"}],
    }


def on_disk(container: Container) -> list[str]:
    """The container's changes to its image's filesystem (the engine's own, such as /etc/hosts, among them), and
    every file in its only writable place, /tmp (a tmpfs)."""
    changed = run("diff", container.name).stdout.splitlines()
    in_tmp = run("exec", container.name, "find", "/tmp", "-mindepth", "1").stdout.splitlines()
    return changed + in_tmp


async def test_a_document_uploaded_through_one_read_only_container_is_downloaded_from_another(
    deployment: Deployment,
) -> None:
    http, uploading = deployment.http, deployment.containers["applications"]
    coordinator = deployment.token("coord-docs", "coordinator", country="MX")
    ana = deployment.token(
        "ana-docs", "participant", country="BR", name="Ana", email="ana-docs@museo.example"
    )
    call = await http.post(f"{uploading.url}/calls", json=call_terms(), headers=coordinator)
    assert call.status_code == 201, call.text
    published = await http.post(f"{uploading.url}/calls/{call.json()['id']}/publish", headers=coordinator)
    assert published.status_code == 200, published.text
    draft = await http.post(f"{uploading.url}/calls/{call.json()['id']}/applications", json={}, headers=ana)
    assert draft.status_code == 201, draft.text
    documents = f"/applications/{draft.json()['id']}/documents"
    replica = await start(
        "applications",
        image("applications"),
        {**service_env("applications", deployment), "APPLICATIONS_ROLES": '["api"]'},
        deployment.jwks,
    )
    try:
        before = {container.name: on_disk(container) for container in (uploading, replica)}
        uploaded = await http.post(
            f"{uploading.url}{documents}?kind=cv&filename=cv.pdf",
            content=PDF,
            headers={**ana, "Content-Type": "application/pdf"},
        )
        assert uploaded.status_code == 201, uploaded.text

        downloaded = await http.get(f"{replica.url}{documents}/{uploaded.json()['id']}", headers=ana)

        assert downloaded.status_code == 200, downloaded.text
        assert downloaded.content == PDF
        assert (
            run("inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}", uploading.name).stdout.strip()
            == "true"
        )
        assert {container.name: on_disk(container) for container in (uploading, replica)} == before
        assert not any(path.startswith("/tmp/") for paths in before.values() for path in paths)
    finally:
        await replica.remove()
