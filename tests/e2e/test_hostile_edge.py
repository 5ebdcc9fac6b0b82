"""Hostile input at the edge every service shares, against the four real services over real HTTP.

Forged claims, oversized headers, control characters in the address, forwarded headers from
nobody we trust: each is refused with a problem document and never a 500, and the connection it
came on keeps serving.
"""

import asyncio

import httpx
import jwt
import pytest
from platform_harness import SERVICES, Platform

pytestmark = pytest.mark.e2e

# A route of each service that reads a token (required or optional).
SIGNED_IN = {
    "applications": "/applications",
    "courses": "/enrolments",
    "notifications": "/inbox",
    "reporting": "/figures/headline",
}
# A public route of each service that no dedicated limit protects.
PUBLIC = {
    "applications": "/asyncapi",
    "courses": "/asyncapi",
    "notifications": "/asyncapi",
    "reporting": "/dashboard",
}


def forged(platform: Platform, **claims: object) -> dict[str, str]:
    valid = jwt.decode(
        platform.issuer.token("mallory", roles=["participant"], country="PE"),
        options={"verify_signature": False},
    )
    return {"Authorization": f"Bearer {platform.issuer.sign({**valid, **claims})}"}


def is_problem(answer: httpx.Response, status: int) -> bool:
    return answer.status_code == status and answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize(
    "claims",
    [
        {"roles": None},
        {"roles": {"coordinator": 1}},
        {"roles": "coordinator"},
        {"sub": "mallory\x00"},
        {"name": "Evil\r\nBcc: victim@evil.example"},
        {"name": "a\x00b"},
    ],
    ids=["roles-null", "roles-object", "roles-string", "sub-nul", "name-crlf", "name-nul"],
)
async def test_a_token_whose_claims_have_the_wrong_shape_is_refused_everywhere(
    platform: Platform, service: str, claims: dict[str, object]
) -> None:
    async with httpx.AsyncClient(base_url=platform.url(service)) as http:
        answer = await http.get(SIGNED_IN[service], headers=forged(platform, **claims))
        after = await http.get("/health/live")

    assert is_problem(answer, 401), answer.text
    assert after.status_code == 200


@pytest.mark.parametrize("service", SERVICES)
async def test_huge_headers_and_huge_tokens_are_refused_unread(platform: Platform, service: str) -> None:
    big_claim = platform.issuer.token("mallory", roles=["participant"], padding="x" * 100_000)
    async with httpx.AsyncClient(base_url=platform.url(service)) as http:
        huge_header = await http.get(
            SIGNED_IN[service], headers={"Authorization": "Bearer " + "a" * 8_000_000}
        )
        huge_token = await http.get(SIGNED_IN[service], headers={"Authorization": f"Bearer {big_claim}"})

    assert is_problem(huge_header, 431)
    assert huge_token.status_code in (401, 431)
    assert huge_token.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("service", SERVICES)
async def test_a_nul_in_the_address_is_a_400_and_the_connection_keeps_serving(
    platform: Platform, service: str
) -> None:
    coordinator = platform.token("coord-hostile", "coordinator")
    async with httpx.AsyncClient(base_url=platform.url(service)) as http:
        in_query = await http.get(SIGNED_IN[service] + "?q=a%00b", headers=coordinator)
        in_path = await http.get(SIGNED_IN[service] + "/a%00b", headers=coordinator)
        after = await http.get("/health/live")

    assert is_problem(in_query, 400)
    assert is_problem(in_path, 400)
    assert after.status_code == 200


@pytest.mark.parametrize("service", SERVICES)
async def test_a_forwarded_for_that_rotates_does_not_escape_the_rate_limit(
    platform: Platform, service: str
) -> None:
    # From an address of its own on the loopback network, so that no other test shares its bucket.
    own_address = f"127.0.0.{10 + SERVICES.index(service)}"
    transport = httpx.AsyncHTTPTransport(local_address=own_address, limits=httpx.Limits(max_connections=50))
    async with httpx.AsyncClient(base_url=platform.url(service), transport=transport, timeout=60) as http:
        answers = await asyncio.gather(
            *(
                http.get(PUBLIC[service], headers={"X-Forwarded-For": f"203.0.113.{i % 250}"})
                for i in range(200)
            )
        )

    statuses = [answer.status_code for answer in answers]
    assert set(statuses) <= {200, 429}
    refused = [answer for answer in answers if answer.status_code == 429]
    assert refused, "every request was served although each claimed another address"
    assert all(int(answer.headers["Retry-After"]) >= 1 for answer in refused)


@pytest.mark.parametrize("service", SERVICES)
async def test_every_answer_carries_the_security_headers(platform: Platform, service: str) -> None:
    participant = platform.token("ana-hostile", "participant", country="PE")
    async with httpx.AsyncClient(base_url=platform.url(service)) as http:
        answers = [
            await http.get(PUBLIC[service]),
            await http.get(SIGNED_IN[service], headers=participant),
            await http.get("/no-such-route"),
        ]

    for answer in answers:
        assert answer.headers["X-Content-Type-Options"] == "nosniff", answer.url
        assert "frame-ancestors" in answer.headers["Content-Security-Policy"], answer.url
    assert answers[1].headers["Cache-Control"] in ("no-store", "private, no-cache")


@pytest.mark.parametrize("service", SERVICES)
async def test_staff_are_not_held_back_by_the_public_limits(platform: Platform, service: str) -> None:
    coordinator = platform.token("coord-busy", "coordinator")
    async with httpx.AsyncClient(base_url=platform.url(service)) as http:
        answers = [await http.get(PUBLIC[service], headers=coordinator) for _ in range(150)]

    assert {answer.status_code for answer in answers} == {200}
