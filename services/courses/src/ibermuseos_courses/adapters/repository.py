"""The aggregates stored in PostgreSQL; repositories never commit, the unit of work does."""

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ibermuseos_contracts.common import Modality
from ibermuseos_contracts.courses import OfferingKind, Outcome, Participant, Session, Venue
from ibermuseos_contracts.types import Localized
from ibermuseos_platform.uow import SqlAlchemyUnitOfWork
from sqlalchemy import ColumnElement, Select, false, func, insert, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..application.ports import Page, Scope
from ..domain.catalogue import CompletionRule, Offering, OfferingStatus, SubjectArea
from ..domain.certificates import Certificate, CertificateStatus, Signatory, Wording
from ..domain.enrolments import Attendance, Enrolment, EnrolmentStatus
from ..domain.runs import Run, RunStatus
from ..domain.seating import Seats
from ..domain.status_lists import StatusEntry
from .status_lists import SqlStatusLists
from .tables import attendance, certificates, enrolments, offerings, runs, subject_areas


class _Repository:
    def __init__(self, session: AsyncSession, uow: SqlAlchemyUnitOfWork) -> None:
        self._session = session
        self._uow = uow


class SqlSubjectAreas(_Repository):
    async def add(self, area: SubjectArea, now: datetime) -> bool:
        inserted = await self._session.execute(
            pg_insert(subject_areas)
            .values(code=area.code, name=area.name.model_dump(), added_at=now)
            .on_conflict_do_nothing()
            .returning(subject_areas.c.code)
        )
        return inserted.first() is not None

    async def all(self) -> list[SubjectArea]:
        rows = await self._session.execute(select(subject_areas).order_by(subject_areas.c.code))
        return [SubjectArea(row.code, Localized.model_validate(row.name)) for row in rows]


def _offering(row: Any) -> Offering:
    return Offering(
        id=row.id,
        kind=OfferingKind(row.kind),
        title=Localized.model_validate(row.title),
        description=Localized.model_validate(row.description),
        subject_area=row.subject_area,
        hours=row.hours,
        rule=CompletionRule(row.min_attendance_rate, row.pass_mark),
        certificate=row.certificate,
        status=OfferingStatus(row.status),
        created_at=row.created_at,
        published_at=row.published_at,
    )


class SqlOfferings(_Repository):
    async def add(self, offering: Offering) -> None:
        await self._session.execute(
            insert(offerings).values(
                id=offering.id,
                kind=offering.kind.value,
                title=offering.title.model_dump(),
                description=offering.description.model_dump(),
                subject_area=offering.subject_area,
                hours=offering.hours,
                min_attendance_rate=offering.rule.min_attendance_rate,
                pass_mark=offering.rule.pass_mark,
                certificate=offering.certificate,
                status=offering.status.value,
                created_at=offering.created_at,
                published_at=offering.published_at,
            )
        )
        self._uow.track(offering)

    async def get(self, offering_id: UUID, *, lock: bool = False) -> Offering | None:
        query = select(offerings).where(offerings.c.id == offering_id)
        row = (await self._session.execute(query.with_for_update() if lock else query)).one_or_none()
        if row is None:
            return None
        offering = _offering(row)
        self._uow.track(offering)
        return offering

    async def save(self, offering: Offering) -> None:
        await self._session.execute(
            update(offerings)
            .where(offerings.c.id == offering.id)
            .values(status=offering.status.value, published_at=offering.published_at)
        )

    async def find(
        self, *, published_only: bool, kind: str | None, subject_area: str | None, page: Page
    ) -> list[Offering]:
        query = select(offerings).order_by(offerings.c.created_at.desc(), offerings.c.id)
        if published_only:
            query = query.where(offerings.c.status == OfferingStatus.PUBLISHED.value)
        if kind:
            query = query.where(offerings.c.kind == kind)
        if subject_area:
            query = query.where(offerings.c.subject_area == subject_area)
        rows = await self._session.execute(query.limit(page.limit).offset(page.offset))
        return [_offering(row) for row in rows]


def _run(row: Any) -> Run:
    return Run(
        id=row.id,
        offering_id=row.offering_id,
        kind=OfferingKind(row.kind),
        title=Localized.model_validate(row.title),
        subject_area=row.subject_area,
        hours=row.hours,
        rule=CompletionRule(row.min_attendance_rate, row.pass_mark),
        certificate=row.certificate,
        sessions=[Session.model_validate(s) for s in row.sessions],
        timezone=row.timezone,
        modality=Modality(row.modality),
        venue=Venue.model_validate(row.venue) if row.venue else None,
        language=row.language,
        capacity=row.capacity,
        enrolment_opens_at=row.enrolment_opens_at,
        enrolment_closes_at=row.enrolment_closes_at,
        eligible_countries=list(row.eligible_countries),
        quota_per_country=row.quota_per_country,
        instructors=list(row.instructors),
        status=RunStatus(row.status),
        scheduled_at=row.scheduled_at,
        arrivals=row.arrivals,
        closed_at=row.closed_at,
        cancelled_at=row.cancelled_at,
        cancelled_by=row.cancelled_by,
        cancellation_reason=row.cancellation_reason,
        revision=row.revision,
        rescheduled_at=row.rescheduled_at,
    )


class SqlRuns(_Repository):
    async def add(self, run: Run) -> None:
        await self._session.execute(
            insert(runs).values(
                id=run.id,
                offering_id=run.offering_id,
                kind=run.kind.value,
                title=run.title.model_dump(),
                subject_area=run.subject_area,
                hours=run.hours,
                min_attendance_rate=run.rule.min_attendance_rate,
                pass_mark=run.rule.pass_mark,
                certificate=run.certificate,
                sessions=[s.model_dump(mode="json") for s in run.sessions],
                timezone=run.timezone,
                modality=run.modality.value,
                venue=run.venue.model_dump(mode="json") if run.venue else None,
                language=run.language,
                capacity=run.capacity,
                enrolment_opens_at=run.enrolment_opens_at,
                enrolment_closes_at=run.enrolment_closes_at,
                eligible_countries=run.eligible_countries,
                quota_per_country=run.quota_per_country,
                instructors=run.instructors,
                status=run.status.value,
                starts_at=run.starts_at,
                ends_at=run.ends_at,
                arrivals=run.arrivals,
                scheduled_at=run.scheduled_at,
                closed_at=run.closed_at,
                revision=run.revision,
            )
        )
        self._uow.track(run)

    async def get(self, run_id: UUID, *, lock: bool = False) -> Run | None:
        """With `lock`, the run's row stays locked until the transaction ends: enrolments and
        cancellations of one run happen one at a time."""
        query = select(runs).where(runs.c.id == run_id)
        row = (await self._session.execute(query.with_for_update() if lock else query)).one_or_none()
        if row is None:
            return None
        run = _run(row)
        self._uow.track(run)
        return run

    async def save(self, run: Run) -> None:
        await self._session.execute(
            update(runs)
            .where(runs.c.id == run.id)
            .values(
                instructors=run.instructors,
                status=run.status.value,
                arrivals=run.arrivals,
                closed_at=run.closed_at,
                sessions=[s.model_dump(mode="json") for s in run.sessions],
                starts_at=run.starts_at,
                ends_at=run.ends_at,
                enrolment_closes_at=run.enrolment_closes_at,
                cancelled_at=run.cancelled_at,
                cancelled_by=run.cancelled_by,
                cancellation_reason=run.cancellation_reason,
                revision=run.revision,
                rescheduled_at=run.rescheduled_at,
            )
        )

    async def find(
        self, *, offering_id: UUID | None, status: str | None, instructor: str | None, page: Page
    ) -> list[Run]:
        query = select(runs).order_by(runs.c.starts_at.desc(), runs.c.id)
        if offering_id:
            query = query.where(runs.c.offering_id == offering_id)
        if status:
            query = query.where(runs.c.status == status)
        if instructor:
            query = query.where(runs.c.instructors.contains([instructor]))
        rows = await self._session.execute(query.limit(page.limit).offset(page.offset))
        return [_run(row) for row in rows]

    async def ended_before(self, moment: datetime, limit: int) -> list[UUID]:
        rows = await self._session.execute(
            select(runs.c.id)
            .where(runs.c.status == RunStatus.SCHEDULED.value, runs.c.ends_at <= moment)
            .order_by(runs.c.ends_at)
            .limit(limit)
        )
        return [row.id for row in rows]

    async def waitlists_due(self, now: datetime, limit: int) -> list[UUID]:
        lapses_at = func.greatest(runs.c.starts_at, runs.c.enrolment_closes_at)
        waiting = select(enrolments.c.id).where(
            enrolments.c.run_id == runs.c.id, enrolments.c.status == EnrolmentStatus.WAITLISTED.value
        )
        rows = await self._session.execute(
            select(runs.c.id)
            .where(runs.c.status == RunStatus.SCHEDULED.value, lapses_at <= now, waiting.exists())
            .order_by(lapses_at)
            .limit(limit)
        )
        return [row.id for row in rows]

    async def counts(self, run_ids: Sequence[UUID]) -> dict[UUID, tuple[int, int]]:
        """Seats taken and people waiting, per run."""
        if not run_ids:
            return {}
        rows = await self._session.execute(
            select(
                enrolments.c.run_id,
                func.count().filter(enrolments.c.status == EnrolmentStatus.ENROLLED.value),
                func.count().filter(enrolments.c.status == EnrolmentStatus.WAITLISTED.value),
            )
            .where(enrolments.c.run_id.in_(run_ids))
            .group_by(enrolments.c.run_id)
        )
        found = {row[0]: (row[1], row[2]) for row in rows}
        return {run_id: found.get(run_id, (0, 0)) for run_id in run_ids}


def _enrolment(row: Any) -> Enrolment:
    return Enrolment(
        id=row.id,
        run_id=row.run_id,
        offering_id=row.offering_id,
        kind=OfferingKind(row.kind),
        participant=Participant.model_validate(row.participant),
        status=EnrolmentStatus(row.status),
        arrival=row.arrival,
        requested_at=row.requested_at,
        enrolled_at=row.enrolled_at,
        from_waitlist=row.from_waitlist,
        cancelled_at=row.cancelled_at,
        grade=row.grade,
        outcome=Outcome(row.outcome) if row.outcome else None,
        attendance_rate=row.attendance_rate,
        hours=row.hours,
        evaluated_at=row.evaluated_at,
    )


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


class SqlEnrolments(_Repository):
    async def add(self, enrolment: Enrolment) -> None:
        await self._session.execute(
            insert(enrolments).values(
                id=enrolment.id,
                run_id=enrolment.run_id,
                offering_id=enrolment.offering_id,
                kind=enrolment.kind.value,
                person_id=enrolment.person_id,
                country=enrolment.country,
                email=enrolment.participant.email.lower(),
                participant=enrolment.participant.model_dump(mode="json"),
                status=enrolment.status.value,
                arrival=enrolment.arrival,
                requested_at=enrolment.requested_at,
                enrolled_at=enrolment.enrolled_at,
                from_waitlist=enrolment.from_waitlist,
            )
        )
        self._uow.track(enrolment)

    def _tracked(self, row: Any) -> Enrolment:
        enrolment = _enrolment(row)
        self._uow.track(enrolment)
        return enrolment

    async def get(self, enrolment_id: UUID) -> Enrolment | None:
        row = (
            await self._session.execute(select(enrolments).where(enrolments.c.id == enrolment_id))
        ).one_or_none()
        return None if row is None else self._tracked(row)

    async def save(self, enrolment: Enrolment) -> None:
        await self._session.execute(
            update(enrolments)
            .where(enrolments.c.id == enrolment.id)
            .values(
                status=enrolment.status.value,
                enrolled_at=enrolment.enrolled_at,
                from_waitlist=enrolment.from_waitlist,
                cancelled_at=enrolment.cancelled_at,
                grade=enrolment.grade,
                outcome=enrolment.outcome.value if enrolment.outcome else None,
                attendance_rate=enrolment.attendance_rate,
                hours=enrolment.hours,
                evaluated_at=enrolment.evaluated_at,
            )
        )

    async def seats(self, run: Run) -> Seats:
        rows = await self._session.execute(
            select(enrolments.c.country, func.count())
            .where(enrolments.c.run_id == run.id, enrolments.c.status == EnrolmentStatus.ENROLLED.value)
            .group_by(enrolments.c.country)
        )
        return Seats(run.capacity, run.quota_per_country, Counter({row[0]: row[1] for row in rows}))

    async def waiting(self, run_id: UUID) -> int:
        count = await self._session.scalar(
            select(func.count()).where(
                enrolments.c.run_id == run_id, enrolments.c.status == EnrolmentStatus.WAITLISTED.value
            )
        )
        return int(count or 0)

    async def waitlist(self, run_id: UUID) -> list[Enrolment]:
        rows = await self._session.execute(
            select(enrolments)
            .where(enrolments.c.run_id == run_id, enrolments.c.status == EnrolmentStatus.WAITLISTED.value)
            .order_by(enrolments.c.arrival)
        )
        return [self._tracked(row) for row in rows]

    async def current(self, run_id: UUID, person_id: str) -> Enrolment | None:
        row = (
            await self._session.execute(
                select(enrolments).where(
                    enrolments.c.run_id == run_id,
                    enrolments.c.person_id == person_id,
                    enrolments.c.status != EnrolmentStatus.CANCELLED.value,
                )
            )
        ).one_or_none()
        return None if row is None else self._tracked(row)

    async def of_run(self, run_id: UUID, statuses: Sequence[EnrolmentStatus]) -> list[Enrolment]:
        rows = await self._session.execute(
            select(enrolments)
            .where(enrolments.c.run_id == run_id, enrolments.c.status.in_([s.value for s in statuses]))
            .order_by(enrolments.c.arrival)
        )
        return [self._tracked(row) for row in rows]

    def _position(self) -> Any:
        ahead = enrolments.alias("ahead")
        return (
            select(func.count())
            .where(
                ahead.c.run_id == enrolments.c.run_id,
                ahead.c.status == EnrolmentStatus.WAITLISTED.value,
                ahead.c.arrival <= enrolments.c.arrival,
            )
            .scalar_subquery()
        )

    async def find(
        self,
        scope: Scope,
        *,
        run_id: UUID | None,
        status: EnrolmentStatus | None,
        country: str | None,
        page: Page,
    ) -> list[tuple[Enrolment, int | None]]:
        query: Select[Any] = (
            select(enrolments, self._position().label("waitlist_position"))
            .where(_scope(scope, enrolments.c.person_id, enrolments.c.country, enrolments.c.run_id))
            .order_by(enrolments.c.requested_at.desc(), enrolments.c.id)
        )
        if run_id:
            query = query.where(enrolments.c.run_id == run_id).order_by(None).order_by(enrolments.c.arrival)
        if status:
            query = query.where(enrolments.c.status == status.value)
        if country:
            query = query.where(enrolments.c.country == country)
        rows = await self._session.execute(query.limit(page.limit).offset(page.offset))
        return [
            (
                _enrolment(row),
                row.waitlist_position if row.status == EnrolmentStatus.WAITLISTED.value else None,
            )
            for row in rows
        ]

    async def position(self, enrolment: Enrolment) -> int | None:
        if enrolment.status is not EnrolmentStatus.WAITLISTED:
            return None
        count = await self._session.scalar(
            select(func.count()).where(
                enrolments.c.run_id == enrolment.run_id,
                enrolments.c.status == EnrolmentStatus.WAITLISTED.value,
                enrolments.c.arrival <= enrolment.arrival,
            )
        )
        return int(count or 0)


def _attendance(row: Any) -> Attendance:
    return Attendance(
        row.enrolment_id,
        row.session_id,
        row.present,
        row.minutes,
        row.source,
        row.recorded_at,
        row.recorded_by,
    )


class SqlAttendance(_Repository):
    async def of_session(self, run_id: UUID, session_id: UUID) -> dict[UUID, Attendance]:
        rows = await self._session.execute(
            select(attendance).where(attendance.c.run_id == run_id, attendance.c.session_id == session_id)
        )
        return {row.enrolment_id: _attendance(row) for row in rows}

    async def of_run(self, run_id: UUID) -> list[Attendance]:
        rows = await self._session.execute(select(attendance).where(attendance.c.run_id == run_id))
        return [_attendance(row) for row in rows]

    async def put(self, records: Sequence[Attendance], run_id: UUID) -> None:
        if not records:
            return
        statement = pg_insert(attendance).values(
            [
                {
                    "enrolment_id": r.enrolment_id,
                    "session_id": r.session_id,
                    "run_id": run_id,
                    "present": r.present,
                    "minutes": r.minutes,
                    "source": r.source,
                    "recorded_at": r.recorded_at,
                    "recorded_by": r.recorded_by,
                }
                for r in records
            ]
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[attendance.c.enrolment_id, attendance.c.session_id],
                set_={
                    name: statement.excluded[name]
                    for name in ("present", "minutes", "source", "recorded_at", "recorded_by")
                },
            )
        )


def _wording(document: dict[str, Any]) -> Wording:
    signed = document.get("signatory")
    return Wording(
        issuer=document["issuer"],
        heading=Localized.model_validate(document["heading"]),
        statement=Localized.model_validate(document["statement"]),
        title=Localized.model_validate(document["title"]),
        timezone=document["timezone"],
        signatory=Signatory(signed["name"], Localized.model_validate(signed["role"])) if signed else None,
    )


def _certificate(row: Any) -> Certificate:
    return Certificate(
        id=row.id,
        enrolment_id=row.enrolment_id,
        run_id=row.run_id,
        offering_id=row.offering_id,
        kind=OfferingKind(row.kind),
        person_id=row.person_id,
        country=row.country,
        holder_name=row.holder_name,
        code=row.code,
        wording=_wording(row.wording),
        hours=Decimal(row.hours),
        completed_on=row.completed_on,
        issued_at=row.issued_at,
        language=row.language,
        status=CertificateStatus(row.status),
        revoked_at=row.revoked_at,
        revoked_by=row.revoked_by,
        revocation_reason=row.revocation_reason,
        status_entry=None
        if row.status_list_id is None
        else StatusEntry(row.status_list_id, row.status_list_index),
    )


class SqlCertificates(_Repository):
    async def add(self, certificate: Certificate) -> None:
        wording, entry = certificate.wording, certificate.status_entry
        await self._session.execute(
            insert(certificates).values(
                id=certificate.id,
                enrolment_id=certificate.enrolment_id,
                run_id=certificate.run_id,
                offering_id=certificate.offering_id,
                kind=certificate.kind.value,
                person_id=certificate.person_id,
                country=certificate.country,
                holder_name=certificate.holder_name,
                code=certificate.code,
                wording={
                    "issuer": wording.issuer,
                    "heading": wording.heading.model_dump(),
                    "statement": wording.statement.model_dump(),
                    "title": wording.title.model_dump(),
                    "timezone": wording.timezone,
                    "signatory": {"name": wording.signatory.name, "role": wording.signatory.role.model_dump()}
                    if wording.signatory
                    else None,
                },
                hours=certificate.hours,
                completed_on=certificate.completed_on,
                issued_at=certificate.issued_at,
                language=certificate.language,
                status=certificate.status.value,
                status_list_id=entry.list_id if entry else None,
                status_list_index=entry.index if entry else None,
            )
        )
        self._uow.track(certificate)

    async def get(self, certificate_id: UUID, *, lock: bool = False) -> Certificate | None:
        query = select(certificates).where(certificates.c.id == certificate_id)
        row = (await self._session.execute(query.with_for_update() if lock else query)).one_or_none()
        if row is None:
            return None
        certificate = _certificate(row)
        self._uow.track(certificate)
        return certificate

    async def by_code(self, code: str) -> Certificate | None:
        row = (
            await self._session.execute(select(certificates).where(certificates.c.code == code))
        ).one_or_none()
        return None if row is None else _certificate(row)

    async def save(self, certificate: Certificate) -> None:
        await self._session.execute(
            update(certificates)
            .where(certificates.c.id == certificate.id)
            .values(
                status=certificate.status.value,
                revoked_at=certificate.revoked_at,
                revoked_by=certificate.revoked_by,
                revocation_reason=certificate.revocation_reason,
            )
        )

    async def find(self, scope: Scope, *, run_id: UUID | None, page: Page) -> list[Certificate]:
        query = (
            select(certificates)
            .where(_scope(scope, certificates.c.person_id, certificates.c.country, certificates.c.run_id))
            .order_by(certificates.c.issued_at.desc(), certificates.c.id)
        )
        if run_id:
            query = query.where(certificates.c.run_id == run_id)
        rows = await self._session.execute(query.limit(page.limit).offset(page.offset))
        return [_certificate(row) for row in rows]


class UnitOfWork(SqlAlchemyUnitOfWork):
    """The service's unit of work: its repositories share the transaction."""

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
