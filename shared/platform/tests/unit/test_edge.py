"""The edge every service shares: what it refuses before a route runs, and what every answer carries."""

import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import jwt
import pytest
import sqlalchemy.exc
from fastapi import APIRouter, FastAPI
from ibermuseos_kernel.errors import Conflict, Forbidden, Invalid, Issue, NotFound, TooLarge
from ibermuseos_platform.auth import Caller, CurrentCaller, OptionalCaller, Role, TokenVerifier
from ibermuseos_platform.dev_issuer import DevIssuer
from ibermuseos_platform.edge import client_address
from ibermuseos_platform.settings import AuthSettings, HttpSettings
from ibermuseos_platform.web import create_app

PROXY = "10.1.2.3"


@pytest.fixture
def issuer(tmp_path: Path) -> DevIssuer:
    dev = DevIssuer(tmp_path / "issuer")
    dev.write_key_set()
    return dev


class DatabaseAway(Exception):
    pass


def probe_routes() -> APIRouter:
    router = APIRouter()

    @router.get("/me")
    async def me(caller: CurrentCaller) -> dict[str, object]:
        return {"subject": caller.subject, "roles": sorted(caller.roles), "email": caller.email}

    @router.get("/public")
    async def public(caller: OptionalCaller) -> dict[str, object]:
        return {"signed_in": caller is not None}

    @router.get("/refused/{kind}")
    async def refused(kind: str) -> None:
        raise {
            "invalid": Invalid("Bad", [Issue("body.name", "empty")]),
            "too-large": TooLarge("Big", [Issue("file", "over 10 MB")]),
            "conflict": Conflict("Closed", code="call_closed"),
            "busy": Conflict("Changed meanwhile", code="concurrent_change", retry_after_seconds=1),
            "not-found": NotFound(),
            "forbidden": Forbidden("Not yours"),
        }[kind]

    @router.get("/bug")
    async def bug() -> None:
        raise RuntimeError("secret internals /srv/app.py line 3")

    @router.get("/database-away")
    async def database_away() -> None:
        raise sqlalchemy.exc.InterfaceError("SELECT 1", {}, DatabaseAway(), connection_invalidated=True)

    return router


def app_with(issuer: DevIssuer, http: HttpSettings | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield

    app = create_app(
        title="probe",
        version="0",
        description="",
        lifespan=lifespan,
        routers=[probe_routes()],
        asyncapi={},
        http=http or HttpSettings(trusted_proxies=[f"{PROXY}/32"]),
    )
    app.state.token_verifier = TokenVerifier(
        AuthSettings(issuer=issuer.issuer, audience=issuer.audience, jwks_url=issuer.jwks_url)
    )
    return app


def client(app: FastAPI, peer: str = "192.0.2.10") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(peer, 4000)),
        base_url="http://edge.test",
    )


def forged(issuer: DevIssuer, **claims: object) -> str:
    valid = jwt.decode(issuer.token("ana", roles=["participant"]), options={"verify_signature": False})
    return issuer.sign({**valid, **claims})


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("roles", None),
        ("roles", {"coordinator": 1}),
        ("roles", "coordinator"),
        ("roles", [["coordinator"]]),
        ("sub", "ana\x00"),
        ("name", "Evil\r\nBcc: victim@evil.example"),
        ("country", "Mars"),
        ("email_verified", "yes"),
    ],
)
async def test_claims_of_the_wrong_shape_are_refused_with_401(
    issuer: DevIssuer, claim: str, value: object
) -> None:
    async with client(app_with(issuer)) as http:
        answer = await http.get(
            "/me", headers={"Authorization": f"Bearer {forged(issuer, **{claim: value})}"}
        )

    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert claim in answer.json()["title"]


async def test_the_email_counts_only_when_the_identity_provider_verified_it(issuer: DevIssuer) -> None:
    unverified = issuer.token("ana", roles=["participant"], email="ana@example.org", email_verified=False)
    verified = issuer.token("ana", roles=["participant"], email="ana@example.org", email_verified=True)

    async with client(app_with(issuer)) as http:
        without = await http.get("/me", headers={"Authorization": f"Bearer {unverified}"})
        with_ = await http.get("/me", headers={"Authorization": f"Bearer {verified}"})

    assert without.json()["email"] is None
    assert with_.json()["email"] == "ana@example.org"


async def test_a_huge_token_is_refused_unread_and_huge_headers_get_431(issuer: DevIssuer) -> None:
    async with client(app_with(issuer)) as http:
        long_token = await http.get("/me", headers={"Authorization": "Bearer " + "a" * 9000})
        huge_header = await http.get("/me", headers={"Authorization": "Bearer " + "a" * 8_000_000})

    assert long_token.status_code == 401
    assert "longer than" in long_token.json()["title"]
    assert huge_header.status_code == 431
    assert huge_header.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("address", ["/public?q=a%00b", "/refused/a%00b", "/public?q=%0d%0aSet-Cookie:x"])
async def test_a_control_character_in_the_address_is_refused_with_400(
    issuer: DevIssuer, address: str
) -> None:
    async with client(app_with(issuer)) as http:
        answer = await http.get(address)

    assert answer.status_code == 400
    assert answer.json()["title"] == "The address contains a control character"


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("invalid", 422),
        ("too-large", 413),
        ("conflict", 409),
        ("busy", 409),
        ("not-found", 404),
        ("forbidden", 403),
    ],
)
async def test_each_kind_of_refusal_has_one_status_everywhere(
    issuer: DevIssuer, kind: str, status: int
) -> None:
    async with client(app_with(issuer)) as http:
        answer = await http.get(f"/refused/{kind}")

    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["status"] == status
    if kind == "invalid":
        assert body["errors"] == [{"field": "body.name", "problem": "empty"}]
    if kind == "conflict":
        assert body["code"] == "call_closed"
        assert "Retry-After" not in answer.headers
    if kind == "busy":
        assert answer.headers["Retry-After"] == "1"


async def test_an_unexpected_error_is_a_problem_with_the_correlation_id_and_no_internals(
    issuer: DevIssuer,
) -> None:
    async with client(app_with(issuer)) as http:
        answer = await http.get("/bug", headers={"X-Correlation-ID": "req-42"})

    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["correlation_id"] == "req-42"
    assert answer.headers["X-Correlation-ID"] == "req-42"
    assert "secret" not in answer.text
    assert "RuntimeError" not in answer.text


async def test_a_database_that_is_away_gives_503_with_retry_after(issuer: DevIssuer) -> None:
    async with client(app_with(issuer)) as http:
        answer = await http.get("/database-away")

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["retry_after_seconds"] == 5


async def test_a_correlation_id_that_could_carry_anything_is_replaced(issuer: DevIssuer) -> None:
    async with client(app_with(issuer)) as http:
        answer = await http.get("/public", headers={"X-Correlation-ID": "x" * 101})

    assert answer.headers["X-Correlation-ID"] != "x" * 101
    assert len(answer.headers["X-Correlation-ID"]) == 36


@pytest.mark.parametrize("path", ["/public", "/refused/not-found", "/bug", "/nowhere"])
async def test_every_answer_carries_the_security_headers(issuer: DevIssuer, path: str) -> None:
    async with client(app_with(issuer)) as http:
        answer = await http.get(path)

    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Referrer-Policy"] == "no-referrer"


async def test_what_a_token_unlocked_is_never_cached(issuer: DevIssuer) -> None:
    token = issuer.token("ana", roles=["participant"])
    async with client(app_with(issuer)) as http:
        signed_in = await http.get("/me", headers={"Authorization": f"Bearer {token}"})
        public = await http.get("/public")

    assert signed_in.headers["Cache-Control"] == "no-store"
    assert "Cache-Control" not in public.headers


def limited(issuer: DevIssuer) -> FastAPI:
    return app_with(
        issuer,
        HttpSettings(
            trusted_proxies=[f"{PROXY}/32"],
            rate_per_second=0.001,
            burst=3,
            signed_in_rate_per_second=0.001,
            signed_in_burst=3,
            staff_burst=30,
        ),
    )


async def served(http: httpx.AsyncClient, count: int, headers: list[dict[str, str]]) -> int:
    statuses = [
        (await http.get("/public", headers=headers[i % len(headers)])).status_code for i in range(count)
    ]
    assert set(statuses) <= {200, 429}
    return statuses.count(200)


async def test_a_forged_forwarded_for_from_an_untrusted_peer_does_not_escape_the_limit(
    issuer: DevIssuer,
) -> None:
    rotating = [{"X-Forwarded-For": f"203.0.113.{i}"} for i in range(10)]
    async with client(limited(issuer), peer="127.0.0.1") as http:
        assert await served(http, 10, rotating) == 3


async def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(issuer: DevIssuer) -> None:
    async with client(limited(issuer), peer=PROXY) as http:
        first = await served(http, 5, [{"X-Forwarded-For": "198.51.100.1"}])
        second = await served(http, 5, [{"X-Forwarded-For": "spoofed, 198.51.100.2"}])

    assert (first, second) == (3, 3)


async def test_signed_in_people_are_counted_by_subject_and_staff_have_their_own_limit(
    issuer: DevIssuer,
) -> None:
    ana = {"Authorization": f"Bearer {issuer.token('ana', roles=['participant'])}"}
    bea = {"Authorization": f"Bearer {issuer.token('bea', roles=['participant'])}"}
    coordinator = {"Authorization": f"Bearer {issuer.token('co', roles=['coordinator'])}"}
    async with client(limited(issuer)) as http:
        participants = await served(http, 10, [ana, bea])
        staff = await served(http, 20, [coordinator])

    assert participants == 6
    assert staff == 20


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        ("192.0.2.1", "203.0.113.9", "192.0.2.1"),
        (PROXY, "203.0.113.9", "203.0.113.9"),
        (PROXY, "203.0.113.66, 203.0.113.9", "203.0.113.9"),
        (PROXY, "203.0.113.9, 10.1.2.3", "203.0.113.9"),
        (PROXY, "not-an-address", PROXY),
        (PROXY, None, PROXY),
    ],
)
def test_the_client_is_the_right_most_address_no_trusted_proxy_wrote(
    peer: str, forwarded_for: str | None, client: str
) -> None:
    assert client_address(peer, forwarded_for, [ipaddress.ip_network(f"{PROXY}/32")]) == client


def test_a_caller_is_staff_by_any_staff_role() -> None:
    assert Caller("c", frozenset({Role.FOCAL_POINT})).is_staff
    assert not Caller("p", frozenset({Role.PARTICIPANT})).is_staff
