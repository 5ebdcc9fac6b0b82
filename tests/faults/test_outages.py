"""Fault tests: the four services keep their promises while what they depend on is away.

They run against a broker of their own (a `PrivateBroker`), so that stopping it disturbs no other
test: with Kafka away for 30 s the APIs keep accepting writes, each service writes only a few
log lines about it, and once the broker is back the events written meanwhile go out.
"""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from ibermuseos_platform.dev_issuer import DevIssuer
from ibermuseos_platform.testing.infrastructure import Infrastructure
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.postgres import TestDatabases
from ibermuseos_platform.testing.private_kafka import PrivateBroker, private_broker
from ibermuseos_platform.testing.services import RunningService, start_service
from platform_harness import EXTRA_ENV, REPO, SERVICES, open_run

pytestmark = pytest.mark.integration

OUTAGE_SECONDS = 30
MOST_LOG_LINES = 100


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateBroker]:
    with private_broker(REPO, tmp_path_factory.mktemp("outage-kafka")) as started:
        yield started


@pytest.fixture(scope="module")
async def running(
    broker: PrivateBroker,
    infra: Infrastructure,
    databases: TestDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[dict[str, RunningService], DevIssuer]]:
    issuer = DevIssuer(tmp_path_factory.mktemp("issuer"))
    issuer.write_key_set()
    on_the_private_broker = Infrastructure(broker.bootstrap, infra.postgres_admin_url)
    logs = tmp_path_factory.mktemp("outage-logs")
    services: dict[str, RunningService] = {}
    try:
        for name in SERVICES:
            services[name] = await start_service(
                name,
                repo=REPO,
                infra=on_the_private_broker,
                databases=databases,
                issuer=issuer,
                topic_prefix="outage.",
                logs=logs,
                extra_env=EXTRA_ENV.get(name),
            )
        yield services, issuer
    finally:
        for service in services.values():
            await service.stop()


def log_lines(service: RunningService) -> int:
    return len(service.log.read_bytes().splitlines())


async def test_kafka_away_for_30_seconds_writes_few_log_lines_and_loses_no_write(
    broker: PrivateBroker, running: tuple[dict[str, RunningService], DevIssuer]
) -> None:
    services, issuer = running
    courses = services["courses"].url
    coordinator = {"Authorization": f"Bearer {issuer.token('coord-outage', roles=['coordinator'])}"}
    async with httpx.AsyncClient(timeout=30) as http:
        run_id = await open_run(http, courses, coordinator, starts=datetime.now(UTC) + timedelta(days=3))

        await asyncio.to_thread(broker.stop)
        before = {name: log_lines(service) for name, service in services.items()}
        subject = f"ines-{uuid.uuid4().hex[:6]}"
        participant = {
            "Authorization": "Bearer "
            + issuer.token(
                subject, roles=["participant"], country="CO", name="Inés", email=f"{subject}@museo.example"
            )
        }
        enrolled = await http.post(
            f"{courses}/runs/{run_id}/enrolments",
            json={
                "preferred_language": "es",
                "timezone": "America/Bogota",
                "country": "CO",
                "institution": {"name": "Museo del Oro", "type": "museum", "city": "Bogotá", "country": "CO"},
            },
            headers=participant,
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
