"""The aggregates stored in PostgreSQL; repositories never commit, the unit of work does.

The aggregates are mapped onto their tables (`mapping`): a repository adds them to the session or
loads them, and the unit of work writes whatever changed when it commits. What is left here are
the queries: which rows, in which order, how many.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from ibermuseos_kernel.paging import Page, Slice
from ibermuseos_platform.db import count_rows, on_page
from ibermuseos_platform.paging import sliced
from ibermuseos_platform.uow import RecordsEvents, SqlAlchemyUnitOfWork
from sqlalchemy import ColumnElement, Select, false, func, or_, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..application.ports import Scope
from ..domain.catalogue import Offering, OfferingStatus, SubjectArea
from ..domain.certificates import Certificate
from ..domain.enrolments import ACTIVE, Attendance, Enrolment, EnrolmentStatus
from ..domain.runs import Run, RunStatus
from ..domain.seating import Seats
from . import mapping  # noqa: F401 - maps the aggregates onto their tables
from .status_lists import SqlStatusLists
from .tables import attendance, certificates, enrolments, offerings, runs, subject_areas

A = TypeVar("A", bound=RecordsEvents)
"""An aggregate: its events go to the outbox when the unit of work commits."""


class _Repository:
    def __init__(self, session: AsyncSession, uow: SqlAlchemyUnitOfWork) -> None:
        self._session = session
        self._uow = uow

    def _add(self, aggregate: Any) -> None:
        self._session.add(aggregate)
        self._uow.track(aggregate)

    async def _all(self, query: Select[A]) -> list[A]:
        """The aggregates the query finds, as the database has them now (even those the session holds)."""
        found = list(await self._session.scalars(query.execution_options(populate_existing=True)))
        for aggregate in found:
            self._uow.track(aggregate)
        return found

    async def _one(self, query: Select[A], *, lock: bool = False) -> A | None:
        found = await self._all(query.with_for_update() if lock else query)
        return found[0] if found else None

    async def _slice(self, query: Select[A], page: Page) -> Slice[A]:
        total = await count_rows(self._session, query)
        return sliced(await self._all(on_page(query, page)), total, page)


class SqlSubjectAreas(_Repository):
    async def add(self, area: SubjectArea, now: datetime) -> bool:
        inserted = await self._session.execute(
            pg_insert(subject_areas)
            .values(**asdict(area), added_at=now)
            .on_conflict_do_nothing()
            .returning(subject_areas.c.code)
        )
        return inserted.first() is not None

    async def all(self) -> list[SubjectArea]:
        rows = await self._session.execute(
            select(subject_areas.c.code, subject_areas.c.name).order_by(subject_areas.c.code)
        )
        return [SubjectArea(code, name) for code, name in rows]

    async def find(self, page: Page) -> Slice[SubjectArea]:
        every = await self.all()
        return sliced(every[page.offset : page.offset + page.limit], len(every), page)


class SqlOfferings(_Repository):
    async def add(self, offering: Offering) -> None:
        self._add(offering)

    async def get(self, offering_id: UUID, *, lock: bool = False) -> Offering | None:
        return await self._one(select(Offering).where(offerings.c.id == offering_id), lock=lock)

    async def find(
        self, *, published_only: bool, kind: str | None, subject_area: str | None, page: Page
    ) -> Slice[Offering]:
        query = select(Offering).order_by(offerings.c.created_at.desc(), offerings.c.id)
        if published_only:
            query = query.where(offerings.c.status == OfferingStatus.PUBLISHED)
        if kind:
            query = query.where(offerings.c.kind == kind)
        if subject_area:
            query = query.where(offerings.c.subject_area == subject_area)
        return await self._slice(query, page)


class SqlRuns(_Repository):
    async def add(self, run: Run) -> None:
        self._add(run)

    async def get(self, run_id: UUID, *, lock: bool = False) -> Run | None:
        """With `lock`, the run's row stays locked until the transaction ends: enrolments and
        cancellations of one run happen one at a time."""
        return await self._one(select(Run).where(runs.c.id == run_id), lock=lock)

    async def find(
        self, *, offering_id: UUID | None, status: str | None, instructor: str | None, page: Page
    ) -> Slice[Run]:
        query = select(Run).order_by(runs.c.starts_at.desc(), runs.c.id)
        if offering_id:
            query = query.where(runs.c.offering_id == offering_id)
        if status:
            query = query.where(runs.c.status == status)
        if instructor:
            query = query.where(runs.c.instructors.contains([instructor]))
        return await self._slice(query, page)

    async def ended_before(self, moment: datetime, limit: int) -> list[UUID]:
        rows = await self._session.scalars(
            select(runs.c.id)
            .where(runs.c.status == RunStatus.SCHEDULED, runs.c.ends_at <= moment)
            .order_by(runs.c.ends_at)
            .limit(limit)
        )
        return list(rows)

    async def waitlists_due(self, now: datetime, limit: int) -> list[UUID]:
        lapses_at = func.greatest(runs.c.starts_at, runs.c.enrolment_closes_at)
        waiting = select(enrolments.c.id).where(
            enrolments.c.run_id == runs.c.id, enrolments.c.status == EnrolmentStatus.WAITLISTED
        )
        rows = await self._session.scalars(
            select(runs.c.id)
            .where(runs.c.status == RunStatus.SCHEDULED, lapses_at <= now, waiting.exists())
            .order_by(lapses_at)
            .limit(limit)
        )
        return list(rows)

    async def counts(self, run_ids: Sequence[UUID]) -> dict[UUID, tuple[int, int]]:
        """Seats taken and people waiting, per run."""
        if not run_ids:
            return {}
        rows = await self._session.execute(
            select(
                enrolments.c.run_id,
                func.count().filter(enrolments.c.status == EnrolmentStatus.ENROLLED),
                func.count().filter(enrolments.c.status == EnrolmentStatus.WAITLISTED),
            )
            .where(enrolments.c.run_id.in_(run_ids))
            .group_by(enrolments.c.run_id)
        )
        found = {run_id: (taken, waiting) for run_id, taken, waiting in rows}
        return {run_id: found.get(run_id, (0, 0)) for run_id in run_ids}


def _scope(scope: Scope, person: Any, country: Any, run_id: Any) -> ColumnElement[bool]:
    if scope.everything:
        return true()
    conditions: list[ColumnElement[bool]] = []
    if scope.person_id:
        conditions.append(person == scope.person_id)
    if scope.country:
        conditions.append(country == scope.country)
    if scope.instructor:
        conditions.append(
            run_id.in_(select(runs.c.id).where(runs.c.instructors.contains([scope.instructor])))
        )
    return or_(*conditions) if conditions else false()


def _waiting_no_later_than(arrival: Any) -> ColumnElement[bool]:
    """Waiting in the same run, and arrived no later: counted, the place of a waiting enrolment in line."""
    ahead = enrolments.alias("ahead")
    return (
        select(func.count())
        .where(
            ahead.c.run_id == enrolments.c.run_id,
            ahead.c.status == EnrolmentStatus.WAITLISTED,
            ahead.c.arrival <= arrival,
        )
        .scalar_subquery()
    )


class SqlEnrolments(_Repository):
    async def add(self, enrolment: Enrolment) -> None:
        self._add(enrolment)

    async def get(self, enrolment_id: UUID) -> Enrolment | None:
        return await self._one(select(Enrolment).where(enrolments.c.id == enrolment_id))

    async def seats(self, run: Run) -> Seats:
        seats, _ = await self.seats_and_waiting(run)
        return seats

    async def seats_and_waiting(self, run: Run) -> tuple[Seats, int]:
        rows = await self._session.execute(
            select(
                enrolments.c.country,
                func.count().filter(enrolments.c.status == EnrolmentStatus.ENROLLED),
                func.count().filter(enrolments.c.status == EnrolmentStatus.WAITLISTED),
            )
            .where(enrolments.c.run_id == run.id, enrolments.c.status.in_(ACTIVE))
            .group_by(enrolments.c.country)
        )
        taken: Counter[str] = Counter()
        waiting = 0
        for country, seated, waits in rows:
            taken[country] = seated
            waiting += waits
        return Seats(run.capacity, run.quota_per_country, +taken), waiting

    async def waitlist(self, run_id: UUID) -> list[Enrolment]:
        return await self._all(
            select(Enrolment)
            .where(enrolments.c.run_id == run_id, enrolments.c.status == EnrolmentStatus.WAITLISTED)
            .order_by(enrolments.c.arrival)
        )

    async def current(self, run_id: UUID, person_id: str) -> Enrolment | None:
        return await self._one(
            select(Enrolment).where(
                enrolments.c.run_id == run_id,
                enrolments.c.person_id == person_id,
                enrolments.c.status != EnrolmentStatus.CANCELLED,
            )
        )

    async def of_run(self, run_id: UUID, statuses: Sequence[EnrolmentStatus]) -> list[Enrolment]:
        return await self._all(
            select(Enrolment)
            .where(enrolments.c.run_id == run_id, enrolments.c.status.in_(statuses))
            .order_by(enrolments.c.arrival)
        )

    async def find(
        self,
        scope: Scope,
        *,
        run_id: UUID | None,
        status: EnrolmentStatus | None,
        country: str | None,
        page: Page,
    ) -> Slice[tuple[Enrolment, int | None]]:
        query = (
            select(Enrolment)
            .where(_scope(scope, enrolments.c.person_id, enrolments.c.country, enrolments.c.run_id))
            .order_by(enrolments.c.requested_at.desc(), enrolments.c.id)
        )
        if run_id:
            query = query.where(enrolments.c.run_id == run_id).order_by(None).order_by(enrolments.c.arrival)
        if status:
            query = query.where(enrolments.c.status == status)
        if country:
            query = query.where(enrolments.c.country == country)
        total = await count_rows(self._session, query)
        listed = on_page(query.add_columns(_waiting_no_later_than(enrolments.c.arrival)), page)
        rows = await self._session.execute(listed.execution_options(populate_existing=True))
        found = [
            (enrolment, position if enrolment.status is EnrolmentStatus.WAITLISTED else None)
            for enrolment, position in rows
        ]
        return sliced(found, total, page)

    async def position(self, enrolment: Enrolment) -> int | None:
        if enrolment.status is not EnrolmentStatus.WAITLISTED:
            return None
        return await count_rows(
            self._session,
            select(enrolments.c.id).where(
                enrolments.c.run_id == enrolment.run_id,
                enrolments.c.status == EnrolmentStatus.WAITLISTED,
                enrolments.c.arrival <= enrolment.arrival,
            ),
        )


class SqlAttendance(_Repository):
    COLUMNS = (
        attendance.c.enrolment_id,
        attendance.c.session_id,
        attendance.c.present,
        attendance.c.minutes,
        attendance.c.source,
        attendance.c.recorded_at,
        attendance.c.recorded_by,
    )
    """In the order of `Attendance`'s fields."""

    async def _records(self, query: Select[Any]) -> list[Attendance]:
        return [Attendance(*row) for row in await self._session.execute(query)]

    async def of_session(self, run_id: UUID, session_id: UUID) -> dict[UUID, Attendance]:
        records = await self._records(
            select(*self.COLUMNS).where(attendance.c.run_id == run_id, attendance.c.session_id == session_id)
        )
        return {record.enrolment_id: record for record in records}

    async def of_run(self, run_id: UUID) -> list[Attendance]:
        return await self._records(select(*self.COLUMNS).where(attendance.c.run_id == run_id))

    async def find(self, run_id: UUID, page: Page) -> Slice[Attendance]:
        query = (
            select(*self.COLUMNS)
            .where(attendance.c.run_id == run_id)
            .order_by(attendance.c.recorded_at, attendance.c.enrolment_id, attendance.c.session_id)
        )
        total = await count_rows(self._session, query)
        return sliced(await self._records(on_page(query, page)), total, page)

    async def put(self, records: Sequence[Attendance], run_id: UUID) -> None:
        if not records:
            return
        statement = pg_insert(attendance).values([{**asdict(record), "run_id": run_id} for record in records])
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[attendance.c.enrolment_id, attendance.c.session_id],
                set_={
                    name: statement.excluded[name]
                    for name in ("present", "minutes", "source", "recorded_at", "recorded_by")
                },
            )
        )


class SqlCertificates(_Repository):
    async def add(self, certificate: Certificate) -> None:
        self._add(certificate)

    async def get(self, certificate_id: UUID, *, lock: bool = False) -> Certificate | None:
        return await self._one(select(Certificate).where(certificates.c.id == certificate_id), lock=lock)

    async def by_code(self, code: str) -> Certificate | None:
        return await self._one(select(Certificate).where(certificates.c.code == code))

    async def find(self, scope: Scope, *, run_id: UUID | None, page: Page) -> Slice[Certificate]:
        query = (
            select(Certificate)
            .where(_scope(scope, certificates.c.person_id, certificates.c.country, certificates.c.run_id))
            .order_by(certificates.c.issued_at.desc(), certificates.c.id)
        )
        if run_id:
            query = query.where(certificates.c.run_id == run_id)
        return await self._slice(query, page)


class UnitOfWork(SqlAlchemyUnitOfWork):
    """The service's unit of work: its repositories share the transaction, and the aggregates they
    added or loaded are written, with their events to the outbox, when it commits."""

    subject_areas: SqlSubjectAreas
    offerings: SqlOfferings
    runs: SqlRuns
    enrolments: SqlEnrolments
    attendance: SqlAttendance
    certificates: SqlCertificates
    status_lists: SqlStatusLists

    async def __aenter__(self) -> "UnitOfWork":
        await super().__aenter__()
        self.subject_areas = SqlSubjectAreas(self.session, self)
        self.offerings = SqlOfferings(self.session, self)
        self.runs = SqlRuns(self.session, self)
        self.enrolments = SqlEnrolments(self.session, self)
        self.attendance = SqlAttendance(self.session, self)
        self.certificates = SqlCertificates(self.session, self)
        self.status_lists = SqlStatusLists(self.session)
        return self
