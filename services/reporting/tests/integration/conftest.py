"""Fixtures of reporting's integration tests: a migrated database, fresh projection schemas, applying events."""

from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from ibermuseos_platform.testing.postgres import TestDatabases, migrate
from ibermuseos_reporting.adapters.schemas import create_projection_schema, new_schema_name
from ibermuseos_reporting.adapters.store import apply_live
from ibermuseos_reporting.domain.projections import project
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SERVICE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
async def reporting_database(databases: TestDatabases) -> str:
    url = await databases.create("reporting")
    await migrate(url, SERVICE_DIR / "alembic.ini")
    return url


@pytest.fixture
async def engine(reporting_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(reporting_database)
    yield engine
    await engine.dispose()


@pytest.fixture
async def schema(engine: AsyncEngine) -> str:
    """A fresh, empty projection schema."""
    name = new_schema_name()
    async with engine.begin() as connection:
        await create_projection_schema(connection, name)
    return name


@pytest.fixture
def apply(engine: AsyncEngine, schema: str) -> Callable[[Iterable[Any]], Any]:
    """Applies published events to the schema as the live consumer does: each in its own transaction."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def run(published: Iterable[Any]) -> None:
        for item in published:
            async with sessions() as session, session.begin():
                await apply_live(session, schema, project(item.type, item.public), item.time)

    return run


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        yield session


# ------------------------------------------------------------------------- headless chromium

CHROMIUM = "/usr/bin/chromium"


class Page:
    """A page loaded in headless chromium over the DevTools protocol, with every console error it logged."""

    def __init__(self, values: dict[str, Any], errors: list[str]) -> None:
        self.values = values
        self.errors = errors


class Chromium:
    """Debian's chromium, headless, driven through the DevTools protocol (no browser download needed)."""

    def __init__(self, profile: Path) -> None:
        self._profile = profile

    async def open(self, url: str, extract: str, *, timeout: float = 30.0) -> Page:
        """Load `url`, wait until the page says it is ready, and evaluate `extract` (a JS expression giving JSON)."""
        import asyncio
        import json
        import subprocess
        import time

        import httpx
        import websockets

        process = subprocess.Popen(  # noqa: ASYNC220 - starting is instant; the waits below are async
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                f"--user-data-dir={self._profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            port_file = self._profile / "DevToolsActivePort"
            deadline = time.monotonic() + timeout
            while not port_file.exists() or not port_file.read_text().strip():
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError("chromium did not start")
                await asyncio.sleep(0.1)
            port = int(port_file.read_text().split()[0])
            async with httpx.AsyncClient() as client:
                targets = (await client.get(f"http://127.0.0.1:{port}/json/list")).json()
            socket_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
            errors: list[str] = []
            async with websockets.connect(socket_url, max_size=None) as socket:
                counter = 0
                results: dict[int, Any] = {}

                async def call(method: str, **params: Any) -> Any:
                    nonlocal counter
                    counter += 1
                    ident = counter
                    await socket.send(json.dumps({"id": ident, "method": method, "params": params}))
                    while ident not in results:
                        message = json.loads(await asyncio.wait_for(socket.recv(), timeout))
                        if "id" in message:
                            results[message["id"]] = message.get("result", message.get("error"))
                        else:
                            _collect(message, errors)
                    return results.pop(ident)

                await call("Runtime.enable")
                await call("Log.enable")
                await call("Page.enable")
                await call("Page.navigate", url=url)
                state = None
                while time.monotonic() < deadline:
                    evaluated = await call(
                        "Runtime.evaluate", expression="document.body ? document.body.dataset.ready : ''"
                    )
                    state = evaluated["result"].get("value")
                    if state in ("true", "error"):
                        break
                    await asyncio.sleep(0.2)
                assert state == "true", f"the page did not get ready ({state}): {errors}"
                extracted = await call("Runtime.evaluate", expression=extract, returnByValue=True)
                values = json.loads(extracted["result"]["value"])
                # Whatever was logged while extracting.
                await call("Runtime.evaluate", expression="1")
                await call("Browser.close")
            return Page(values, errors)
        finally:
            if process.poll() is None:
                process.terminate()
            try:
                await asyncio.to_thread(process.wait, 10)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait, 10)


def _collect(message: dict[str, Any], errors: list[str]) -> None:
    method, params = message.get("method"), message.get("params", {})
    if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
        errors.append(
            "console: " + " ".join(str(arg.get("value", arg.get("description"))) for arg in params["args"])
        )
    elif method == "Runtime.exceptionThrown":
        errors.append("exception: " + str(params["exceptionDetails"].get("exception", {}).get("description")))
    elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
        errors.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}")


@pytest.fixture
def chromium(tmp_path: Path) -> Chromium:
    import os

    if not os.path.exists(CHROMIUM):
        pytest.fail(
            "the dashboard test needs Debian's chromium: `apt-get install -y chromium` (make test does it)"
        )
    return Chromium(tmp_path / "chromium-profile")
