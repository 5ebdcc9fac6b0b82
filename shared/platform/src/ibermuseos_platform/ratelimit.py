"""Rate limits per client: a token bucket in memory, answered with 429 and Retry-After.

In memory means per process: with N replicas a client gets N times the rate, which is the
usual trade for not needing a shared store; put a limiting proxy in front where that matters.
"""

import math
import time
from collections import OrderedDict
from collections.abc import Callable

from fastapi import Request

from .web import Problem


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

    def dependency(self) -> Callable[[Request], None]:
        """A FastAPI dependency limiting by the caller's address."""

        def limit(request: Request) -> None:
            self.check(request.client.host if request.client else "unknown")

        return limit
