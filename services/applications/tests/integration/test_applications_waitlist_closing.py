"""The waitlist's end on the real database with a controlled clock: the periodic job closes it at its term exactly
once, rejecting everyone still on it, and a grant declined afterwards promotes nobody (the budget stays unspent)."""

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ibermuseos_applications.adapters.repository import UnitOfWork
from ibermuseos_applications.adapters.tables import audit_log, metadata
from ibermuseos_applications.application import applications as submitting
from ibermuseos_applications.application import calls as calling
from ibermuseos_applications.application import decisions, evaluation, waitlist
from ibermuseos_applications.application.access import Actor
from ibermuseos_applications.domain.applications import Status
from ibermuseos_applications.domain.calls import CallTerms, PanelMember
from ibermuseos_applications.domain.errors import NotNow
from ibermuseos_applications.domain.forms import Form
from ibermuseos_contracts import Pseudonymiser
from ibermuseos_platform.db import create_engine, session_factory
from ibermuseos_platform.outbox import Outbox
from ibermuseos_platform.settings import DatabaseSettings
from ibermuseos_platform.testing.postgres import TestDatabases, migrate
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration

ALEMBIC = Path(__file__).resolve().parents[2] / "alembic.ini"
START = datetime(2027, 2, 15, 12, 0, tzinfo=UTC)
TERM = datetime(2027, 6, 30, 12, 0, tzinfo=UTC)
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

    async def events(self, event_type: str, keys: set[uuid.UUID]) -> list[dict[str, Any]]:
        """The outbox rows of one event type about the given applications, as (key, payload)."""
        outbox = metadata.tables["outbox"]
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(outbox).where(outbox.c.event_type == f"org.ibermuseos.applications.{event_type}.v1")
            )
            return [dict(row._mapping) for row in rows if row.key in {str(k) for k in keys}]


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
            "budget": "1500.00",
            "max_per_grant": "1500.00",
            "eligible_residence_countries": ["AR", "BR", "CL", "PE"],
            "eligible_host_countries": ["MX"],
            "eligible_activity_kinds": ["course"],
            "activities_from": "2027-04-01",
            "activities_until": "2027-12-31",
            "criteria": [
                {"id": "merit", "name": {"es": "Mérito", "pt": "Mérito", "en": "Merit"}, "weight": "1"}
            ],
            "evaluators_per_application": 1,
            "waitlist_closes_at": TERM.isoformat(),
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


async def released_call(world: World) -> tuple[uuid.UUID, list[tuple[Actor, uuid.UUID]]]:
    """A call of 1500 with three requests of 1500 scored 9, 8, 7: one award and a waitlist of two, released."""
    call = await calling.draft_call(calling.DraftCall(terms(), COORDINATOR), world.uow(), world.clock)
    await calling.publish_call(calling.PublishCall(call.id, COORDINATOR), world.uow(), world.clock)
    applications = []
    for country in ("AR", "BR", "CL"):
        applicant = Actor(f"person-{country}-{uuid.uuid4().hex[:6]}", frozenset({"participant"}))
        draft = await submitting.start_application(
            submitting.StartApplication(call.id, form(country), applicant), world.uow(), world.clock
        )
        await submitting.submit_application(
            submitting.SubmitApplication(draft.id, applicant), world.uow(), world.clock
        )
        applications.append((applicant, draft.id))
    await calling.close_call_early(
        calling.CloseCallEarly(call.id, "test", COORDINATOR), world.uow(), world.clock
    )
    await calling.register_panel(
        calling.RegisterPanel(call.id, [PanelMember("ev-es", "ES")], COORDINATOR), world.uow(), world.clock
    )
    await evaluation.assign_evaluators(
        evaluation.AssignEvaluators(call.id, COORDINATOR), world.uow(), world.clock
    )
    evaluator = Actor("ev-es", frozenset({"evaluator"}), "ES")
    for score, (_, application_id) in zip([9, 8, 7], applications, strict=True):
        await evaluation.score_application(
            evaluation.ScoreApplication(
                application_id, {"merit": Decimal(score)}, {"merit": "ok"}, evaluator
            ),
            world.uow(),
            world.clock,
        )
    await decisions.propose_awards(
        decisions.ProposeAwards(call.id, None, 5, COORDINATOR), world.uow(), world.clock
    )
    await decisions.release_results(decisions.ReleaseResults(call.id, COORDINATOR), world.uow(), world.clock)
    return call.id, applications


async def status_of(world: World, application_id: uuid.UUID) -> Status:
    async with world.uow() as uow:
        application = await uow.applications.get(application_id)
    assert application is not None
    return application.status


async def test_the_job_closes_the_waitlist_at_its_term_once_rejecting_everyone_still_on_it(
    world: World,
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
    assert [await status_of(world, a) for a in (awarded_id, second_id, third_id)] == [
        Status.AWARDED,
        Status.REJECTED,
        Status.REJECTED,
    ]
    rejected = await world.events("ApplicationRejected", waitlisted)
    assert sorted(row["key"] for row in rejected) == sorted(str(a) for a in waitlisted)
    assert {json.loads(row["payload"])["reason"] for row in rejected} == {"waitlist_closed"}
    async with world.uow() as uow:
        call = await uow.calls.get(call_id)
    assert call is not None
    assert call.waitlist_closed_at == TERM + timedelta(seconds=1)
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
    world: World,
) -> None:
    call_id, applications = await released_call(world)
    (grantee, awarded_id), (_, second_id), (_, third_id) = applications
    await waitlist.close_waitlist(
        waitlist.CloseWaitlist(call_id, "Plazos del programa", COORDINATOR), world.uow(), world.clock
    )

    await decisions.decline_grant(decisions.DeclineGrant(awarded_id, grantee), world.uow(), world.clock)

    assert [await status_of(world, a) for a in (awarded_id, second_id, third_id)] == [
        Status.DECLINED,
        Status.REJECTED,
        Status.REJECTED,
    ]
    async with world.uow() as uow:
        call = await uow.calls.get(call_id)
    assert call is not None
    assert call.committed == Decimal(0)
    promoted = await world.events("GrantAwarded", {second_id, third_id})
    assert promoted == []
    with pytest.raises(NotNow) as again:
        await waitlist.close_waitlist(
            waitlist.CloseWaitlist(call_id, "Otra vez", COORDINATOR), world.uow(), world.clock
        )
    assert again.value.code == "waitlist_closed"
    world.clock.moment = TERM + timedelta(days=1)
    assert call_id not in await waitlist.close_due_waitlists(world.uow, world.clock)
    assert len(await world.events("ApplicationRejected", {second_id, third_id})) == 2


async def test_a_grant_declined_before_the_waitlist_closes_still_promotes_the_first_waiting(
    world: World,
) -> None:
    call_id, applications = await released_call(world)
    (grantee, awarded_id), (_, second_id), (_, third_id) = applications

    await decisions.decline_grant(decisions.DeclineGrant(awarded_id, grantee), world.uow(), world.clock)
    world.clock.moment = TERM
    closed = await waitlist.close_due_waitlists(world.uow, world.clock)

    assert closed[call_id] == 1
    assert [await status_of(world, a) for a in (second_id, third_id)] == [Status.AWARDED, Status.REJECTED]
