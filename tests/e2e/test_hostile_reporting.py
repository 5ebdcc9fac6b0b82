"""Hostile input to the reporting service, against the real services over real HTTP (issue 11).

Control characters in what a coordinator's decisions store (an abbreviation, its name and city, the
name an institution is confirmed or split under) and in the texts a query or a path carries; tokens
whose roles have the wrong shape on the public figures; a client rotating X-Forwarded-For on them.
Each is refused with a problem document (the request's types refuse it, not the database, so
nothing is stored) and the connection keeps serving. The edge's refusals every service shares
(header and token sizes, other claims) are in test_hostile_edge.py; staff asking the figures many
times in a row, in reporting's service tests (with a tight public limit).
"""

import asyncio
import uuid
from typing import Any

import httpx
import jwt
import pytest
from platform_harness import Platform

pytestmark = pytest.mark.e2e

NUL = "a\x00b"
HEADER_INJECTION = "Evil\r\nBcc: victim@evil.example"
NEXT_LINE = "a\x85b"
"""A C1 control character: not a byte the address refuses (it travels as %C2%85), still no text of ours."""


class Reporting:
    """The reporting service as a coordinator sees it."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.http = httpx.AsyncClient(base_url=platform.url("reporting"), timeout=30)
        self.tag = uuid.uuid4().hex[:6]
        self.coordinator = platform.token(f"coord-{self.tag}", "coordinator", country="MX")

    async def abbreviations(self, country: str) -> list[dict[str, Any]]:
        """The abbreviations known in `country` (few: those the tests teach)."""
        answer = await self.http.get(
            "/institutions/abbreviations", params={"country": country, "limit": 200}, headers=self.coordinator
        )
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items

    async def refused(self, answer: httpx.Response, status: int = 422) -> set[str]:
        """The fields the problem document lists; and the connection it came on serves the next request."""
        assert answer.status_code == status, f"{answer.request.url}: {answer.status_code} {answer.text}"
        assert answer.headers["content-type"] == "application/problem+json"
        assert (await self.http.get("/health/live")).status_code == 200
        return {problem["field"] for problem in answer.json().get("errors", [])}

    def forged(self, **claims: object) -> dict[str, str]:
        """A coordinator's token with some claims replaced, signed by the issuer the service trusts."""
        valid = jwt.decode(
            self.platform.issuer.token(f"mallory-{self.tag}", roles=["participant"], country="MX"),
            options={"verify_signature": False},
        )
        return {"Authorization": f"Bearer {self.platform.issuer.sign({**valid, **claims})}"}


@pytest.fixture
async def reporting(platform: Platform) -> Any:
    service = Reporting(platform)
    yield service
    await service.http.aclose()


ABBREVIATION = {
    "abbreviation": "MNQ",
    "name": "Museo Nacional de Quipus",
    "country": "UY",
    "city": "Montevideo",
}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"abbreviation": "M\x00Q"}, "body.abbreviation"),
        ({"name": NUL}, "body.name"),
        ({"name": HEADER_INJECTION}, "body.name"),
        ({"city": HEADER_INJECTION}, "body.city"),
        ({"city": NEXT_LINE}, "body.city"),
        # 25 characters as written, 75 spelt out (each ligature is three letters): more than is kept.
        ({"abbreviation": "\ufb03" * 25}, "abbreviation"),
    ],
    ids=[
        "abbreviation-nul",
        "name-nul",
        "name-crlf",
        "city-crlf",
        "city-c1",
        "spelt-too-long",
    ],
)
async def test_an_abbreviation_with_a_control_character_or_too_long_is_refused_and_not_kept(
    reporting: Reporting, changes: dict[str, str], field: str
) -> None:
    hostile = {**ABBREVIATION, **changes}
    answer = await reporting.http.post(
        "/institutions/abbreviations", json=hostile, headers=reporting.coordinator
    )

    assert await reporting.refused(answer) == {field}
    assert not [
        known
        for known in await reporting.abbreviations("UY")
        if (known["abbreviation"], known["name"], known["city"])
        == tuple(hostile[k] for k in ("abbreviation", "name", "city"))
    ]


async def test_an_abbreviation_of_plain_text_is_kept_and_can_be_forgotten(reporting: Reporting) -> None:
    """What the refusals above are measured against: the same body, of plain text, is taken."""
    taught = await reporting.http.post(
        "/institutions/abbreviations",
        json={**ABBREVIATION, "abbreviation": f"MNQ{reporting.tag}"},
        headers=reporting.coordinator,
    )
    assert taught.status_code == 201, taught.text
    assert taught.json()["id"] in [known["id"] for known in await reporting.abbreviations("UY")]

    forgotten = await reporting.http.delete(
        f"/institutions/abbreviations/{taught.json()['id']}", headers=reporting.coordinator
    )
    assert forgotten.status_code == 204
    assert taught.json()["id"] not in [known["id"] for known in await reporting.abbreviations("UY")]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("confirm", {"name": NUL}, "body.name"),
        ("confirm", {"name": HEADER_INJECTION}, "body.name"),
        ("split", {"spellings": [str(uuid.uuid4())], "name": NUL}, "body.name"),
        ("split", {"spellings": [str(uuid.uuid4())], "name": HEADER_INJECTION}, "body.name"),
    ],
    ids=["confirm-nul", "confirm-crlf", "split-nul", "split-crlf"],
)
async def test_an_institution_is_never_named_with_a_control_character(
    reporting: Reporting, path: str, body: dict[str, Any], field: str
) -> None:
    answer = await reporting.http.post(
        f"/institutions/{uuid.uuid4()}/{path}", json=body, headers=reporting.coordinator
    )

    assert await reporting.refused(answer) == {field}


@pytest.mark.parametrize(
    "address",
    [
        "/institutions?q=a%00b",
        "/institutions/a%00b",
        "/institutions/suggestions?country=M%00X",
        "/countries/M%00X/report",
        "/figures/beneficiaries.csv?by=a%0D%0Ab",
    ],
    ids=["search-nul", "institution-nul", "suggestions-nul", "report-nul", "csv-crlf"],
)
async def test_a_control_character_in_the_address_is_a_400_and_the_connection_keeps_serving(
    reporting: Reporting, address: str
) -> None:
    answer = await reporting.http.get(address, headers=reporting.coordinator)

    assert await reporting.refused(answer, 400) == set()


async def test_a_search_is_a_single_line_of_text(reporting: Reporting) -> None:
    answer = await reporting.http.get("/institutions", params={"q": NEXT_LINE}, headers=reporting.coordinator)

    assert await reporting.refused(answer) == {"query.q"}


@pytest.mark.parametrize(
    "roles", [None, {"coordinator": 1}, "coordinator"], ids=["roles-null", "roles-object", "roles-string"]
)
@pytest.mark.parametrize("address", ["/figures/headline", "/countries/MX/report", "/institutions"])
async def test_roles_of_another_shape_are_a_401_on_public_and_staff_figures_alike(
    reporting: Reporting, roles: object, address: str
) -> None:
    answer = await reporting.http.get(address, headers=reporting.forged(roles=roles))

    assert await reporting.refused(answer, 401) == set()


async def test_a_forwarded_for_that_rotates_does_not_escape_the_limit_of_the_public_figures(
    platform: Platform,
) -> None:
    # An address of its own on the loopback network, so that no other test shares its bucket.
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.20", limits=httpx.Limits(max_connections=50))
    async with httpx.AsyncClient(base_url=platform.url("reporting"), transport=transport, timeout=60) as http:
        answers = await asyncio.gather(
            *(
                http.get("/figures/headline", headers={"X-Forwarded-For": f"198.51.100.{i % 250}"})
                for i in range(150)
            )
        )

    statuses = [answer.status_code for answer in answers]
    assert set(statuses) <= {200, 429}
    assert 429 in statuses, "every request was served although each claimed another address"
