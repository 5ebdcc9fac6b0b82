"""Bearer tokens: OIDC JWTs verified against the issuer's key set, read into a Principal with roles and country."""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .settings import AuthSettings


class Role(StrEnum):
    PARTICIPANT = "participant"
    """A museum worker: applies to grants, enrols in courses (the design's applicant/participant)."""
    FOCAL_POINT = "focal_point"
    EVALUATOR = "evaluator"
    INSTRUCTOR = "instructor"
    COORDINATOR = "coordinator"
    OPERATOR = "operator"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's subject, roles and member country."""

    subject: str
    roles: frozenset[Role]
    country: str | None
    name: str | None = None
    email: str | None = None

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


class TokenError(Exception):
    """The token is not acceptable; the message says why, without echoing the token."""


class KeySet:
    """The issuer's signing keys, from an https JWKS URL or a local file; refreshed at most once a minute on an unknown key id."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._client = (
            None if url.startswith("file://") else jwt.PyJWKClient(url, cache_keys=True, lifespan=3600)
        )

    def key(self, key_id: str | None) -> jwt.PyJWK:
        if self._client is not None:
            try:
                return self._client.get_signing_key(key_id) if key_id else self._client.get_signing_keys()[0]
            except jwt.PyJWKClientError as error:
                raise TokenError(f"unknown signing key: {error}") from None
        stale = time.monotonic() - self._fetched_at > 60
        if not self._keys or (key_id not in self._keys and stale):
            self._load_file()
        if key_id is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        if key_id not in self._keys:
            raise TokenError("unknown signing key")
        return self._keys[key_id]

    def _load_file(self) -> None:
        document = json.loads(Path(self._url.removeprefix("file://")).read_text())
        self._keys = {key["kid"]: jwt.PyJWK(key) for key in document["keys"]}
        self._fetched_at = time.monotonic()


class TokenVerifier:
    """Verifies a bearer token: fixed algorithms, issuer, audience, expiry and a known key."""

    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings
        self._keys = KeySet(settings.jwks_url)

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenError("malformed token") from None
        if header.get("alg") not in self._settings.algorithms:
            raise TokenError(f"algorithm {header.get('alg')!r} is not accepted")
        key = self._keys.key(header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=self._settings.algorithms,
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
                leeway=30,
            )
        except jwt.ExpiredSignatureError:
            raise TokenError("token expired") from None
        except jwt.PyJWTError as error:
            raise TokenError(str(error)) from None
        return principal_from_claims(claims)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    known = {role.value for role in Role}
    roles = frozenset(Role(role) for role in claims.get("roles", []) if role in known)
    country = claims.get("country")
    return Principal(
        subject=str(claims["sub"]),
        roles=roles,
        country=country if isinstance(country, str) else None,
        name=claims.get("name"),
        email=claims.get("email"),
    )


_bearer = HTTPBearer(auto_error=False)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The caller, from the bearer token; 401 when there is none or it is not valid."""
    if credentials is None:
        raise _unauthorized("a bearer token is required")
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        return verifier.verify(credentials.credentials)
    except TokenError as error:
        raise _unauthorized(f"invalid token: {error}") from None


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets through callers with one of `roles`, and 403s the rest."""

    def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has(*roles):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"this needs one of the roles: {', '.join(sorted(roles))}",
            )
        return principal

    return check
