"""Waiting in tests for what happens asynchronously, and controlling the local broker."""

import asyncio
import os
import subprocess
import time
from collections.abc import Awaitable, Callable


async def eventually(
    check: Callable[[], Awaitable[bool]], *, timeout: float = 30.0, what: str = "condition"
) -> None:
    """Wait until `check` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout}s")
        await asyncio.sleep(0.1)


class BrokerControl:
    """Stops and starts the local broker the Makefile provisioned (deploy/local/kafka.sh)."""

    def __init__(self, script: str) -> None:
        self._script = script

    def _run(self, action: str) -> None:
        # The tests reach the broker through KAFKA_BOOTSTRAP_SERVERS; the script would take
        # that for an external broker and refuse to start or stop its own.
        env = {name: value for name, value in os.environ.items() if name != "KAFKA_BOOTSTRAP_SERVERS"}
        result = subprocess.run(
            ["bash", self._script, action], env=env, timeout=180, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"kafka.sh {action} failed: {result.stdout}{result.stderr}")

    async def stop(self) -> None:
        await asyncio.to_thread(self._run, "pause")

    async def start(self) -> None:
        await asyncio.to_thread(self._run, "resume")
