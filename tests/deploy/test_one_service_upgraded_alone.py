"""One service upgraded on its own while the others run, then rolled back: courses gets a release with an
expand-only migration and an optional field added to ParticipantEnrolled v1, while people keep enrolling;
notifications and reporting, still on their old images, keep consuming. Nothing is lost either way, no other
container is touched, and the old release's migrations refuse to run against the newer schema."""

import json

import pytest
from container_harness import database_revision, image, migrate
from deployment_harness import CoursesTraffic, Deployment
from ibermuseos_contracts import dead_letter_topic
from ibermuseos_platform.testing.kafka import KafkaTestClient
from next_release import ADDED_FIELD, build_next_courses_image

pytestmark = pytest.mark.deploy

OTHERS = ("applications", "notifications", "reporting")


async def replace(deployment: Deployment, service: str, image_name: str) -> int:
    """Stop the service's container (SIGTERM) and start `image_name` in its place; returns the old one's exit code."""
    old = deployment.containers[service]
    exit_code = await old.stop()
    await old.remove()
    await deployment.start(service, image_name, port=old.port)
    return exit_code


async def test_courses_upgraded_and_rolled_back_alone_under_traffic_loses_nothing(
    deployment: Deployment, deployment_topics: KafkaTestClient, tmp_path_factory: pytest.TempPathFactory
) -> None:
    next_image = build_next_courses_image(tmp_path_factory.mktemp("courses-next"))
    others = {service: deployment.containers[service].state()["StartedAt"] for service in OTHERS}
    database = deployment.database_urls["courses"]
    traffic = CoursesTraffic(deployment)
    await traffic.open_run()

    async with traffic.flowing():
        await traffic.until_enrolled(5)
        # The release: its migrations first (the Job), while the old release still serves; then its image.
        migrated = migrate(next_image, "courses", database)
        assert migrated.returncode == 0, migrated.stderr
        stopped_old = await replace(deployment, "courses", next_image)
        await traffic.until_enrolled(len(traffic.enrolments) + 10)
        # The rollback: the old image back, its migrations not run (the expanded schema suits it).
        stopped_new = await replace(deployment, "courses", image("courses"))
        await traffic.until_enrolled(len(traffic.enrolments) + 10)

    assert (stopped_old, stopped_new) == (0, 0)
    await traffic.everyone_mailed_and_counted()
    enrolled = set(traffic.enrolments.values())
    events = {
        record.value: json.loads(record.value)
        for record in await deployment_topics.read(
            "courses.enrolment.v1",
            until=lambda records: enrolled <= {json.loads(r.value)["enrolment_id"] for r in records},
        )
    }
    ours = [event for event in events.values() if event["enrolment_id"] in enrolled]
    assert {event["enrolment_id"] for event in ours} == enrolled
    by_next = [event for event in ours if event.get(ADDED_FIELD) == "web"]
    assert 0 < len(by_next) < len(ours)  # the new shape was published, and consumed by the old consumers
    for topic in ("courses.enrolment.v1", "public.courses.enrolment.v1"):
        letters = await deployment_topics.read(dead_letter_topic(topic), until=lambda records: True, settle=1)
        assert [r for r in letters if json.loads(r.value or b"{}").get("enrolment_id") in enrolled] == []
    assert {service: deployment.containers[service].state()["StartedAt"] for service in OTHERS} == others
    # A downgrade by the old release's migrations is refused and changes nothing.
    assert migrate(image("courses"), "courses", database).returncode != 0
    assert await database_revision(database) == "next"
    print(
        f"upgrade and rollback under traffic: {len(ours)} enrolments, {len(by_next)} by the next release "
        f"with '{ADDED_FIELD}', each mailed once and counted once; the other three untouched"
    )
