import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from ibermuseos_platform.auth import Role, TokenError, TokenVerifier
from ibermuseos_platform.dev_issuer import DevIssuer
from ibermuseos_platform.settings import AuthSettings


@pytest.fixture
def issuer(tmp_path: Path) -> DevIssuer:
    dev = DevIssuer(tmp_path / "issuer")
    dev.write_key_set()
    return dev


@pytest.fixture
def verifier(issuer: DevIssuer) -> TokenVerifier:
    return TokenVerifier(
        AuthSettings(issuer=issuer.issuer, audience=issuer.audience, jwks_url=issuer.jwks_url)
    )


def test_a_valid_token_gives_subject_roles_and_country(issuer: DevIssuer, verifier: TokenVerifier) -> None:
    token = issuer.token("fp-peru", roles=["focal_point", "not-a-role"], country="PE", name="Rosa")

    principal = verifier.verify(token)

    assert principal.subject == "fp-peru"
    assert principal.roles == {Role.FOCAL_POINT}
    assert principal.country == "PE"
    assert principal.name == "Rosa"


def test_alg_none_is_refused(issuer: DevIssuer, verifier: TokenVerifier) -> None:
    claims = jwt.decode(issuer.token("x", roles=["coordinator"]), options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")

    with pytest.raises(TokenError, match="algorithm 'none' is not accepted"):
        verifier.verify(unsigned)


def test_an_hmac_token_keyed_with_the_public_key_is_refused(
    issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    claims = jwt.decode(issuer.token("x", roles=["coordinator"]), options={"verify_signature": False})
    forged = jwt.encode(claims, key="a" * 32, algorithm="HS256", headers={"kid": "dev-1"})

    with pytest.raises(TokenError, match="algorithm 'HS256' is not accepted"):
        verifier.verify(forged)


def test_a_wrong_issuer_is_refused(issuer: DevIssuer, verifier: TokenVerifier) -> None:
    with pytest.raises(TokenError, match=r"(?i)issuer"):
        verifier.verify(issuer.token("x", roles=[], iss="https://evil.example"))


def test_a_wrong_audience_is_refused(issuer: DevIssuer, verifier: TokenVerifier) -> None:
    with pytest.raises(TokenError, match=r"(?i)audience"):
        verifier.verify(issuer.token("x", roles=[], aud="another-api"))


def test_an_expired_token_is_refused(issuer: DevIssuer, verifier: TokenVerifier) -> None:
    with pytest.raises(TokenError, match="expired"):
        verifier.verify(issuer.token("x", roles=[], ttl_seconds=-120))


def test_a_token_signed_by_an_unknown_key_is_refused(verifier: TokenVerifier) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {
        "iss": "http://127.0.0.1/dev-issuer",
        "aud": "ibermuseos",
        "sub": "x",
        "iat": now,
        "exp": now + 60,
    }

    with pytest.raises(TokenError, match="unknown signing key"):
        verifier.verify(jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "stranger"}))


def test_a_token_signed_by_another_key_under_a_known_id_is_refused(verifier: TokenVerifier) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {
        "iss": "http://127.0.0.1/dev-issuer",
        "aud": "ibermuseos",
        "sub": "x",
        "iat": now,
        "exp": now + 60,
    }

    with pytest.raises(TokenError, match="Signature verification failed"):
        verifier.verify(jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "dev-1"}))


def test_garbage_is_refused(verifier: TokenVerifier) -> None:
    with pytest.raises(TokenError, match="malformed"):
        verifier.verify("not.a.token")
