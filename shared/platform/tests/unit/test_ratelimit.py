import pytest
from ibermuseos_platform.ratelimit import RateLimiter
from ibermuseos_platform.web import Problem


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_the_next_request_waits_with_retry_after() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=0.5, burst=3, clock=clock)

    for _ in range(3):
        limiter.check("client")
    with pytest.raises(Problem) as refused:
        limiter.check("client")

    assert refused.value.status == 429
    assert refused.value.headers["Retry-After"] == "2"


def test_tokens_come_back_with_time_and_clients_are_independent() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=1, burst=1, clock=clock)
    limiter.check("a")
    limiter.check("b")

    clock.now = 1.0

    limiter.check("a")
    with pytest.raises(Problem):
        limiter.check("a")
