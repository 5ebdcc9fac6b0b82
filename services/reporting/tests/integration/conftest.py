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
from ibermuseos_platform.testing.browser import Chromium
from ibermuseos_platform.testing.infrastructure import Infrastructure
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.postgres import TestDatabases, migrate
from ibermuseos_platform.testing.services import Launcher, RunningService
from ibermuseos_platform.testing.waiting import eventually
from ibermuseos_reporting.adapters.schemas import create_projection_schema, new_schema_name
from ibermuseos_reporting.adapters.store import apply_live
from ibermuseos_reporting.domain.projections import project
from ibermuseos_reporting.entrypoints.rebuild_cli import PUBLIC_TOPICS
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


# ------------------------------------------------------------------ the service as a process


@dataclass
class FedReporting:
    """The reporting service as its own process, its public topics (in a namespace of its own) and a token issuer."""

    service: RunningService
    issuer: DevIssuer
    kafka: KafkaTestClient


@pytest.fixture(scope="session")
def reporting_fed_with(
    launcher: Launcher, infra: Infrastructure, topic_prefix: str
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
        service = await launcher.start(
            "reporting",
            topic_prefix=prefix,
            extra_env={
                "REPORTING_RATE_LIMIT__RATE_PER_SECOND": "1000",
                "REPORTING_RATE_LIMIT__BURST": "1000",
                # A browser loading page after page from one address (each page asks ~30 things) is no attack.
                "REPORTING_HTTP__RATE_PER_SECOND": "1000",
                "REPORTING_HTTP__BURST": "1000",
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
            yield FedReporting(service, launcher.issuer, kafka)
        finally:
            await service.stop()
            await kafka.close()

    return fed_with


# ------------------------------------------------------------------------- headless chromium


@pytest.fixture(scope="module")
async def browser(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Chromium]:
    """Debian's headless chromium (`make chromium` installs it), one for the pages of a module."""
    async with Chromium.started(tmp_path_factory.mktemp("chromium-profile")) as started:
        yield started
