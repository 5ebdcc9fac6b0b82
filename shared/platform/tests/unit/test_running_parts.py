"""A process may run only some parts of its service, so that they can be scaled or measured apart."""

import asyncio

import pytest
from ibermuseos_platform.db import add_platform_tables, new_metadata
from ibermuseos_platform.runtime import Platform, PlatformSettings
from ibermuseos_platform.settings import DatabaseSettings, KafkaSettings, OutboxSettings, PrivacySettings
from pydantic import SecretStr


def platform() -> Platform:
    metadata = new_metadata()
    add_platform_tables(metadata)
    settings = PlatformSettings(
        "parts",
        DatabaseSettings(url=SecretStr("postgresql+asyncpg://nobody@127.0.0.1:1/none")),
        KafkaSettings(bootstrap_servers="127.0.0.1:1"),
        OutboxSettings(),
        PrivacySettings(),
    )
    return Platform(settings, metadata)


async def test_only_the_jobs_named_run_in_the_process() -> None:
    service = platform()
    ran: list[str] = []
    ticked = asyncio.Event()

    async def tick() -> None:
        ran.append("tick")
        ticked.set()

    async def tock() -> None:
        ran.append("tock")

    service.every(3600, tick, name="tick")
    service.every(3600, tock, name="tock")
    service.run_only(["relay", "tick"])

    async with service:
        await ticked.wait()
        running = {task.get_name() for task in asyncio.all_tasks()}

    assert "parts-tick" in running
    assert "parts-tock" not in running
    assert ran == ["tick"]


def test_an_unknown_part_is_refused_with_the_known_ones() -> None:
    service = platform()
    service.every(60, asyncio.sleep, name="delivery")

    with pytest.raises(ValueError, match="unknown parts") as refused:
        service.run_only(["relay", "deliveries"])

    assert "'deliveries'" in str(refused.value)
    assert "'delivery'" in str(refused.value)
