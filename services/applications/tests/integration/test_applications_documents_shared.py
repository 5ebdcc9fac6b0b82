"""Two instances of the service on one database, as two replicas behind a load balancer: a document uploaded
through one is downloaded through the other, and once removed through the other it is gone for both."""

import pytest
from ibermuseos_platform.testing.services import RunningService

pytestmark = pytest.mark.integration


async def test_a_document_uploaded_through_one_instance_is_downloaded_through_another(
    api, applications_replica: RunningService, pdf: bytes
) -> None:
    call = await api.open_call()
    ana = api.who("ana", "participant", country="BR")
    draft = await api.ok("POST", f"/calls/{call['id']}/applications", ana, json=api.form("BR"))
    path = f"/applications/{draft['id']}/documents"
    uploaded = await api.ok(
        "POST", f"{path}?kind=cv&filename=cv.pdf", {**ana, "Content-Type": "application/pdf"}, content=pdf
    )
    elsewhere = applications_replica.url + f"{path}/{uploaded['id']}"

    downloaded = await api.http.get(elsewhere, headers=ana)

    assert downloaded.status_code == 200, downloaded.text
    assert downloaded.content == pdf
    assert downloaded.headers["content-type"] == "application/pdf"
    assert (await api.http.delete(elsewhere, headers=ana)).status_code == 204
    assert (await api.request("GET", f"{path}/{uploaded['id']}", ana)).status_code == 404
    assert await api.stored_content(uploaded["id"]) is None
