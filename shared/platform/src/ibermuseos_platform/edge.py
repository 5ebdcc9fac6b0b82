"""The door every request comes through, the same in every service.

In order: a correlation id; the client's address, believed from `X-Forwarded-For` only when the
request came through a trusted proxy; headers too large (431) and control characters in the
address (400) refused before anything reads them; the bearer token verified once (the routes
read the result); a rate limit per client; then, on the way out, security headers on every
response, metrics, and a problem document for any error nothing else answered (503 when the
database is away, never a stack trace, never a dropped connection).
"""

import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi.routing import iter_route_contexts
from opentelemetry import trace
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import logs, tracing
from .auth import TokenError, TokenVerifier
from .metrics import HTTP_LATENCY, HTTP_REQUESTS
from .problems import Problem, problem_response, unexpected_error_response
from .ratelimit import RateLimiter
from .settings import HttpSettings

CORRELATION_HEADER = "X-Correlation-ID"
_CORRELATION = re.compile(r"^[A-Za-z0-9._:\-]{1,100}$")
_CONTROL_BYTES = re.compile(rb"[\x00-\x1f\x7f]")
_UNLIMITED = ("/health/", "/metrics")
_DOCS = ("/docs", "/redoc")

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"
"""JSON, CSV and files: nothing to run, nothing to frame. Pages set their own, with frame-ancestors."""
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "frame-ancestors 'none'"
)
"""FastAPI's documentation pages load Swagger UI and ReDoc from their CDN with an inline script."""

logger = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """The address of whoever sent the request: the peer, unless the peer is a trusted proxy.

    Through trusted proxies, the right-most `X-Forwarded-For` entry that is not itself a trusted
    proxy: entries further left were written by the client and prove nothing.
    """
    if peer is None:
        return "unknown"
    if not _is_trusted(peer, trusted) or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",")]
    for hop in reversed(hops):
        if not _is_address(hop):
            return peer
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0]


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


class Edge:
    """Pure ASGI middleware, outermost of the app's own (see the module's docstring)."""

    def __init__(self, app: ASGIApp, settings: HttpSettings) -> None:
        self.app = app
        self._settings = settings
        self._trusted = [ipaddress.ip_network(network, strict=False) for network in settings.trusted_proxies]
        self._anonymous = RateLimiter(settings.rate_per_second, settings.burst)
        self._signed_in = RateLimiter(settings.signed_in_rate_per_second, settings.signed_in_burst)
        self._staff = RateLimiter(settings.staff_rate_per_second, settings.staff_burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        correlation = headers.get("x-correlation-id", "")
        if not _CORRELATION.match(correlation):
            correlation = str(uuid.uuid4())
        token = logs.correlation_id.set(correlation)
        started = time.perf_counter()
        status = [500]
        path = str(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message.setdefault("headers", [])
                response_headers = MutableHeaders(scope=message)
                _secure(response_headers, path, authorized="authorization" in headers)
                response_headers[CORRELATION_HEADER] = correlation
                if status[0] == 405:
                    response_headers["allow"] = ", ".join(_methods_at(scope["app"], path))
            await send(message)

        try:
            refusal = self._admit(scope, headers)
            if refusal is not None:
                await refusal(scope, receive, send_with_headers)
            else:
                await self._call_app(scope, receive, send_with_headers, correlation, headers)
        finally:
            logs.correlation_id.reset(token)
            route = getattr(scope.get("route"), "path", "unmatched")
            method = str(scope.get("method", ""))
            HTTP_REQUESTS.labels(method, route, str(status[0])).inc()
            HTTP_LATENCY.labels(method, route).observe(time.perf_counter() - started)

    async def _call_app(
        self, scope: Scope, receive: Receive, send: Send, correlation: str, headers: dict[str, str]
    ) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            if tracing.spans_are_read():
                await self.app(scope, receive, tracking_send)  # FastAPI's own server span
            else:
                # Nobody reads spans: the request's trace context goes on (to logs and the outbox)
                # in a span that records nothing.
                span = tracing.unrecorded_span(tracing.context_from(headers.items()))
                with trace.use_span(span, end_on_exit=True):
                    await self.app(scope, receive, tracking_send)
        except Exception as error:
            if started:
                raise
            response = unexpected_error_response(error, correlation)
            if response.status_code >= 500:
                logger.error("request failed: %s", type(error).__name__, exc_info=error)
            else:
                logger.warning("request refused by the database: %s", type(error).__name__)
            await response(scope, receive, send)

    def _admit(self, scope: Scope, headers: dict[str, str]) -> Response | None:
        """A response that refuses the request before the app sees it, or None to let it in."""
        size = sum(len(name) + len(value) for name, value in scope["headers"])
        if size > self._settings.max_header_bytes:
            return problem_response(431, "The request's headers are too large")
        if _CONTROL_BYTES.search(unquote_to_bytes(scope.get("raw_path") or b"")) or _CONTROL_BYTES.search(
            unquote_to_bytes(scope.get("query_string") or b"")
        ):
            return problem_response(400, "The address contains a control character")
        client = scope.get("client")
        address = client_address(client[0] if client else None, headers.get("x-forwarded-for"), self._trusted)
        scope["client"] = (address, client[1] if client else 0)
        state: dict[str, Any] = scope.setdefault("state", {})
        self._verify_token(scope, headers, state)
        if str(scope.get("path", "")).startswith(_UNLIMITED):
            return None
        caller = state.get("caller")
        try:
            if caller is not None and caller.is_staff:
                self._staff.check(f"subject:{caller.subject}")
            elif caller is not None:
                self._signed_in.check(f"subject:{caller.subject}")
            else:
                self._anonymous.check(f"address:{address}")
        except Problem as refused:
            return problem_response(refused.status, refused.title, headers=refused.headers, **refused.extra)
        return None

    def _verify_token(self, scope: Scope, headers: dict[str, str], state: dict[str, Any]) -> None:
        scheme, _, credentials = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not credentials:
            return
        verifier: TokenVerifier | None = getattr(scope["app"].state, "token_verifier", None)
        if verifier is None:
            return
        try:
            state["caller"] = verifier.verify(credentials.strip())
        except TokenError as error:
            state["token_error"] = str(error)


def _methods_at(app: Any, path: str) -> list[str]:
    """Every method some route serves at `path`: a 405's Allow names them all, not one route's."""
    methods: set[str] = set()
    for route in iter_route_contexts(app.routes):
        pattern = getattr(route, "path_regex", None)
        if pattern is not None and pattern.match(path):
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


def _headers(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}


def _secure(headers: MutableHeaders, path: str, *, authorized: bool) -> None:
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    headers.setdefault("content-security-policy", DOCS_CSP if path.startswith(_DOCS) else API_CSP)
    if authorized:
        # What a token unlocked is that person's alone: no shared cache keeps it.
        headers.setdefault("cache-control", "no-store")
