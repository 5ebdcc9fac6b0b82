"""Fault tests: the four services keep their promises while what they depend on is away.

Each runs against a broker or a database server of its own (`PrivateBroker`, `PrivatePostgres`),
so that stopping it disturbs no other test. With Kafka away for 30 s the APIs keep accepting
writes, each service writes only a few log lines about it, and once the broker is back the
events written meanwhile go out. With PostgreSQL away every service answers 503 problem+json
with Retry-After (never a bare 500, never a dropped connection), and answers again once it is back.
"""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from ibermuseos_platform.testing.infrastructure import Infrastructure
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.postgres import TestDatabases
from ibermuseos_platform.testing.private_kafka import PrivateBroker, private_broker
from ibermuseos_platform.testing.private_postgres import PrivatePostgres, private_postgres
from ibermuseos_platform.testing.services import RunningService
from ibermuseos_platform.testing.waiting import eventually
from platform_harness import REPO, SERVICES, Platform, open_run, running_platform

pytestmark = pytest.mark.integration

OUTAGE_SECONDS = 30
MOST_LOG_LINES = 100
READS_ITS_DATABASE = {
    "applications": ("/applications", "participant"),
    "courses": ("/enrolments", "participant"),
    "notifications": ("/inbox", "participant"),
    "reporting": ("/institutions", "coordinator"),
}
"""A route of each service that reads its database, and a role that may call it."""


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateBroker]:
    with private_broker(REPO, tmp_path_factory.mktemp("outage-kafka")) as started:
        yield started


@pytest.fixture(scope="module")
async def on_their_own_broker(
    broker: PrivateBroker,
    infra: Infrastructure,
    databases: TestDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Platform]:
    async with running_platform(
        tmp_path_factory.mktemp("kafka-outage"),
        infra=Infrastructure(broker.bootstrap, infra.postgres_admin_url),
        databases=databases,
        topic_prefix="outage.",
    ) as running:
        yield running


@pytest.fixture(scope="module")
def database_server() -> Iterator[PrivatePostgres]:
    with private_postgres() as server:
        yield server


@pytest.fixture(scope="module")
async def on_their_own_database(
    database_server: PrivatePostgres,
    infra: Infrastructure,
    topic_prefix: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Platform]:
    async with running_platform(
        tmp_path_factory.mktemp("database-outage"),
        infra=Infrastructure(infra.kafka_bootstrap, database_server.admin_url),
        databases=database_server.databases,
        topic_prefix=f"{topic_prefix}database-outage.",
    ) as running:
        yield running


def log_lines(service: RunningService) -> int:
    return len(service.log.read_bytes().splitlines())


async def test_kafka_away_for_30_seconds_writes_few_log_lines_and_loses_no_write(
    broker: PrivateBroker, on_their_own_broker: Platform
) -> None:
    platform = on_their_own_broker
    services, http, courses = platform.services, platform.http, platform.url("courses")
    _, run_id = await open_run(
        http,
        courses,
        platform.token("coord-outage", "coordinator"),
        starts=datetime.now(UTC) + timedelta(days=3),
    )

    await asyncio.to_thread(broker.stop)
    before = {name: log_lines(service) for name, service in services.items()}
    subject = f"ines-{uuid.uuid4().hex[:6]}"
    enrolled = await http.post(
        f"{courses}/runs/{run_id}/enrolments",
        json={
            "preferred_language": "es",
            "timezone": "America/Bogota",
            "country": "CO",
            "institution": {"name": "Museo del Oro", "type": "museum", "city": "Bogotá", "country": "CO"},
        },
        headers=platform.token(
            subject, "participant", country="CO", name="Inés", email=f"{subject}@museo.example"
        ),
    )
    await asyncio.sleep(OUTAGE_SECONDS)
    during = {name: log_lines(service) - before[name] for name, service in services.items()}
    await asyncio.to_thread(broker.start)

    assert enrolled.status_code == 201, enrolled.text
    print(json.dumps({"log lines while Kafka was away": during}))
    assert all(lines < MOST_LOG_LINES for lines in during.values()), during
    enrolment_id = enrolled.json()["id"]
    kafka = KafkaTestClient(broker.bootstrap, "outage.")
    try:
        records = await kafka.read(
            "public.courses.enrolment.v1",
            until=lambda got: any(json.loads(r.value).get("enrolment_id") == enrolment_id for r in got),
            timeout=90,
        )
    finally:
        await kafka.close()
    assert any(json.loads(record.value).get("enrolment_id") == enrolment_id for record in records)


async def test_postgresql_away_is_a_503_problem_with_retry_after_and_the_services_answer_again(
    database_server: PrivatePostgres, on_their_own_database: Platform
) -> None:
    platform = on_their_own_database

    async def reads() -> dict[str, httpx.Response]:
        return {
            name: await platform.http.get(
                platform.url(name) + path, headers=platform.token(f"{role}-pg", role, country="MX")
            )
            for name, (path, role) in READS_ITS_DATABASE.items()
        }

    before = await reads()
    await asyncio.to_thread(database_server.stop)
    during = await reads()
    alive = {
        name: (await platform.http.get(platform.url(name) + "/health/live")).status_code for name in SERVICES
    }
    await asyncio.to_thread(database_server.start)

    async def all_answer_again() -> bool:
        return all(answer.status_code == 200 for answer in (await reads()).values())

    await eventually(all_answer_again, timeout=60, what="every service answering once PostgreSQL is back")
    assert {name: answer.status_code for name, answer in before.items()} == dict.fromkeys(SERVICES, 200)
    for name, answer in during.items():
        assert answer.status_code == 503, (name, answer.text)
        assert answer.headers["content-type"] == "application/problem+json", name
        assert int(answer.headers["Retry-After"]) >= 1, name
        assert answer.json()["correlation_id"], name
    assert alive == dict.fromkeys(SERVICES, 200)
