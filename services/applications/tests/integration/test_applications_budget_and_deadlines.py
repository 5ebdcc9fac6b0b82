"""The handlers on the real database with a controlled clock: deadlines decided by the clock, lapsed awards,
and the budget kept under concurrent declines and releases (row lock on the call)."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ibermuseos_applications.adapters.repository import UnitOfWork
from ibermuseos_applications.adapters.tables import calls, metadata
from ibermuseos_applications.application import applications as submitting
from ibermuseos_applications.application import calls as calling
from ibermuseos_applications.application import decisions, evaluation
from ibermuseos_applications.application.access import Actor
from ibermuseos_applications.domain.applications import Status
from ibermuseos_applications.domain.calls import CallStatus, CallTerms, PanelMember
from ibermuseos_applications.domain.errors import NotNow
from ibermuseos_applications.domain.forms import Form
from ibermuseos_contracts import Pseudonymiser
from ibermuseos_platform.db import create_engine, session_factory
from ibermuseos_platform.outbox import Outbox
from ibermuseos_platform.settings import DatabaseSettings
from ibermuseos_platform.testing.postgres import TestDatabases, migrate
from pydantic import SecretStr
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration

ALEMBIC = Path(__file__).resolve().parents[2] / "alembic.ini"
START = datetime(2027, 2, 15, 12, 0, tzinfo=UTC)
COORDINATOR = Actor("coordinator", frozenset({"coordinator"}), "MX")


class Clock:
    def __init__(self) -> None:
        self.moment = START

    def now(self) -> datetime:
        return self.moment


@dataclass
class World:
    engine: AsyncEngine
    clock: Clock
    outbox: Outbox

    def uow(self) -> UnitOfWork:
        return UnitOfWork(session_factory(self.engine), self.outbox)

    async def events(self, event_type: str) -> list[str]:
        outbox = metadata.tables["outbox"]
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(outbox.c.key).where(
                    outbox.c.event_type == f"org.ibermuseos.applications.{event_type}.v1"
                )
            )
            return list(rows.scalars())


@pytest.fixture(scope="module")
async def database(databases: TestDatabases) -> str:
    url = await databases.create("applications")
    await migrate(url, ALEMBIC)
    return url


@pytest.fixture
async def world(database: str) -> AsyncIterator[World]:
    engine = create_engine(DatabaseSettings(url=SecretStr(database), pool_size=5))
    yield World(engine, Clock(), Outbox(metadata.tables["outbox"], Pseudonymiser(b"test-pseudonym-key!")))
    await engine.dispose()


def terms(**changes: Any) -> CallTerms:
    return CallTerms.model_validate(
        {
            "year": 2027,
            "title": {"es": "Becas", "pt": "Bolsas", "en": "Grants"},
            "rules": {"es": "Bases", "pt": "Regras", "en": "Rules"},
            "opens_at": "2027-02-01T00:00:00Z",
            "closes_at": "2027-03-01T00:00:00Z",
            "timezone": "America/Mexico_City",
            "currency": "USD",
            "budget": "3000.00",
            "max_per_grant": "2000.00",
            "eligible_residence_countries": ["AR", "BR", "CL", "PE"],
            "eligible_host_countries": ["MX"],
            "eligible_activity_kinds": ["course"],
            "activities_from": "2027-04-01",
            "activities_until": "2027-12-31",
            "criteria": [
                {"id": "merit", "name": {"es": "Mérito", "pt": "Mérito", "en": "Merit"}, "weight": "1"}
            ],
            "evaluators_per_application": 1,
            **changes,
        }
    )


def form(country: str) -> Form:
    return Form.model_validate(
        {
            "applicant": {
                "name": "Persona",
                "email": f"{uuid.uuid4().hex[:8]}@museo.example",
                "preferred_language": "es",
                "role": "Museógrafa",
                "country_of_residence": country,
            },
            "institution": {"name": "Museo", "type": "museum", "city": "Capital", "country": country},
            "activity": {
                "title": "Curso",
                "organiser": "INAH",
                "kind": "course",
                "host_country": "MX",
                "host_city": "Oaxaca",
                "starts_on": "2027-05-01",
                "ends_on": "2027-05-10",
                "modality": "in_person",
            },
            "budget": {"travel": "1500.00"},
            "motivation": "Aprender",
            "replication_commitment": True,
        }
    )


def person(n: int) -> Actor:
    return Actor(f"person-{n}-{uuid.uuid4().hex[:6]}", frozenset({"participant"}))


async def open_call(world: World, **changes: Any) -> uuid.UUID:
    call = await calling.draft_call(
        calling.DraftCall(terms(**changes), COORDINATOR), world.uow(), world.clock
    )
    await calling.publish_call(calling.PublishCall(call.id, COORDINATOR), world.uow(), world.clock)
    return call.id


async def submit(world: World, call_id: uuid.UUID, applicant: Actor, country: str = "BR") -> uuid.UUID:
    draft = await submitting.start_application(
        submitting.StartApplication(call_id, form(country), applicant), world.uow(), world.clock
    )
    await submitting.submit_application(
        submitting.SubmitApplication(draft.id, applicant), world.uow(), world.clock
    )
    return draft.id


async def released_call(world: World) -> tuple[uuid.UUID, list[tuple[Actor, uuid.UUID]]]:
    """A call of 3000 with four requests of 1500 scored 9, 8, 7, 6: two awards, then a waitlist of two."""
    call_id = await open_call(world)
    people = [person(n) for n in range(4)]
    applications = [
        (p, await submit(world, call_id, p, country))
        for p, country in zip(people, ["AR", "BR", "CL", "PE"], strict=True)
    ]
    await calling.close_call_early(
        calling.CloseCallEarly(call_id, "test", COORDINATOR), world.uow(), world.clock
    )
    await calling.register_panel(
        calling.RegisterPanel(call_id, [PanelMember("ev-es", "ES")], COORDINATOR), world.uow(), world.clock
    )
    await evaluation.assign_evaluators(
        evaluation.AssignEvaluators(call_id, COORDINATOR), world.uow(), world.clock
    )
    evaluator = Actor("ev-es", frozenset({"evaluator"}), "ES")
    for score, (_, application_id) in zip([9, 8, 7, 6], applications, strict=True):
        await evaluation.score_application(
            evaluation.ScoreApplication(
                application_id, {"merit": Decimal(score)}, {"merit": "ok"}, evaluator
            ),
            world.uow(),
            world.clock,
        )
    await decisions.propose_awards(
        decisions.ProposeAwards(call_id, None, 5, COORDINATOR), world.uow(), world.clock
    )
    return call_id, applications


async def status_of(world: World, application_id: uuid.UUID) -> Status:
    async with world.uow() as uow:
        application = await uow.applications.get(application_id)
    assert application is not None
    return application.status


async def committed(world: World, call_id: uuid.UUID) -> Decimal:
    async with world.uow() as uow:
        call = await uow.calls.get(call_id)
    assert call is not None
    return call.committed


async def test_the_clock_refuses_a_late_submission_before_the_closing_job_has_run(world: World) -> None:
    call_id = await open_call(world)
    applicant = person(0)
    on_time = await submit(world, call_id, applicant)
    late = person(1)
    draft = await submitting.start_application(
        submitting.StartApplication(call_id, form("PE"), late), world.uow(), world.clock
    )
    world.clock.moment = datetime(2027, 3, 1, tzinfo=UTC)

    with pytest.raises(NotNow) as refused:
        await submitting.submit_application(
            submitting.SubmitApplication(draft.id, late), world.uow(), world.clock
        )

    assert refused.value.code == "call_closed"
    async with world.uow() as uow:
        call = await uow.calls.get(call_id)
    assert call is not None
    assert call.status is CallStatus.OPEN
    assert await status_of(world, on_time) is Status.ELIGIBLE


async def test_the_closing_job_closes_calls_past_their_deadline_once(world: World) -> None:
    call_id = await open_call(world)
    await submit(world, call_id, person(0))
    world.clock.moment = datetime(2027, 2, 28, 23, 59, tzinfo=UTC)
    assert call_id not in await calling.close_due_calls(world.uow, world.clock)

    world.clock.moment = datetime(2027, 3, 1, 0, 0, 30, tzinfo=UTC)
    assert call_id in await calling.close_due_calls(world.uow, world.clock)
    assert call_id not in await calling.close_due_calls(world.uow, world.clock)

    assert (await world.events("CallClosed")).count(str(call_id)) == 1


async def test_concurrent_releases_publish_the_results_once(world: World) -> None:
    call_id, applications = await released_call(world)

    outcomes = await asyncio.gather(
        *(
            decisions.release_results(
                decisions.ReleaseResults(call_id, COORDINATOR), world.uow(), world.clock
            )
            for _ in range(2)
        ),
        return_exceptions=True,
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["NotNow", "Standing"]
    ours = {str(a) for _, a in applications}
    awarded = [key for key in await world.events("GrantAwarded") if key in ours]
    assert sorted(awarded) == sorted(str(a) for _, a in applications[:2])
    assert await committed(world, call_id) == Decimal(3000)


async def test_concurrent_declines_each_promote_a_different_waitlisted_application(world: World) -> None:
    call_id, applications = await released_call(world)
    await decisions.release_results(decisions.ReleaseResults(call_id, COORDINATOR), world.uow(), world.clock)
    (first, first_id), (second, second_id), (_, third_id), (_, fourth_id) = applications

    await asyncio.gather(
        decisions.decline_grant(decisions.DeclineGrant(first_id, first), world.uow(), world.clock),
        decisions.decline_grant(decisions.DeclineGrant(second_id, second), world.uow(), world.clock),
    )

    assert [await status_of(world, a) for a in (first_id, second_id, third_id, fourth_id)] == [
        Status.DECLINED,
        Status.DECLINED,
        Status.AWARDED,
        Status.AWARDED,
    ]
    assert await committed(world, call_id) == Decimal(3000)
    ours = {str(a) for _, a in applications}
    awarded = [key for key in await world.events("GrantAwarded") if key in ours]
    assert sorted(awarded) == sorted(ours)


async def test_an_unanswered_award_lapses_and_the_waitlist_moves(world: World) -> None:
    call_id, applications = await released_call(world)
    await decisions.release_results(decisions.ReleaseResults(call_id, COORDINATOR), world.uow(), world.clock)
    (first, first_id), _, (_, third_id), _ = applications
    await decisions.accept_grant(decisions.AcceptGrant(first_id, first), world.uow(), world.clock)

    ours = {a for _, a in applications}
    world.clock.moment = START + timedelta(days=14)
    assert ours.isdisjoint(await decisions.lapse_due_awards(world.uow, world.clock))
    world.clock.moment = START + timedelta(days=14, seconds=1)
    lapsed = ours.intersection(await decisions.lapse_due_awards(world.uow, world.clock))

    assert lapsed == {applications[1][1]}
    assert await status_of(world, first_id) is Status.ACCEPTED
    assert await status_of(world, third_id) is Status.AWARDED
    assert await committed(world, call_id) == Decimal(3000)


async def test_the_database_refuses_a_commitment_past_the_budget(world: World) -> None:
    call_id = await open_call(world)

    with pytest.raises(IntegrityError):
        async with world.engine.begin() as connection:
            await connection.execute(
                update(calls).where(calls.c.id == call_id).values(committed=Decimal("3000.01"))
            )
