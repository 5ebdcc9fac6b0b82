"""Bearer tokens: OIDC JWTs verified against the issuer's key set, their claims read by a model into a Caller."""

import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from ibermuseos_contracts.types import CountryCode
from ibermuseos_kernel.caller import Caller, Role
from ibermuseos_kernel.text import LINE
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictBool, StrictStr, ValidationError

from .problems import Problem
from .settings import AuthSettings

__all__ = ["Caller", "CurrentCaller", "OptionalCaller", "Role", "TokenError", "TokenVerifier", "require"]

MAX_TOKEN_LENGTH = 8192
"""Far above any real ID provider's access token (1-2 KB); a larger one is refused unread."""


class TokenError(Exception):
    """The token is not acceptable; the message says why, without echoing the token."""


class Claims(BaseModel):
    """The claims the platform reads; each is type-checked, so a token cannot smuggle a role in another shape."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    sub: Annotated[str, Field(min_length=1, max_length=255, pattern=LINE)]
    roles: Annotated[list[StrictStr], Field(max_length=32)] = []
    country: CountryCode | None = None
    name: Annotated[str, Field(min_length=1, max_length=300, pattern=LINE)] | None = None
    email: EmailStr | None = None
    email_verified: StrictBool = False

    def caller(self) -> Caller:
        known = {role.value for role in Role}
        return Caller(
            subject=self.sub,
            roles=frozenset(Role(role) for role in self.roles if role in known),
            country=self.country,
            name=self.name,
            email=self.email if self.email_verified else None,
        )


def caller_from_claims(claims: dict[str, Any]) -> Caller:
    try:
        return Claims.model_validate(claims).caller()
    except ValidationError as error:
        fields = sorted({".".join(str(part) for part in problem["loc"][:1]) for problem in error.errors()})
        raise TokenError(f"claims of the wrong shape: {', '.join(fields)}") from None


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
    """Verifies a bearer token: bounded size, fixed algorithms, issuer, audience, expiry, a known key, typed claims."""

    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings
        self._keys = KeySet(settings.jwks_url)

    def verify(self, token: str) -> Caller:
        if len(token) > MAX_TOKEN_LENGTH:
            raise TokenError(f"token longer than {MAX_TOKEN_LENGTH} characters")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenError("malformed token") from None
        algorithm = header.get("alg")
        if not isinstance(algorithm, str):
            raise TokenError("malformed algorithm")
        if algorithm not in self._settings.algorithms:
            raise TokenError(f"algorithm {algorithm[:20]!r} is not accepted")
        key_id = header.get("kid")
        if key_id is not None and not isinstance(key_id, str):
            raise TokenError("malformed key id")
        key = self._keys.key(key_id)
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
        return caller_from_claims(claims)


_bearer = HTTPBearer(auto_error=False, description="An access token of the program's identity provider")


def _unauthorized(detail: str) -> Problem:
    return Problem(401, detail, headers={"WWW-Authenticate": "Bearer"})


async def optional_caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Caller | None:
    """The caller if a token came (a bad token is refused with 401), else None: public endpoints take both."""
    if credentials is None:
        return None
    state = request.state
    if not hasattr(state, "caller") and not hasattr(state, "token_error"):
        verifier: TokenVerifier = request.app.state.token_verifier
        try:
            state.caller = verifier.verify(credentials.credentials)
        except TokenError as error:
            state.token_error = str(error)
    if hasattr(state, "token_error"):
        raise _unauthorized(f"invalid token: {state.token_error}")
    caller: Caller = state.caller
    return caller


async def current_caller(caller: Annotated[Caller | None, Depends(optional_caller)]) -> Caller:
    """The caller, from the bearer token; 401 when there is none or it is not valid."""
    if caller is None:
        raise _unauthorized("a bearer token is required")
    return caller


OptionalCaller = Annotated[Caller | None, Depends(optional_caller)]
CurrentCaller = Annotated[Caller, Depends(current_caller)]


def require(*roles: Role) -> Callable[[Caller], Awaitable[Caller]]:
    """A dependency that lets through callers with one of `roles`, and 403s the rest."""

    async def check(caller: CurrentCaller) -> Caller:
        if not caller.has(*roles):
            raise Problem(403, f"this needs one of the roles: {', '.join(sorted(roles))}")
        return caller

    return check


# The names before the shared edge; kept until every service speaks of a Caller.
Principal = Caller
CurrentPrincipal = CurrentCaller
current_principal = current_caller
