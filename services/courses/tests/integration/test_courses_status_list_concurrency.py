"""Status list indices on the real database, through the handlers with a controlled clock: simultaneous
closings of runs never give two certificates the same bit, simultaneous revocations lose no bit, a full
list hands over to a new one, and certificates from before status lists are revoked as before."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from ibermuseos_contracts import Pseudonymiser
from ibermuseos_contracts.common import Institution, InstitutionType, Modality
from ibermuseos_contracts.courses import OfferingKind
from ibermuseos_contracts.types import Localized
from ibermuseos_courses.adapters.repository import UnitOfWork
from ibermuseos_courses.adapters.tables import certificates, metadata, status_lists
from ibermuseos_courses.application import attendance, catalogue, enrolments, queries, runs
from ibermuseos_courses.application.certificates import (
    CertificateIssuer,
    RevokeCertificate,
    revoke_certificate,
)
from ibermuseos_courses.domain.bitstring import MINIMUM_BITS
from ibermuseos_courses.domain.certificates import CertificateStatus, Signatory
from ibermuseos_courses.domain.enrolments import Mark
from ibermuseos_courses.domain.runs import RunPlan, SessionTimes
from ibermuseos_courses.domain.status_lists import StatusList
from ibermuseos_kernel.caller import Caller, Role
from ibermuseos_platform.db import create_engine, session_factory
from ibermuseos_platform.outbox import Outbox
from ibermuseos_platform.settings import DatabaseSettings
from ibermuseos_platform.testing.postgres import TestDatabases, migrate
from pydantic import SecretStr
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration

ALEMBIC = Path(__file__).resolve().parents[2] / "alembic.ini"
START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
COORDINATOR = Caller("coordinator-1", frozenset({Role.COORDINATOR}), "MX")
SIGNATORY = Signatory("Ana Lucía Méndez", Localized(es="Coordinadora", pt="Coordenadora", en="Coordinator"))
ISSUER = CertificateIssuer("Programa Ibermuseos", "https://cursos.ibermuseos.example", SIGNATORY)
TITLE = Localized(es="Conversatorio", pt="Conversatório", en="Conversatorio")


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
    url: str

    def uow(self) -> UnitOfWork:
        return UnitOfWork(session_factory(self.engine), self.outbox)

    async def run_with_completions(self, people: int, timezone: str = "UTC") -> UUID:
        """A conversatorio run, ended, where `people` participants attended: closing it issues `people` certificates."""
        self.clock.moment = START
        offering = await catalogue.create_offering(
            catalogue.CreateOffering(
                kind=OfferingKind.CONVERSATORIO, title=TITLE, description=TITLE, subject_area="conservation",
                hours=Decimal(2), rule=None, certificate=True, publish=True,
            ),
            self.uow(), self.clock,
        )  # fmt: skip
        session_starts = START + timedelta(days=2)
        scheduled = await runs.schedule_run(
            runs.ScheduleRun(
                offering.id,
                RunPlan(
                    sessions=[SessionTimes(session_starts, session_starts + timedelta(hours=2))], timezone=timezone,
                    modality=Modality.ONLINE, venue=None, language="es", capacity=50,
                    enrolment_opens_at=START - timedelta(days=1), enrolment_closes_at=START + timedelta(days=1),
                    eligible_countries=[], quota_per_country=None, instructors=[],
                ),
                COORDINATOR,
            ),
            self.uow(), self.clock,
        )  # fmt: skip
        run = scheduled.run
        enrolled = []
        for n in range(people):
            person = f"person-{uuid.uuid4().hex[:8]}-{n}"
            enrol = enrolments.Enrol(
                run_id=run.id,
                caller=Caller(person, frozenset({Role.PARTICIPANT}), "PE", f"Persona {n}", f"{person}@museo.example"),
                preferred_language="es", timezone="UTC", gender=None, country="PE",
                institution=Institution(name="Museo", type=InstitutionType.MUSEUM, city="Lima", country="PE"),
            )  # fmt: skip
            enrolled.append(await enrolments.enrol_participant(enrol, self.uow(), self.clock))
        self.clock.moment = session_starts + timedelta(hours=3)
        await attendance.record_session_attendance(
            attendance.RecordAttendance(
                run.id,
                run.sessions[0].session_id,
                [Mark(e.enrolment.id, present=True) for e in enrolled],
                COORDINATOR,
            ),
            self.uow(),
            self.clock,
        )
        return run.id

    async def close(self, run_id: UUID) -> attendance.Closed:
        return await attendance.close_run(attendance.CloseRun(run_id), self.uow(), self.clock, ISSUER)

    async def revoke(self, certificate_id: UUID, reason: str) -> Any:
        command = RevokeCertificate(certificate_id, reason, COORDINATOR)
        return await revoke_certificate(command, self.uow(), self.clock)

    async def entries(self, run_ids: list[UUID]) -> dict[UUID, tuple[UUID | None, int | None]]:
        """Each certificate of the runs, with its status list and index as stored."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(
                    certificates.c.id, certificates.c.status_list_id, certificates.c.status_list_index
                ).where(certificates.c.run_id.in_(run_ids))
            )
            return {row.id: (row.status_list_id, row.status_list_index) for row in rows}

    async def status_list(self, list_id: UUID) -> StatusList:
        async with self.uow() as uow:
            found = await uow.status_lists.get(list_id)
        assert found is not None
        return found

    async def lists(self) -> list[Any]:
        async with self.engine.connect() as connection:
            return list(await connection.execute(select(status_lists.c.id, status_lists.c.open)))


@pytest.fixture
async def world(databases: TestDatabases) -> AsyncIterator[World]:
    url = await databases.create("courses_status")
    await migrate(url, ALEMBIC)
    engine = create_engine(DatabaseSettings(url=SecretStr(url), pool_size=20))
    yield World(
        engine, Clock(), Outbox(metadata.tables["outbox"], Pseudonymiser(b"test-pseudonym-key!")), url
    )
    await engine.dispose()


async def test_simultaneous_closings_give_each_certificate_its_own_random_bit_and_simultaneous_revocations_all_show(
    world: World,
) -> None:
    run_ids = [await world.run_with_completions(people=6) for _ in range(8)]

    closed = await asyncio.gather(*(world.close(r) for r in run_ids))

    assert sum(len(c.certificates) for c in closed) == 48
    stored = await world.entries(run_ids)
    assert len(stored) == 48
    list_ids = {list_id for list_id, _ in stored.values()}
    (list_id,) = list_ids
    assert list_id is not None
    indices = {cid: index for cid, (_, index) in stored.items() if index is not None}
    assert len(indices) == 48, "a certificate got no bit"
    ordered = sorted(indices.values())
    assert len(set(ordered)) == 48, "two certificates got the same bit"
    given = await world.status_list(list_id)
    assert given.size == MINIMUM_BITS
    assert given.allocated.ones() == ordered
    assert given.allocated_count == 48
    assert given.revoked.ones() == []
    assert ordered != list(range(ordered[0], ordered[0] + 48)), "indices were handed out in sequence"
    assert ordered[-1] - ordered[0] > MINIMUM_BITS // 2, "indices do not spread over the list"

    to_revoke = list(stored)[::2]
    await asyncio.gather(*(world.revoke(cid, "error de registro") for cid in to_revoke))

    after = await world.status_list(list_id)
    assert after.revoked.ones() == sorted(indices[cid] for cid in to_revoke)
    assert after.updated_at == world.clock.now()


async def test_the_database_refuses_two_certificates_on_the_same_bit(world: World) -> None:
    run_id = await world.run_with_completions(people=2)
    await world.close(run_id)
    (first, (_, taken)), (second, _) = (await world.entries([run_id])).items()

    with pytest.raises(IntegrityError, match="uq_certificates_status_list_index"):
        async with world.engine.begin() as connection:
            await connection.execute(
                update(certificates).where(certificates.c.id == second).values(status_list_index=taken)
            )
    assert first != second


async def test_a_full_list_closes_and_the_next_certificates_go_to_a_new_list(world: World) -> None:
    first_run = await world.run_with_completions(people=1)
    await world.close(first_run)
    ((old_list, _),) = (await world.entries([first_run])).values()
    async with world.engine.begin() as connection:  # the list one entry short of its capacity
        await connection.execute(
            update(status_lists)
            .where(status_lists.c.id == old_list)
            .values(allocated_count=MINIMUM_BITS // 2 - 1)
        )
    second_run = await world.run_with_completions(people=3)

    await world.close(second_run)

    lists = {entry[0] for entry in (await world.entries([second_run])).values()}
    assert len(lists) == 2
    assert old_list in lists
    assert sorted((row.id == old_list, row.open) for row in await world.lists()) == [
        (False, True),
        (True, False),
    ]


async def test_a_certificate_from_before_status_lists_is_revoked_as_before_and_touches_no_list(
    world: World,
) -> None:
    run_id = await world.run_with_completions(people=2)
    await world.close(run_id)
    (older, (list_id, _)), _ = (await world.entries([run_id])).items()
    async with world.engine.begin() as connection:  # as migrated: no status columns
        await connection.execute(
            update(certificates)
            .where(certificates.c.id == older)
            .values(status_list_id=None, status_list_index=None)
        )
    assert list_id is not None
    before = await world.status_list(list_id)

    revoked = await world.revoke(older, "duplicado")

    assert (revoked.status, revoked.status_entry) == (CertificateStatus.REVOKED, None)
    verified = await queries.verify(world.uow(), revoked.code)
    assert verified.status is CertificateStatus.REVOKED
    assert (await world.status_list(list_id)).revoked == before.revoked


async def test_certificates_from_before_their_zone_was_kept_get_their_runs_zone_from_the_migration(
    world: World,
) -> None:
    run_id = await world.run_with_completions(people=1, timezone="America/Lima")
    (issued,) = (await world.close(run_id)).certificates
    assert (issued.wording.timezone, issued.wording.signatory) == ("America/Lima", SIGNATORY)
    async with world.engine.begin() as connection:  # as stored before revision 0005
        await connection.execute(
            update(certificates).values(
                wording=certificates.c.wording.op("-")("timezone").op("-")("signatory")
            )
        )
        await connection.execute(text("UPDATE alembic_version SET version_num = '0004'"))

    await migrate(world.url, ALEMBIC)

    async with world.uow() as uow:
        migrated = await uow.certificates.get(issued.id)
    assert migrated is not None
    assert migrated.wording.timezone == "America/Lima"
    assert migrated.wording.signatory is None
    someone = Signatory("Otra Persona", SIGNATORY.role)
    assert migrated.wording.signed_by(someone) == someone
