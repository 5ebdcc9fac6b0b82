"""The fallback relay takes over after the first fails in a row, and the first gets its chance back after a while."""

from email.message import EmailMessage

import pytest
from ibermuseos_notifications.adapters.mail import RelayChain
from ibermuseos_notifications.application.ports import TemporaryFailure


class FakeRelay:
    def __init__(self, name: str, *, failing: bool) -> None:
        self.name = name
        self.failing = failing
        self.sent = 0

    async def send(self, mail: EmailMessage) -> None:
        if self.failing:
            raise TemporaryFailure(self.name, 421, "down")
        self.sent += 1


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_the_fallback_takes_over_after_consecutive_failures_and_the_primary_is_probed_later() -> None:
    primary, fallback, clock = (
        FakeRelay("primary", failing=True),
        FakeRelay("fallback", failing=False),
        Clock(),
    )
    chain = RelayChain(primary, fallback, failover_after=2, cooldown_seconds=60, clock=clock)  # type: ignore[arg-type]
    for _ in range(2):
        with pytest.raises(TemporaryFailure):
            await chain.send(EmailMessage())
    assert await chain.send(EmailMessage()) == "fallback"
    clock.now = 61
    primary.failing = False
    assert await chain.send(EmailMessage()) == "primary"
    assert await chain.send(EmailMessage()) == "primary"


async def test_a_failed_probe_sends_the_next_mail_to_the_fallback_again() -> None:
    primary, fallback, clock = (
        FakeRelay("primary", failing=True),
        FakeRelay("fallback", failing=False),
        Clock(),
    )
    chain = RelayChain(primary, fallback, failover_after=1, cooldown_seconds=60, clock=clock)  # type: ignore[arg-type]
    with pytest.raises(TemporaryFailure):
        await chain.send(EmailMessage())
    clock.now = 61
    with pytest.raises(TemporaryFailure):
        await chain.send(EmailMessage())  # the probe
    assert await chain.send(EmailMessage()) == "fallback"


async def test_without_a_fallback_the_primary_is_always_used() -> None:
    primary = FakeRelay("primary", failing=True)
    chain = RelayChain(primary, None, failover_after=1)  # type: ignore[arg-type]
    for _ in range(3):
        with pytest.raises(TemporaryFailure):
            await chain.send(EmailMessage())
