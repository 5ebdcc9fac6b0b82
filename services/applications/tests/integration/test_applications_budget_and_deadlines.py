"""The handlers on the real database with a controlled clock: deadlines decided by the clock, lapsed awards,
and the budget kept under concurrent declines and releases (row lock on the call)."""

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from ibermuseos_applications.adapters.tables import calls
from ibermuseos_applications.application import applications as submitting
from ibermuseos_applications.application import calls as calling
from ibermuseos_applications.application import decisions
from ibermuseos_applications.domain.applications import Status
from ibermuseos_applications.domain.calls import CallStatus
from ibermuseos_kernel.errors import Conflict
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

pytestmark = pytest.mark.integration


async def proposed_call(world):
    """A call of 3000 with four requests of 1500 scored 9, 8, 7, 6: two awards, then a waitlist of two."""
    return await world.proposed_call([9, 8, 7, 6])


async def test_the_clock_refuses_a_late_submission_before_the_closing_job_has_run(world) -> None:
    call_id = await world.open_call()
    on_time = await world.submit(call_id, world.person(0))
    late = world.person(1)
    draft_id = await world.draft(call_id, late, "PE")
    world.clock.moment = datetime(2027, 3, 1, tzinfo=UTC)

    with pytest.raises(Conflict) as refused:
        await submitting.submit_application(
            submitting.SubmitApplication(draft_id, late), world.uow(), world.clock
        )

    assert refused.value.code == "call_closed"
    assert (await world.call(call_id)).status is CallStatus.OPEN
    assert await world.status_of(on_time) is Status.ELIGIBLE


async def test_the_closing_job_closes_calls_past_their_deadline_once(world) -> None:
    call_id = await world.open_call()
    await world.submit(call_id, world.person(0))
    world.clock.moment = datetime(2027, 2, 28, 23, 59, tzinfo=UTC)
    assert call_id not in await calling.close_due_calls(world.uow, world.clock)

    world.clock.moment = datetime(2027, 3, 1, 0, 0, 30, tzinfo=UTC)
    assert call_id in await calling.close_due_calls(world.uow, world.clock)
    assert call_id not in await calling.close_due_calls(world.uow, world.clock)

    assert (await world.keys("CallClosed")).count(str(call_id)) == 1


async def test_concurrent_releases_publish_the_results_once(world) -> None:
    call_id, applications = await proposed_call(world)

    outcomes = await asyncio.gather(
        *(
            decisions.release_results(
                decisions.ReleaseResults(call_id, world.coordinator), world.uow(), world.clock
            )
            for _ in range(2)
        ),
        return_exceptions=True,
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Conflict", "Standing"]
    ours = {str(a) for _, a in applications}
    awarded = [key for key in await world.keys("GrantAwarded") if key in ours]
    assert sorted(awarded) == sorted(str(a) for _, a in applications[:2])
    assert (await world.call(call_id)).committed == Decimal(3000)


async def test_concurrent_declines_each_promote_a_different_waitlisted_application(world) -> None:
    call_id, applications = await proposed_call(world)
    await decisions.release_results(
        decisions.ReleaseResults(call_id, world.coordinator), world.uow(), world.clock
    )
    (first, first_id), (second, second_id), (_, third_id), (_, fourth_id) = applications

    await asyncio.gather(
        decisions.decline_grant(decisions.DeclineGrant(first_id, first), world.uow(), world.clock),
        decisions.decline_grant(decisions.DeclineGrant(second_id, second), world.uow(), world.clock),
    )

    assert [await world.status_of(a) for a in (first_id, second_id, third_id, fourth_id)] == [
        Status.DECLINED,
        Status.DECLINED,
        Status.AWARDED,
        Status.AWARDED,
    ]
    assert (await world.call(call_id)).committed == Decimal(3000)
    ours = {str(a) for _, a in applications}
    awarded = [key for key in await world.keys("GrantAwarded") if key in ours]
    assert sorted(awarded) == sorted(ours)


async def test_an_unanswered_award_lapses_and_the_waitlist_moves(world) -> None:
    call_id, applications = await proposed_call(world)
    await decisions.release_results(
        decisions.ReleaseResults(call_id, world.coordinator), world.uow(), world.clock
    )
    (first, first_id), _, (_, third_id), _ = applications
    await decisions.accept_grant(decisions.AcceptGrant(first_id, first), world.uow(), world.clock)

    ours = {a for _, a in applications}
    world.clock.moment = world.start + timedelta(days=14)
    assert ours.isdisjoint(await decisions.lapse_due_awards(world.uow, world.clock))
    world.clock.moment = world.start + timedelta(days=14, seconds=1)
    lapsed = ours.intersection(await decisions.lapse_due_awards(world.uow, world.clock))

    assert lapsed == {applications[1][1]}
    assert await world.status_of(first_id) is Status.ACCEPTED
    assert await world.status_of(third_id) is Status.AWARDED
    assert (await world.call(call_id)).committed == Decimal(3000)


async def test_the_database_refuses_a_commitment_past_the_budget(world) -> None:
    call_id = await world.open_call()

    with pytest.raises(IntegrityError):
        async with world.engine.begin() as connection:
            await connection.execute(
                update(calls).where(calls.c.id == call_id).values(committed=Decimal("3000.01"))
            )
