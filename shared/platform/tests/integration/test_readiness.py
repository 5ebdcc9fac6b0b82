"""A service is ready when its database answers; Kafka's state is reported but never takes it out of
its Service (the outbox keeps accepting events). It is alive regardless."""

import asyncio
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from ibermuseos_platform.dev_issuer import DevIssuer
from ibermuseos_platform.runtime import Platform, PlatformSettings
from ibermuseos_platform.service import service_app
from ibermuseos_platform.settings import (
    AuthSettings,
    DatabaseSettings,
    KafkaSettings,
    OutboxSettings,
    PrivacySettings,
    ServiceSettings,
)
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.postgres import TestDatabases
from ibermuseos_platform.testing.probe import probe_metadata
from pydantic import SecretStr

pytestmark = pytest.mark.integration

CLOSED_PORT = "127.0.0.1:9"


class Settings(ServiceSettings):
    log_level: str = "WARNING"


@dataclass
class Container:
    platform: Platform


def app_for(settings: Settings) -> FastAPI:
    def bootstrap(s: Settings) -> Container:
        platform_settings = PlatformSettings(
            "probe", s.database, s.kafka, OutboxSettings(), PrivacySettings()
        )
        return Container(Platform(platform_settings, probe_metadata()))

    return service_app(
        service="probe",
        version="0",
        description="readiness probe",
        settings=settings,
        bootstrap=bootstrap,
        routers=[],
    )


@pytest.fixture
async def database_url(databases: TestDatabases) -> str:
    return await databases.create("readiness")


@pytest.fixture
def auth(tmp_path: Path) -> AuthSettings:
    issuer = DevIssuer(tmp_path)
    issuer.write_key_set()
    return AuthSettings(jwks_url=issuer.jwks_url)


async def ready_response(settings: Settings, *, kafka_started: bool = False) -> httpx.Response:
    """GET /health/ready of a service built from `settings`, started and stopped around the call
    (once its Kafka part has started, if `kafka_started`)."""
    app = app_for(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://probe") as client,
    ):
        if kafka_started:
            await asyncio.wait_for(app.state.container.platform.kafka_started.wait(), 30)
        response = await client.get("/health/ready")
        assert (await client.get("/health/live")).status_code == 200
    return response


async def test_ready_when_database_and_kafka_answer(
    database_url: str, kafka: KafkaTestClient, auth: AuthSettings
) -> None:
    response = await ready_response(
        Settings(database=DatabaseSettings(url=SecretStr(database_url)), kafka=kafka.settings(), auth=auth),
        kafka_started=True,
    )

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "up"}, "reported": {"kafka": "up"}}


async def test_not_ready_without_its_database(kafka: KafkaTestClient, auth: AuthSettings) -> None:
    no_database = DatabaseSettings(url=SecretStr(f"postgresql+asyncpg://nobody@{CLOSED_PORT}/nothing"))

    response = await ready_response(Settings(database=no_database, kafka=kafka.settings(), auth=auth))

    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("down")


async def test_ready_without_kafka_which_it_reports_down(database_url: str, auth: AuthSettings) -> None:
    no_kafka = KafkaSettings(bootstrap_servers=CLOSED_PORT)

    response = await ready_response(
        Settings(database=DatabaseSettings(url=SecretStr(database_url)), kafka=no_kafka, auth=auth)
    )

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "up"}
    assert response.json()["reported"]["kafka"].startswith("down")
