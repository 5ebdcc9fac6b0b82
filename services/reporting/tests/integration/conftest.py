"""Fixtures of reporting's integration tests: a migrated database, fresh projection schemas, applying events."""

import random
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from ibermuseos_platform.dev_issuer import DevIssuer
from ibermuseos_platform.testing.infrastructure import Infrastructure
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.postgres import TestDatabases, migrate
from ibermuseos_platform.testing.services import RunningService, start_service
from ibermuseos_platform.testing.waiting import eventually
from ibermuseos_reporting.adapters.schemas import create_projection_schema, new_schema_name
from ibermuseos_reporting.adapters.store import apply_live
from ibermuseos_reporting.domain.projections import project
from ibermuseos_reporting.entrypoints.rebuild_cli import PUBLIC_TOPICS
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SERVICE_DIR = Path(__file__).resolve().parents[2]
REPO = SERVICE_DIR.parents[1]


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


# ------------------------------------------------------------------ the service as a process


@dataclass
class FedReporting:
    """The reporting service as its own process, its public topics (in a namespace of its own) and a token issuer."""

    service: RunningService
    issuer: DevIssuer
    kafka: KafkaTestClient


@pytest.fixture(scope="session")
def reporting_fed_with(
    infra: Infrastructure,
    databases: TestDatabases,
    topic_prefix: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[Sequence[Any]], AbstractAsyncContextManager[FedReporting]]:
    """Produces the given public events (shuffled), starts reporting and waits until every one is applied.

    Produced first, they reach the live consumer in large batches: hundreds of events apply in seconds,
    where one at a time, each in its own batch, they took a minute on a busy machine."""

    @asynccontextmanager
    async def fed_with(published: Sequence[Any]) -> AsyncIterator[FedReporting]:
        prefix = f"{topic_prefix}reporting-it-{uuid.uuid4().hex[:6]}."
        kafka = KafkaTestClient(infra.kafka_bootstrap, prefix)
        # The publishers create these; here nobody publishes but the test, which must create them first.
        await kafka.create_topics(*PUBLIC_TOPICS)
        shuffled = list(published)
        random.Random(11).shuffle(shuffled)
        for item in shuffled:
            await kafka.produce(item.topic, item.value, key=item.key, headers=item.headers)
        issuer = DevIssuer(tmp_path_factory.mktemp("issuer"))
        issuer.write_key_set()
        service = await start_service(
            "reporting",
            repo=REPO,
            infra=infra,
            databases=databases,
            issuer=issuer,
            topic_prefix=prefix,
            logs=tmp_path_factory.mktemp("reporting-logs"),
            extra_env={
                "REPORTING_RATE_LIMIT__PER_SECOND": "1000",
                "REPORTING_RATE_LIMIT__BURST": "1000",
                "REPORTING_PROJECTIONS__LAG_INTERVAL_SECONDS": "1",
                "REPORTING_PROJECTIONS__MAINTENANCE_INTERVAL_SECONDS": "1",
            },
        )
        try:
            async with httpx.AsyncClient(timeout=30) as http:

                async def applied() -> bool:
                    body = (await http.get(f"{service.url}/freshness")).json()
                    return bool(body["events_applied"] == len(shuffled))

                await eventually(applied, timeout=60, what="every event applied")
            yield FedReporting(service, issuer, kafka)
        finally:
            await service.stop()
            await kafka.close()

    return fed_with


# ------------------------------------------------------------------------- headless chromium

CHROMIUM = "/usr/bin/chromium"


class Page:
    """A page loaded in headless chromium over the DevTools protocol, with every console error it logged."""

    def __init__(self, values: dict[str, Any], errors: list[str], printed: Any = None) -> None:
        self.values = values
        self.errors = errors
        self.printed = printed


class Chromium:
    """Debian's chromium, headless, driven through the DevTools protocol (no browser download needed)."""

    def __init__(self, profile: Path) -> None:
        self._profile = profile

    async def open(
        self,
        url: str,
        extract: str,
        *,
        width: int = 1280,
        height: int = 900,
        screenshot: Path | None = None,
        printed: str | None = None,
        pdf: Path | None = None,
        timeout: float = 30.0,
    ) -> Page:
        """Load `url` in a window `width` CSS pixels wide (a phone's below 600), wait until the page says it is
        ready, evaluate `extract` (a JS expression giving JSON) and save a PNG of the whole page to `screenshot`;
        then, as printed, evaluate `printed` and save the A4 `pdf`."""
        import asyncio
        import base64
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
                metrics = {"deviceScaleFactor": 1, "mobile": width < 600}
                await call("Emulation.setDeviceMetricsOverride", width=width, height=height, **metrics)
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
                if screenshot is not None:
                    full = await call("Runtime.evaluate", expression="document.documentElement.scrollHeight")
                    whole = max(height, int(full["result"]["value"]))
                    await call("Emulation.setDeviceMetricsOverride", width=width, height=whole, **metrics)
                    shot = await call("Page.captureScreenshot", format="png")
                    await asyncio.to_thread(_save, screenshot, base64.b64decode(shot["data"]))
                on_paper = None
                if printed is not None or pdf is not None:
                    await call("Emulation.setEmulatedMedia", media="print")
                if printed is not None:
                    evaluated = await call("Runtime.evaluate", expression=printed, returnByValue=True)
                    on_paper = json.loads(evaluated["result"]["value"])
                if pdf is not None:
                    a4 = {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True}
                    document = await call("Page.printToPDF", **a4)
                    await asyncio.to_thread(_save, pdf, base64.b64decode(document["data"]))
                # Whatever was logged while extracting.
                await call("Runtime.evaluate", expression="1")
                await call("Browser.close")
            return Page(values, errors, on_paper)
        finally:
            if process.poll() is None:
                process.terminate()
            try:
                await asyncio.to_thread(process.wait, 10)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait, 10)


def _save(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


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
