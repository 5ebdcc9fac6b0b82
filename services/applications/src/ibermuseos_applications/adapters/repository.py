"""Calls, applications and the audit log in PostgreSQL; repositories never commit."""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ibermuseos_contracts.applications import DeclineGround, Reason
from ibermuseos_platform.uow import SqlAlchemyUnitOfWork
from sqlalchemy import Select, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..application.ports import ApplicationFilter, ConcurrentChange, Page
from ..domain.applications import (
    GRANTED,
    Application,
    Assignment,
    DraftDecision,
    InformationRequest,
    Outcome,
    Release,
    Report,
    Status,
)
from ..domain.audit import AuditEntry
from ..domain.calls import Call, CallStatus, CallTerms, PanelMember
from ..domain.documents import DocumentRef
from ..domain.eligibility import History
from ..domain.errors import NotNow
from ..domain.forms import Form
from ..domain.values import DocumentKind
from .tables import applications, assignments, audit_log, calls

# ------------------------------------------------------------------------------ calls


def _call_values(call: Call) -> dict[str, Any]:
    return {
        "status": call.status.value,
        "year": call.terms.year,
        "terms": call.terms.model_dump(mode="json"),
        "opens_at": call.terms.opens_at,
        "closes_at": call.terms.closes_at,
        "currency": call.terms.currency,
        "budget": call.terms.budget,
        "committed": call.committed,
        "max_awards_per_country": call.max_awards_per_country,
        "panel": [_panel_member_values(m) for m in call.panel],
        "published_at": call.published_at,
        "closed_at": call.closed_at,
        "results_released_at": call.results_released_at,
        "waitlist_closes_at": call.terms.waitlist_closes_at,
        "waitlist_closed_at": call.waitlist_closed_at,
    }


def _panel_member_values(member: PanelMember) -> dict[str, Any]:
    values: dict[str, Any] = {"evaluator_id": member.evaluator_id, "country": member.country}
    contact = {
        "name": member.name,
        "email": member.email,
        "preferred_language": member.preferred_language,
        "timezone": member.timezone,
    }
    return {**values, **{key: value for key, value in contact.items() if value is not None}}


def _panel_member(values: dict[str, Any]) -> PanelMember:
    return PanelMember(
        values["evaluator_id"],
        values["country"],
        values.get("name"),
        values.get("email"),
        values.get("preferred_language"),
        values.get("timezone"),
    )


def _call(row: Any) -> Call:
    return Call(
        id=row.id,
        terms=CallTerms.model_validate(row.terms),
        status=CallStatus(row.status),
        created_at=row.created_at,
        created_by=row.created_by,
        panel=[_panel_member(m) for m in row.panel],
        committed=Decimal(row.committed),
        max_awards_per_country=row.max_awards_per_country,
        published_at=row.published_at,
        closed_at=row.closed_at,
        results_released_at=row.results_released_at,
        waitlist_closed_at=row.waitlist_closed_at,
        version=row.version,
    )


class SqlCalls:
    def __init__(self, session: AsyncSession, uow: SqlAlchemyUnitOfWork) -> None:
        self._session = session
        self._uow = uow

    async def add(self, call: Call) -> None:
        await self._session.execute(
            insert(calls).values(
                id=call.id,
                created_at=call.created_at,
                created_by=call.created_by,
                version=1,
                **_call_values(call),
            )
        )
        call.version = 1
        self._uow.track(call)

    async def get(self, call_id: UUID, *, lock: bool = False, share: bool = False) -> Call | None:
        query = select(calls).where(calls.c.id == call_id)
        if lock:
            query = query.with_for_update()
        elif share:
            query = query.with_for_update(read=True)
        row = (await self._session.execute(query)).one_or_none()
        if row is None:
            return None
        call = _call(row)
        self._uow.track(call)
        return call

    async def save(self, call: Call) -> None:
        result = await self._session.execute(
            update(calls)
            .where(calls.c.id == call.id, calls.c.version == call.version)
            .values(version=call.version + 1, **_call_values(call))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentChange(f"call {call.id} changed meanwhile")
        call.version += 1
        self._uow.track(call)

    async def find(self, statuses: Sequence[CallStatus] | None, page: Page) -> list[Call]:
        query = (
            select(calls).order_by(calls.c.closes_at.desc(), calls.c.id).limit(page.limit).offset(page.offset)
        )
        if statuses is not None:
            query = query.where(calls.c.status.in_([status.value for status in statuses]))
        return [_call(row) for row in await self._session.execute(query)]

    async def due_to_close(self, now: datetime) -> list[UUID]:
        rows = await self._session.execute(
            select(calls.c.id).where(calls.c.status == CallStatus.OPEN.value, calls.c.closes_at <= now)
        )
        return list(rows.scalars())

    async def waitlists_due_to_close(self, now: datetime) -> list[UUID]:
        rows = await self._session.execute(
            select(calls.c.id).where(
                calls.c.status == CallStatus.RESULTS_RELEASED.value,
                calls.c.waitlist_closed_at.is_(None),
                calls.c.waitlist_closes_at <= now,
            )
        )
        return list(rows.scalars())


# ------------------------------------------------------------------------------ applications


def _iso(moment: datetime | date | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _document(application: Application) -> dict[str, Any]:
    draft = application.draft
    return {
        "form": application.form.model_dump(mode="json"),
        "documents": [
            {
                "id": str(d.id),
                "kind": d.kind.value,
                "filename": d.filename,
                "content_type": d.content_type,
                "size": d.size,
                "sha256": d.sha256,
                "uploaded_at": d.uploaded_at.isoformat(),
                "request_id": None if d.request_id is None else str(d.request_id),
            }
            for d in application.documents
        ],
        "reasons": [reason.model_dump(mode="json") for reason in application.reasons],
        "overridden": application.overridden,
        "information_requests": [
            {
                "id": str(r.id),
                "question": r.question,
                "asked_by": r.asked_by,
                "asked_at": r.asked_at.isoformat(),
                "answer": r.answer,
                "answered_at": _iso(r.answered_at),
            }
            for r in application.information_requests
        ],
        "draft": None
        if draft is None
        else {
            "outcome": draft.outcome.value,
            "amount": None if draft.amount is None else str(draft.amount),
            "adjusted": draft.adjusted,
        },
        "amount": None if application.amount is None else str(application.amount),
        "awarded_at": _iso(application.awarded_at),
        "from_waitlist": application.from_waitlist,
        "waitlist_position": application.waitlist_position,
        "rejected_as_waitlist_closed": application.rejected_as_waitlist_closed,
        "decided_at": _iso(application.decided_at),
        "answered_at": _iso(application.answered_at),
        "report_due_on": _iso(application.report_due_on),
        "report": None if application.report is None else application.report.model_dump(mode="json"),
        "reported_at": _iso(application.reported_at),
        "withdrawn_at": _iso(application.withdrawn_at),
    }


def _application(row: Any, assignment_rows: Sequence[Any]) -> Application:
    doc = row.document
    draft = doc["draft"]
    return Application(
        id=row.id,
        call_id=row.call_id,
        call_year=row.call_year,
        applicant_id=row.applicant_id,
        created_at=row.created_at,
        form=Form.model_validate(doc["form"]),
        status=Status(row.status),
        submitted_at=row.submitted_at,
        documents=[
            DocumentRef(
                id=UUID(d["id"]),
                kind=DocumentKind(d["kind"]),
                filename=d["filename"],
                content_type=d["content_type"],
                size=d["size"],
                sha256=d["sha256"],
                uploaded_at=datetime.fromisoformat(d["uploaded_at"]),
                request_id=None if d["request_id"] is None else UUID(d["request_id"]),
            )
            for d in doc["documents"]
        ],
        reasons=[Reason.model_validate(reason) for reason in doc["reasons"]],
        overridden=doc["overridden"],
        information_requests=[
            InformationRequest(
                id=UUID(r["id"]),
                question=r["question"],
                asked_by=r["asked_by"],
                asked_at=datetime.fromisoformat(r["asked_at"]),
                answer=r["answer"],
                answered_at=_moment(r["answered_at"]),
            )
            for r in doc["information_requests"]
        ],
        assignments=[
            Assignment(
                evaluator_id=a.evaluator_id,
                evaluator_country=a.evaluator_country,
                assigned_at=a.assigned_at,
                scores=None if a.scores is None else {k: Decimal(v) for k, v in a.scores.items()},
                comments=a.comments,
                scored_at=a.scored_at,
                round_id=a.round_id,
                replaces=a.replaces,
                released_at=a.released_at,
                release=None if a.release is None else Release(a.release),
                release_ground=None if a.release_ground is None else DeclineGround(a.release_ground),
                release_reason=a.release_reason,
                released_by=a.released_by,
            )
            for a in assignment_rows
        ],
        draft=None
        if draft is None
        else DraftDecision(
            Outcome(draft["outcome"]),
            None if draft["amount"] is None else Decimal(draft["amount"]),
            draft["adjusted"],
        ),
        amount=None if doc["amount"] is None else Decimal(doc["amount"]),
        awarded_at=_moment(doc["awarded_at"]),
        accept_by=row.accept_by,
        from_waitlist=doc["from_waitlist"],
        waitlist_position=doc["waitlist_position"],
        rejected_as_waitlist_closed=doc.get("rejected_as_waitlist_closed", False),
        decided_at=_moment(doc["decided_at"]),
        answered_at=_moment(doc["answered_at"]),
        report_due_on=None if doc["report_due_on"] is None else date.fromisoformat(doc["report_due_on"]),
        report=None if doc["report"] is None else Report.model_validate(doc["report"]),
        reported_at=_moment(doc["reported_at"]),
        withdrawn_at=_moment(doc["withdrawn_at"]),
        version=row.version,
    )


def _application_values(application: Application) -> dict[str, Any]:
    email = application.form.applicant.email
    return {
        "applicant_email": email.lower() if email else None,
        "country": application.form.applicant.country_of_residence,
        "status": application.status.value,
        "submitted_at": application.submitted_at,
        "accept_by": application.accept_by,
        "document": _document(application),
    }


_SUBMITTED = [status.value for status in Status if status not in (Status.DRAFT, Status.WITHDRAWN)]


class SqlApplications:
    def __init__(self, session: AsyncSession, uow: SqlAlchemyUnitOfWork) -> None:
        self._session = session
        self._uow = uow

    async def add(self, application: Application) -> None:
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    insert(applications).values(
                        id=application.id,
                        call_id=application.call_id,
                        call_year=application.call_year,
                        applicant_id=application.applicant_id,
                        created_at=application.created_at,
                        version=1,
                        **_application_values(application),
                    )
                )
        except IntegrityError:
            raise NotNow("You already have an application to this call", "already_applied") from None
        application.version = 1
        self._uow.track(application)

    async def _load(self, query: Select[Any]) -> list[Application]:
        rows = (await self._session.execute(query)).all()
        if not rows:
            return []
        by_application: dict[UUID, list[Any]] = {row.id: [] for row in rows}
        assigned = await self._session.execute(
            select(assignments)
            .where(assignments.c.application_id.in_(list(by_application)))
            .order_by(assignments.c.assigned_at, assignments.c.evaluator_id)
        )
        for assignment in assigned:
            by_application[assignment.application_id].append(assignment)
        loaded = [_application(row, by_application[row.id]) for row in rows]
        for application in loaded:
            self._uow.track(application)
        return loaded

    async def get(self, application_id: UUID) -> Application | None:
        found = await self._load(select(applications).where(applications.c.id == application_id))
        return found[0] if found else None

    async def save(self, application: Application) -> None:
        result = await self._session.execute(
            update(applications)
            .where(applications.c.id == application.id, applications.c.version == application.version)
            .values(version=application.version + 1, **_application_values(application))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentChange(f"application {application.id} changed meanwhile")
        application.version += 1
        for assignment in application.assignments:
            values = {
                "call_id": application.call_id,
                "evaluator_country": assignment.evaluator_country,
                "assigned_at": assignment.assigned_at,
                "scores": None
                if assignment.scores is None
                else {k: str(v) for k, v in assignment.scores.items()},
                "comments": assignment.comments,
                "scored_at": assignment.scored_at,
                "round_id": assignment.round_id,
                "replaces": assignment.replaces,
                "released_at": assignment.released_at,
                "release": None if assignment.release is None else assignment.release.value,
                "release_ground": None
                if assignment.release_ground is None
                else assignment.release_ground.value,
                "release_reason": assignment.release_reason,
                "released_by": assignment.released_by,
            }
            await self._session.execute(
                pg_insert(assignments)
                .values(application_id=application.id, evaluator_id=assignment.evaluator_id, **values)
                .on_conflict_do_update(index_elements=["application_id", "evaluator_id"], set_=values)
            )
        self._uow.track(application)

    async def delete(self, application: Application) -> None:
        await self._session.execute(
            delete(applications).where(
                applications.c.id == application.id, applications.c.version == application.version
            )
        )

    async def in_call(self, call_id: UUID, statuses: Sequence[Status] | None = None) -> list[Application]:
        query = select(applications).where(applications.c.call_id == call_id)
        query = query.where(
            applications.c.status.in_([s.value for s in statuses])
            if statuses is not None
            else applications.c.status != Status.DRAFT.value
        )
        return await self._load(query.order_by(applications.c.submitted_at, applications.c.id))

    async def count_submitted(self, call_id: UUID) -> int:
        count = await self._session.scalar(
            select(func.count()).where(
                applications.c.call_id == call_id, applications.c.submitted_at.is_not(None)
            )
        )
        return int(count or 0)

    async def history(self, *, call: Call, application: Application) -> History:
        email = (application.form.applicant.email or "").lower()
        same_email = await self._session.scalar(
            select(func.count()).where(
                applications.c.call_id == call.id,
                applications.c.applicant_email == email,
                applications.c.applicant_id != application.applicant_id,
                applications.c.status.in_(_SUBMITTED),
            )
        )
        years = await self._session.scalars(
            select(applications.c.call_year)
            .distinct()
            .where(
                or_(
                    applications.c.applicant_id == application.applicant_id,
                    applications.c.applicant_email == email,
                ),
                applications.c.status.in_([s.value for s in GRANTED]),
                applications.c.call_year < call.terms.year,
            )
        )
        return History(other_applications_same_email=int(same_email or 0), awarded_in_years=frozenset(years))

    async def search(self, where: ApplicationFilter, page: Page) -> list[Application]:
        seen = where.visibility
        own = applications.c.applicant_id == seen.subject
        submitted = applications.c.status != Status.DRAFT.value
        if seen.all_submitted:
            visible = or_(own, submitted)
        elif seen.country is not None:
            visible = or_(own, and_(submitted, applications.c.country == seen.country))
        else:
            visible = own
        query = select(applications).where(visible)
        if where.call_id is not None:
            query = query.where(applications.c.call_id == where.call_id)
        if where.status is not None:
            query = query.where(applications.c.status == where.status.value)
        if where.country is not None:
            query = query.where(applications.c.country == where.country)
        query = (
            query.order_by(applications.c.created_at.desc(), applications.c.id)
            .limit(page.limit)
            .offset(page.offset)
        )
        return await self._load(query)

    async def assigned_to(self, evaluator_id: str, call_id: UUID | None, page: Page) -> list[Application]:
        mine = select(assignments.c.application_id).where(
            assignments.c.evaluator_id == evaluator_id, assignments.c.released_at.is_(None)
        )
        if call_id is not None:
            mine = mine.where(assignments.c.call_id == call_id)
        query = (
            select(applications)
            .where(applications.c.id.in_(mine), applications.c.status != Status.WITHDRAWN.value)
            .order_by(applications.c.submitted_at, applications.c.id)
            .limit(page.limit)
            .offset(page.offset)
        )
        return await self._load(query)

    async def assignment_load(self, call_id: UUID) -> dict[str, int]:
        rows = await self._session.execute(
            select(assignments.c.evaluator_id, func.count())
            .where(assignments.c.call_id == call_id, assignments.c.released_at.is_(None))
            .group_by(assignments.c.evaluator_id)
        )
        return {str(evaluator): int(count) for evaluator, count in rows}

    async def drafts_with_documents_in_calls_closed_before(self, moment: datetime) -> list[UUID]:
        rows = await self._session.scalars(
            select(applications.c.id)
            .join(calls, calls.c.id == applications.c.call_id)
            .where(
                applications.c.status == Status.DRAFT.value,
                func.jsonb_array_length(applications.c.document["documents"]) > 0,
                calls.c.closed_at < moment,
            )
        )
        return list(rows)

    async def referenced_documents(self, document_ids: Sequence[str]) -> set[str]:
        if not document_ids:
            return set()
        rows = await self._session.scalars(
            text(
                "SELECT listed->>'id' FROM applications, jsonb_array_elements(document->'documents') AS listed "
                "WHERE listed->>'id' = ANY(:ids)"
            ),
            {"ids": list(document_ids)},
        )
        return set(rows)

    async def lapsing(self, now: datetime) -> list[UUID]:
        rows = await self._session.scalars(
            select(applications.c.id).where(
                applications.c.status == Status.AWARDED.value, applications.c.accept_by < now
            )
        )
        return list(rows)


# ------------------------------------------------------------------------------ audit


class SqlAudit:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, entry: AuditEntry) -> None:
        await self._session.execute(
            insert(audit_log).values(
                at=entry.at,
                actor=entry.actor,
                action=entry.action,
                call_id=entry.call_id,
                application_id=entry.application_id,
                justification=entry.justification,
                details=entry.details,
            )
        )

    async def find(
        self, *, call_id: UUID | None, application_id: UUID | None, page: Page
    ) -> list[AuditEntry]:
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(page.limit).offset(page.offset)
        if call_id is not None:
            query = query.where(audit_log.c.call_id == call_id)
        if application_id is not None:
            query = query.where(audit_log.c.application_id == application_id)
        return [
            AuditEntry(
                at=row.at,
                actor=row.actor,
                action=row.action,
                call_id=row.call_id,
                application_id=row.application_id,
                justification=row.justification,
                details=row.details,
            )
            for row in await self._session.execute(query)
        ]


class UnitOfWork(SqlAlchemyUnitOfWork):
    """The service's unit of work: its repositories share the transaction."""

    calls: SqlCalls
    applications: SqlApplications
    audit: SqlAudit

    async def __aenter__(self) -> "UnitOfWork":
        await super().__aenter__()
        self.calls = SqlCalls(self.session, self)
        self.applications = SqlApplications(self.session, self)
        self.audit = SqlAudit(self.session)
        return self
