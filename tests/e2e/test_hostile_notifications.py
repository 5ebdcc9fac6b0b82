"""Hostile input to the notifications service (issue 11), over real HTTP against the running platform.

Focal points' names and time zones, and the people and focal points named in paths, are the
texts a caller can make the service store or look up: a NUL, a control character, an over-long
id or a time zone that is not an IANA name is refused with a problem document (never a 500),
and the connection it came on keeps serving.
"""

import uuid
from typing import Any

import httpx
import pytest
from platform_harness import Platform

pytestmark = pytest.mark.e2e

FOCAL_POINT = {
    "country": "UY",
    "name": "Pablo Pérez",
    "email": "pablo@ibermuseos.example",
    "preferred_language": "es",
}


def is_problem(answer: httpx.Response, status: int) -> bool:
    return answer.status_code == status and answer.headers["content-type"] == "application/problem+json"


def fields(answer: httpx.Response) -> set[str]:
    return {problem["field"] for problem in answer.json()["errors"]}


async def name_focal_point(platform: Platform, http: httpx.AsyncClient, **changes: Any) -> httpx.Response:
    person_id = f"focal-hostile-{uuid.uuid4().hex[:8]}"
    return await http.put(
        f"/focal-points/{person_id}",
        json={**FOCAL_POINT, **changes},
        headers=platform.token("coord-hostile", "coordinator", country="MX"),
    )


@pytest.mark.parametrize(
    "name",
    ["a\x00b", "Evil\r\nBcc: victim@evil.example", "tab\tin a name", "", "x" * 301],
    ids=["nul", "crlf", "tab", "empty", "too-long"],
)
async def test_a_focal_points_name_with_a_control_character_is_refused(platform: Platform, name: str) -> None:
    async with httpx.AsyncClient(base_url=platform.url("notifications")) as http:
        answer = await name_focal_point(platform, http, name=name)
        after = await http.get("/health/live")

    assert is_problem(answer, 422), answer.text
    assert fields(answer) == {"body.name"}
    assert after.status_code == 200


@pytest.mark.parametrize(
    "timezone",
    ["../../../../etc/passwd", "Mars/Olympus", "America/Lima\n", "America", "Etc", "", "x" * 10_000],
    ids=["path", "unknown", "trailing-newline", "folder-america", "folder-etc", "empty", "huge"],
)
async def test_a_focal_points_time_zone_that_is_not_an_iana_name_is_refused(
    platform: Platform, timezone: str
) -> None:
    async with httpx.AsyncClient(base_url=platform.url("notifications")) as http:
        answer = await name_focal_point(platform, http, timezone=timezone)
        after = await http.get("/health/live")

    assert is_problem(answer, 422), answer.text
    assert fields(answer) == {"body.timezone"}
    assert after.status_code == 200


async def test_a_focal_point_with_an_iana_zone_is_named_with_it(platform: Platform) -> None:
    async with httpx.AsyncClient(base_url=platform.url("notifications")) as http:
        answer = await name_focal_point(platform, http, timezone="America/Montevideo")

    assert answer.status_code == 200, answer.text
    assert answer.json()["timezone"] == "America/Montevideo"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/people/a%00b/erasure"),
        ("PUT", "/focal-points/a%00b"),
        ("DELETE", "/focal-points/a%00b"),
        ("POST", "/people/a%0Db/erasure"),
        ("DELETE", "/focal-points/a%1Bb"),
    ],
    ids=["erasure-nul", "put-focal-nul", "delete-focal-nul", "erasure-cr", "delete-focal-escape"],
)
async def test_a_control_character_in_a_path_is_refused_and_the_connection_keeps_serving(
    platform: Platform, method: str, path: str
) -> None:
    staff = platform.token("ops-hostile", "operator", "coordinator", country="MX")
    async with httpx.AsyncClient(base_url=platform.url("notifications")) as http:
        answer = await http.request(method, path, json=FOCAL_POINT, headers=staff)
        after = await http.get("/health/live")

    assert is_problem(answer, 400), answer.text
    assert after.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/people/{}/erasure"), ("PUT", "/focal-points/{}"), ("DELETE", "/focal-points/{}")],
    ids=["erasure", "put-focal", "delete-focal"],
)
async def test_an_over_long_person_id_in_a_path_is_refused(
    platform: Platform, method: str, path: str
) -> None:
    staff = platform.token("ops-hostile", "operator", "coordinator", country="MX")
    async with httpx.AsyncClient(base_url=platform.url("notifications")) as http:
        answer = await http.request(method, path.format("p" * 256), json=FOCAL_POINT, headers=staff)

    assert is_problem(answer, 422), answer.text
    assert fields(answer) == {"path.person_id"}


@pytest.mark.parametrize(
    "path",
    ["/deliveries/not-a-uuid", "/deliveries/not-a-uuid/resend", "/inbox/not-a-uuid/read"],
    ids=["delivery", "resend", "read"],
)
async def test_an_id_that_is_not_a_uuid_names_no_object(platform: Platform, path: str) -> None:
    staff = platform.token("ops-hostile", "operator", "coordinator", country="MX")
    async with httpx.AsyncClient(base_url=platform.url("notifications")) as http:
        method = "GET" if path == "/deliveries/not-a-uuid" else "POST"
        answer = await http.request(method, path, headers=staff)

    assert is_problem(answer, 404), answer.text


async def test_a_nul_in_a_list_filter_is_refused(platform: Platform) -> None:
    staff = platform.token("ops-hostile", "operator", country="MX")
    async with httpx.AsyncClient(base_url=platform.url("notifications")) as http:
        answer = await http.get("/deliveries", params={"recipient_id": "a\x00b"}, headers=staff)
        after = await http.get("/health/live")

    assert is_problem(answer, 400), answer.text
    assert after.status_code == 200
