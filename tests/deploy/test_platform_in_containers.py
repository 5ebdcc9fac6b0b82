"""The platform as its images: an enrolment made through the courses container reaches its participant as
mail (from the notifications container) and the program's figures (in the reporting container); a container
stopped with SIGTERM while people keep enrolling stops by itself and loses nothing."""

import time

import pytest
from deployment_harness import CoursesTraffic, Deployment

pytestmark = pytest.mark.deploy


async def test_an_enrolment_through_the_containers_gives_its_mail_and_its_figure(
    deployment: Deployment,
) -> None:
    traffic = CoursesTraffic(deployment)
    await traffic.open_run()

    await traffic.enrol(f"lucia-{traffic.tag}")

    await traffic.everyone_mailed_and_counted()
    assert await traffic.enrolments_in_reporting() == 1


@pytest.mark.parametrize("stopped", ["courses", "notifications"])
async def test_a_container_stopped_with_sigterm_mid_traffic_stops_by_itself_and_loses_nothing(
    deployment: Deployment, stopped: str
) -> None:
    traffic = CoursesTraffic(deployment)
    await traffic.open_run()
    container = deployment.containers[stopped]
    async with traffic.flowing():
        await traffic.until_enrolled(10)
        began = time.monotonic()
        exit_code = await container.stop(grace_seconds=20)
        stopped_in = time.monotonic() - began
        accepted_before_restart = len(traffic.enrolments)
        await container.remove()
        await deployment.start(stopped, container.image, port=container.port)
        await traffic.until_enrolled(accepted_before_restart + 10)

    # 0, not 137: it finished its requests and batches and exited before the engine had to kill it.
    assert exit_code == 0, container.logs()
    await traffic.everyone_mailed_and_counted()
    assert len(set(traffic.enrolments.values())) == len(traffic.enrolments)
    print(
        f"{stopped}: stopped in {stopped_in:.1f}s; {len(traffic.enrolments)} enrolments, each mailed once and counted once"
    )
