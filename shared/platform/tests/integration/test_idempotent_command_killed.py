"""Fault test: a request with an Idempotency-Key is killed at each step, and its retry gets the one true answer at once.

The request runs in a real OS process: this module, run as a script
(`python test_idempotent_command_killed.py <database url> <key> <step>`), is what the test
starts and SIGKILLs when the process says it has reached the step. The retry then runs in the
test: before the commit nothing happened, so the command runs afresh; after it, the stored
answer comes back. Never "still being processed", never a second effect.
"""

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from ibermuseos_platform.idempotency import IdempotencyKeys
from ibermuseos_platform.testing.postgres import TestDatabases
from ibermuseos_platform.testing.probe import probe_metadata
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

pytestmark = pytest.mark.integration

METADATA = probe_metadata()
KEYS, EFFECTS = METADATA.tables["idempotency_keys"], METADATA.tables["effects"]
CALLER = "ana"
BODY = {"probe": "p-1"}
STEPS = ["claimed", "applied", "answered", "committed"]
"""Key claimed; the command's effect written; its answer stored; the transaction committed."""


def reached(step: str) -> None:
    print(f"at {step}", flush=True)
    time.sleep(600)  # the test kills the process here


def keys_of(engine: AsyncEngine, stop_at: str | None) -> IdempotencyKeys[AsyncSession | None]:
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    def joining(session: AsyncSession) -> AsyncSession:
        if stop_at == "answered":
            event.listen(session.sync_session, "before_commit", lambda _: reached("answered"))
        if stop_at == "committed":
            event.listen(session.sync_session, "after_commit", lambda _: reached("committed"))
        return session

    return IdempotencyKeys(KEYS, sessions, fresh=lambda: None, joining=joining)


async def apply_probe(session: AsyncSession | None, stop_at: str | None) -> tuple[int, dict[str, Any]]:
    assert session is not None, "these requests always carry a key"
    if stop_at == "claimed":
        reached("claimed")
    applied = await session.scalar(
        text(
            "INSERT INTO effects (probe_id, applied) VALUES ('p-1', 1) "
            "ON CONFLICT (probe_id) DO UPDATE SET applied = effects.applied + 1 RETURNING applied"
        )
    )
    if stop_at == "applied":
        reached("applied")
    return 201, {"probe_id": "p-1", "applied": applied}


async def request(
    engine: AsyncEngine, key: str, stop_at: str | None = None
) -> tuple[int, dict[str, Any], str]:
    keys = keys_of(engine, stop_at)
    answer = await keys.run(
        principal=CALLER, key=key, body=BODY, command=lambda session: apply_probe(session, stop_at)
    )
    return answer.status_code, json.loads(bytes(answer.body)), answer.headers["Idempotent-Replayed"]


async def worker(database_url: str, key: str, step: str) -> None:
    engine = create_async_engine(database_url)
    await request(engine, key, step)


@pytest.fixture
async def engine(databases: TestDatabases) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(await databases.create("idempotency"))
    async with engine.begin() as connection:
        await connection.run_sync(METADATA.create_all)
    yield engine
    await engine.dispose()


async def killed_at(engine: AsyncEngine, key: str, step: str) -> None:
    url = engine.url.render_as_string(hide_password=False)
    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, url, key, step, stdout=asyncio.subprocess.PIPE, env={**os.environ}
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    assert line.decode().strip() == f"at {step}"
    process.send_signal(signal.SIGKILL)
    await process.wait()


@pytest.mark.parametrize("step", STEPS)
async def test_a_request_killed_at_any_step_is_answered_truly_when_retried_with_its_key(
    engine: AsyncEngine, step: str
) -> None:
    await killed_at(engine, f"key-{step}", step)

    status, body, replayed = await request(engine, f"key-{step}")
    again = await request(engine, f"key-{step}")

    assert (status, body) == (201, {"probe_id": "p-1", "applied": 1})
    assert replayed == ("true" if step == "committed" else "false")
    assert again == (201, {"probe_id": "p-1", "applied": 1}, "true")
    async with engine.connect() as connection:
        assert await connection.scalar(select(EFFECTS.c.applied)) == 1
        assert await connection.scalar(select(KEYS.c.status_code).where(KEYS.c.key == f"key-{step}")) == 201


async def test_concurrent_retries_wait_for_the_first_and_get_its_answer(engine: AsyncEngine) -> None:
    answers = await asyncio.gather(*(request(engine, "key-concurrent") for _ in range(8)))

    assert {(status, body["applied"]) for status, body, _ in answers} == {(201, 1)}
    assert sorted(replayed for *_, replayed in answers) == ["false"] + ["true"] * 7


if __name__ == "__main__":
    asyncio.run(worker(*sys.argv[1:4]))
