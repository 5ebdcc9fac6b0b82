"""Rate limits per client: a token bucket in memory, answered with 429 and Retry-After.

A client is the signed-in person (the token's subject) or, without a valid token, the address
the request came from (through trusted proxies only; see `edge`). In memory means per process:
with N replicas a client gets N times the rate, the usual trade for not needing a shared store.
"""

import math
import time
from collections import OrderedDict
from collections.abc import Callable

from fastapi import Request
from ibermuseos_kernel.caller import Caller

from .problems import Problem


class RateLimiter:
    """Allows `rate` requests per second per client, in bursts of up to `burst`."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = rate
        self._burst = burst
        self._clock = clock
        self._max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def check(self, client: str) -> None:
        """Take a token for `client`, or raise 429 with how long to wait."""
        now = self._clock()
        tokens, updated = self._buckets.pop(client, (float(self._burst), now))
        tokens = min(float(self._burst), tokens + (now - updated) * self._rate)
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            wait = math.ceil((1 - tokens) / self._rate)
            raise Problem(
                429, "Too many requests", headers={"Retry-After": str(wait)}, retry_after_seconds=wait
            )
        self._buckets[client] = (tokens - 1, now)
        while len(self._buckets) > self._max_clients:
            self._buckets.popitem(last=False)

    def admit(self, request: Request) -> None:
        """A public endpoint's own limit (also a FastAPI dependency): staff pass, everyone else is counted."""
        caller = caller_of(request)
        if caller is None or not caller.is_staff:
            self.check(client_identity(request))


def caller_of(request: Request) -> Caller | None:
    """The caller whose token the edge verified, if the request carried a valid one."""
    caller = getattr(request.state, "caller", None)
    return caller if isinstance(caller, Caller) else None


def client_identity(request: Request) -> str:
    """Whom a limit counts: the signed-in person, else the client's address."""
    caller = caller_of(request)
    if caller is not None:
        return f"subject:{caller.subject}"
    return f"address:{request.client.host if request.client else 'unknown'}"
