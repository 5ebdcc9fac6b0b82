"""The waitlist's end on the real database with a controlled clock: the periodic job closes it at its term exactly
once, rejecting everyone still on it, and a grant declined afterwards promotes nobody (the budget stays unspent)."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from ibermuseos_applications.adapters.tables import audit_log
from ibermuseos_applications.application import decisions, waitlist
from ibermuseos_applications.bootstrap import Container
from ibermuseos_applications.domain.applications import Status
from ibermuseos_kernel.errors import Conflict
from sqlalchemy import select

pytestmark = pytest.mark.integration

TERM = datetime(2027, 6, 30, 12, 0, tzinfo=UTC)


async def released_call(world):
    """A call of 1500 with three requests of 1500 scored 9, 8, 7: one award and a waitlist of two, released; the
    waitlist closes at TERM."""
    call_id, applications = await world.proposed_call(
        [9, 8, 7], budget="1500.00", max_per_grant="1500.00", waitlist_closes_at=TERM.isoformat()
    )
    await decisions.release_results(
        decisions.ReleaseResults(call_id, world.coordinator), world.uow(), world.clock
    )
    return call_id, applications


async def test_the_job_closes_the_waitlist_at_its_term_once_rejecting_everyone_still_on_it(
    world,
) -> None:
    call_id, applications = await released_call(world)
    (_, awarded_id), (_, second_id), (_, third_id) = applications
    waitlisted = {second_id, third_id}

    world.clock.moment = TERM - timedelta(seconds=1)
    assert call_id not in await waitlist.close_due_waitlists(world.uow, world.clock)
    world.clock.moment = TERM + timedelta(seconds=1)
    first_run = await waitlist.close_due_waitlists(world.uow, world.clock)
    second_run = await waitlist.close_due_waitlists(world.uow, world.clock)

    assert first_run[call_id] == 2
    assert call_id not in second_run
    assert [await world.status_of(a) for a in (awarded_id, second_id, third_id)] == [
        Status.AWARDED,
        Status.REJECTED,
        Status.REJECTED,
    ]
    rejected = await world.events("ApplicationRejected", waitlisted)
    assert sorted(row["key"] for row in rejected) == sorted(str(a) for a in waitlisted)
    assert {json.loads(row["payload"])["reason"] for row in rejected} == {"waitlist_closed"}
    assert (await world.call(call_id)).waitlist_closed_at == TERM + timedelta(seconds=1)
    async with world.engine.connect() as connection:
        audited = (
            await connection.execute(
                select(audit_log.c.actor, audit_log.c.details).where(
                    audit_log.c.call_id == call_id, audit_log.c.action == "waitlist_closed_at_term"
                )
            )
        ).all()
    assert [(row.actor, row.details["rejected"]) for row in audited] == [("system", 2)]


async def test_a_grant_declined_after_the_waitlist_closed_promotes_nobody_and_the_budget_stays_unspent(
    world,
) -> None:
    call_id, applications = await released_call(world)
    (grantee, awarded_id), (_, second_id), (_, third_id) = applications
    await waitlist.close_waitlist(
        waitlist.CloseWaitlist(call_id, "Plazos del programa", world.coordinator), world.uow(), world.clock
    )

    await decisions.decline_grant(decisions.DeclineGrant(awarded_id, grantee), world.uow(), world.clock)

    assert [await world.status_of(a) for a in (awarded_id, second_id, third_id)] == [
        Status.DECLINED,
        Status.REJECTED,
        Status.REJECTED,
    ]
    assert (await world.call(call_id)).committed == Decimal(0)
    promoted = await world.events("GrantAwarded", {second_id, third_id})
    assert promoted == []
    with pytest.raises(Conflict) as again:
        await waitlist.close_waitlist(
            waitlist.CloseWaitlist(call_id, "Otra vez", world.coordinator), world.uow(), world.clock
        )
    assert again.value.code == "waitlist_closed"
    world.clock.moment = TERM + timedelta(days=1)
    assert call_id not in await waitlist.close_due_waitlists(world.uow, world.clock)
    assert len(await world.events("ApplicationRejected", {second_id, third_id})) == 2


async def test_a_grant_declined_before_the_waitlist_closes_still_promotes_the_first_waiting(
    world,
) -> None:
    call_id, applications = await released_call(world)
    (grantee, awarded_id), (_, second_id), (_, third_id) = applications

    await decisions.decline_grant(decisions.DeclineGrant(awarded_id, grantee), world.uow(), world.clock)
    world.clock.moment = TERM
    closed = await waitlist.close_due_waitlists(world.uow, world.clock)

    assert closed[call_id] == 1
    assert [await world.status_of(a) for a in (second_id, third_id)] == [Status.AWARDED, Status.REJECTED]


async def test_the_deadlines_job_the_service_runs_also_closes_waitlists_past_their_term(world) -> None:
    call_id, applications = await released_call(world)
    # The service's container, with only what its deadlines job uses: the database and the clock.
    container = Container(
        platform=None,  # type: ignore[arg-type]
        uow=world.uow,
        clock=world.clock,
        idempotency=None,  # type: ignore[arg-type]
        document_limits=None,  # type: ignore[arg-type]
        open_calls_limiter=None,  # type: ignore[arg-type]
        document_retention=timedelta(days=30),
    )
    world.clock.moment = TERM + timedelta(seconds=1)

    await container.run_deadlines()

    assert (await world.call(call_id)).waitlist_closed_at == world.clock.moment
    assert Status.WAITLISTED not in [await world.status_of(a) for _, a in applications]
