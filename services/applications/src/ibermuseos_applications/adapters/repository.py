"""Calls, applications, their evaluations and the audit log in PostgreSQL; repositories never commit.

Aggregates are read from rows and written to them by pydantic's TypeAdapters over their own dataclass fields,
not by hand: a field the queries need is a column of its own, the rest of an aggregate one JSON document.
Calls and applications carry a version: a save that finds another version raises ConcurrentChange.
"""

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from ibermuseos_kernel.errors import Conflict
from ibermuseos_kernel.paging import Page, Slice
from ibermuseos_platform.db import count_rows, on_page
from ibermuseos_platform.paging import sliced
from ibermuseos_platform.uow import SqlAlchemyUnitOfWork
from pydantic import TypeAdapter
from sqlalchemy import ColumnElement, Select, Table, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..application.ports import ApplicationFilter, ConcurrentChange
from ..domain.applications import GRANTED, Application, Status
from ..domain.audit import AuditEntry
from ..domain.calls import Call, CallStatus
from ..domain.documents import DocumentRef, sniff
from ..domain.eligibility import History
from ..domain.evaluations import Assignment, Evaluation
from .tables import applications, assignments, audit_log, calls, documents

T = TypeVar("T")

CALLS = TypeAdapter(Call)
APPLICATIONS = TypeAdapter(Application)
ASSIGNMENTS = TypeAdapter(Assignment)
AUDIT_ENTRIES = TypeAdapter(AuditEntry)


def _fields(kind: type[Any]) -> set[str]:
    return {field.name for field in dataclasses.fields(kind)}


def _columns(table: Table) -> set[str]:
    return set(table.c.keys())


CALL_DOCUMENTS = {"terms", "panel"}
CALL_COLUMNS = _fields(Call) & _columns(calls) - CALL_DOCUMENTS
APPLICATION_COLUMNS = _fields(Application) & _columns(applications)
APPLICATION_DOCUMENT = _fields(Application) - APPLICATION_COLUMNS
"""Everything of an application the queries do not select by is kept in its JSON `document`."""
ASSIGNMENT_DOCUMENTS = {"scores", "comments"}
ASSIGNMENT_COLUMNS = _fields(Assignment) - ASSIGNMENT_DOCUMENTS


def _values(
    adapter: TypeAdapter[T], aggregate: T, *, columns: set[str], documents: set[str]
) -> dict[str, Any]:
    """The row of an aggregate: the fields that are columns as they are, those kept as JSON as JSON."""
    return {
        **adapter.dump_python(aggregate, include=columns),
        **adapter.dump_python(aggregate, mode="json", include=documents, exclude_none=True),
    }


async def _slice(session: AsyncSession, query: Select[Any], page: Page) -> tuple[list[Any], int]:
    """The page's rows of `query` and how many rows it has in all."""
    rows = (await session.execute(on_page(query, page))).all()
    return list(rows), await count_rows(session, query)


# ------------------------------------------------------------------------------ calls


def _call_values(call: Call) -> dict[str, Any]:
    terms = call.terms
    return {
        **_values(CALLS, call, columns=CALL_COLUMNS, documents=CALL_DOCUMENTS),
        # Copies of terms the queries select and sort by.
        "year": terms.year,
        "opens_at": terms.opens_at,
        "closes_at": terms.closes_at,
        "currency": terms.currency,
        "budget": terms.budget,
        "waitlist_closes_at": terms.waitlist_closes_at,
    }


class SqlCalls:
    def __init__(self, session: AsyncSession, uow: SqlAlchemyUnitOfWork) -> None:
        self._session = session
        self._uow = uow

    async def add(self, call: Call) -> None:
        call.version = 1
        await self._session.execute(insert(calls).values(**_call_values(call)))
        self._uow.track(call)

    def _loaded(self, row: Any) -> Call:
        call = CALLS.validate_python(dict(row._mapping))
        self._uow.track(call)
        return call

    async def get(self, call_id: UUID, *, lock: bool = False, share: bool = False) -> Call | None:
        query = select(calls).where(calls.c.id == call_id)
        if lock:
            query = query.with_for_update()
        elif share:
            query = query.with_for_update(read=True)
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else self._loaded(row)

    async def save(self, call: Call) -> None:
        call.version += 1
        result = await self._session.execute(
            update(calls)
            .where(calls.c.id == call.id, calls.c.version == call.version - 1)
            .values(**_call_values(call))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            call.version -= 1
            raise ConcurrentChange()
        self._uow.track(call)

    async def _find(self, where: ColumnElement[bool] | None, page: Page) -> Slice[Call]:
        query = select(calls).order_by(calls.c.closes_at.desc(), calls.c.id)
        rows, total = await _slice(self._session, query if where is None else query.where(where), page)
        return sliced([CALLS.validate_python(dict(row._mapping)) for row in rows], total, page)

    async def find(self, statuses: Sequence[CallStatus] | None, page: Page) -> Slice[Call]:
        return await self._find(None if statuses is None else calls.c.status.in_(statuses), page)

    async def accepting(self, now: datetime, page: Page) -> Slice[Call]:
        return await self._find(and_(calls.c.status == CallStatus.OPEN, calls.c.closes_at > now), page)

    async def due_to_close(self, now: datetime) -> list[UUID]:
        rows = await self._session.scalars(
            select(calls.c.id).where(calls.c.status == CallStatus.OPEN, calls.c.closes_at <= now)
        )
        return list(rows)

    async def waitlists_due_to_close(self, now: datetime) -> list[UUID]:
        rows = await self._session.scalars(
            select(calls.c.id).where(
                calls.c.status == CallStatus.RESULTS_RELEASED,
                calls.c.waitlist_closed_at.is_(None),
                calls.c.waitlist_closes_at <= now,
            )
        )
        return list(rows)


# ------------------------------------------------------------------------------ applications


def _application_values(application: Application) -> dict[str, Any]:
    applicant = application.form.applicant
    return {
        **_values(APPLICATIONS, application, columns=APPLICATION_COLUMNS, documents=set()),
        "document": APPLICATIONS.dump_python(
            application, mode="json", include=APPLICATION_DOCUMENT, exclude_none=True
        ),
        # Lower-cased, for the rule of one application per person and call.
        "applicant_email": applicant.email.lower() if applicant.email else None,
        "country": applicant.country_of_residence,
    }


def _application(row: Any) -> Application:
    return APPLICATIONS.validate_python({**row.document, **row._mapping})


_SUBMITTED = [status for status in Status if status not in (Status.DRAFT, Status.WITHDRAWN)]


class SqlApplications:
    def __init__(self, session: AsyncSession, uow: SqlAlchemyUnitOfWork) -> None:
        self._session = session
        self._uow = uow

    async def add(self, application: Application) -> None:
        application.version = 1
        try:
            async with self._session.begin_nested():
                await self._session.execute(insert(applications).values(**_application_values(application)))
        except IntegrityError:
            raise Conflict("You already have an application to this call", code="already_applied") from None
        self._uow.track(application)

    async def _load(self, query: Select[Any]) -> list[Application]:
        loaded = [_application(row) for row in await self._session.execute(query)]
        for application in loaded:
            self._uow.track(application)
        return loaded

    async def get(self, application_id: UUID) -> Application | None:
        found = await self._load(select(applications).where(applications.c.id == application_id))
        return found[0] if found else None

    async def save(self, application: Application) -> None:
        application.version += 1
        result = await self._session.execute(
            update(applications)
            .where(applications.c.id == application.id, applications.c.version == application.version - 1)
            .values(**_application_values(application))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            application.version -= 1
            raise ConcurrentChange()
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
            applications.c.status.in_(statuses)
            if statuses is not None
            else applications.c.status != Status.DRAFT
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
                applications.c.status.in_(GRANTED),
                applications.c.call_year < call.terms.year,
            )
        )
        return History(other_applications_same_email=int(same_email or 0), awarded_in_years=frozenset(years))

    async def _page(self, query: Select[Any], page: Page) -> Slice[Application]:
        rows, total = await _slice(self._session, query, page)
        return sliced([_application(row) for row in rows], total, page)

    async def search(self, where: ApplicationFilter, page: Page) -> Slice[Application]:
        seen = where.visibility
        own = applications.c.applicant_id == seen.subject
        submitted = applications.c.status != Status.DRAFT
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
            query = query.where(applications.c.status == where.status)
        if where.country is not None:
            query = query.where(applications.c.country == where.country)
        return await self._page(query.order_by(applications.c.created_at.desc(), applications.c.id), page)

    async def assigned_to(self, evaluator_id: str, call_id: UUID | None, page: Page) -> Slice[Application]:
        mine = select(assignments.c.application_id).where(
            assignments.c.evaluator_id == evaluator_id, assignments.c.released_at.is_(None)
        )
        if call_id is not None:
            mine = mine.where(assignments.c.call_id == call_id)
        query = (
            select(applications)
            .where(applications.c.id.in_(mine), applications.c.status != Status.WITHDRAWN)
            .order_by(applications.c.submitted_at, applications.c.id)
        )
        return await self._page(query, page)

    async def drafts_with_documents_in_calls_closed_before(self, moment: datetime) -> list[UUID]:
        rows = await self._session.scalars(
            select(applications.c.id)
            .join(calls, calls.c.id == applications.c.call_id)
            .where(
                applications.c.status == Status.DRAFT,
                func.jsonb_array_length(applications.c.document["documents"]) > 0,
                calls.c.closed_at < moment,
            )
        )
        return list(rows)

    async def lapsing(self, now: datetime) -> list[UUID]:
        rows = await self._session.scalars(
            select(applications.c.id).where(
                applications.c.status == Status.AWARDED, applications.c.accept_by < now
            )
        )
        return list(rows)


# ------------------------------------------------------------------------------ documents' bytes

DOCUMENT_REFS = TypeAdapter(DocumentRef)


class SqlDocuments:
    """A document's bytes are a row of `documents`, keyed by the document's id, beside its application."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, application_id: UUID, document: DocumentRef, content: bytes) -> None:
        await self._session.execute(
            insert(documents).values(
                id=document.id,
                application_id=application_id,
                content=content,
                size=len(content),
                declared_type=document.content_type,
                detected_type=sniff(content),
                sha256=document.sha256,
                created_at=document.uploaded_at,
            )
        )

    async def remove(self, removed: Iterable[DocumentRef]) -> None:
        ids = [document.id for document in removed]
        if ids:
            await self._session.execute(delete(documents).where(documents.c.id.in_(ids)))

    async def read(self, document_id: UUID, offset: int, length: int) -> bytes | None:
        # substring() of an uncompressed out-of-line value fetches only the chunks of that slice.
        piece = await self._session.scalar(
            select(func.substring(documents.c.content, offset + 1, length)).where(
                documents.c.id == document_id
            )
        )
        return None if piece is None else bytes(piece)

    async def listed_without_content(self) -> list[tuple[UUID, DocumentRef]]:
        rows = await self._session.execute(
            text(
                "SELECT applications.id, listed FROM applications, "
                "jsonb_array_elements(applications.document->'documents') AS listed "
                "WHERE NOT EXISTS (SELECT FROM documents WHERE documents.id = (listed->>'id')::uuid) "
                "ORDER BY applications.id"
            )
        )
        return [(application_id, DOCUMENT_REFS.validate_python(listed)) for application_id, listed in rows]

    async def stored(self, document_ids: Iterable[UUID]) -> set[UUID]:
        ids = list(document_ids)
        if not ids:
            return set()
        return set(await self._session.scalars(select(documents.c.id).where(documents.c.id.in_(ids))))


# ------------------------------------------------------------------------------ evaluations


class SqlEvaluations:
    """An evaluation is its application's rows in `assignments`, with what it needs of the application."""

    def __init__(self, session: AsyncSession, uow: SqlAlchemyUnitOfWork) -> None:
        self._session = session
        self._uow = uow

    async def of_all(self, of: Iterable[Application]) -> dict[UUID, Evaluation]:
        evaluated = {application.id: application for application in of}
        if not evaluated:
            return {}
        rows = await self._session.execute(
            select(assignments)
            .where(assignments.c.application_id.in_(list(evaluated)))
            .order_by(assignments.c.assigned_at, assignments.c.evaluator_id)
        )
        given: dict[UUID, list[Assignment]] = {application_id: [] for application_id in evaluated}
        for row in rows:
            given[row.application_id].append(ASSIGNMENTS.validate_python(dict(row._mapping)))
        found = {key: Evaluation.of(application, given[key]) for key, application in evaluated.items()}
        for evaluation in found.values():
            self._uow.track(evaluation)
        return found

    async def of(self, application: Application) -> Evaluation:
        return (await self.of_all([application]))[application.id]

    async def save(self, evaluation: Evaluation) -> None:
        for assignment in evaluation.assignments:
            values = _values(
                ASSIGNMENTS, assignment, columns=ASSIGNMENT_COLUMNS, documents=ASSIGNMENT_DOCUMENTS
            )
            await self._session.execute(
                pg_insert(assignments)
                .values(application_id=evaluation.application_id, call_id=evaluation.call_id, **values)
                .on_conflict_do_update(index_elements=["application_id", "evaluator_id"], set_=values)
            )
        self._uow.track(evaluation)

    async def load(self, call_id: UUID) -> dict[str, int]:
        rows = await self._session.execute(
            select(assignments.c.evaluator_id, func.count())
            .where(assignments.c.call_id == call_id, assignments.c.released_at.is_(None))
            .group_by(assignments.c.evaluator_id)
        )
        return {str(evaluator): int(count) for evaluator, count in rows}


# ------------------------------------------------------------------------------ audit


class SqlAudit:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, entry: AuditEntry) -> None:
        await self._session.execute(insert(audit_log).values(**AUDIT_ENTRIES.dump_python(entry)))

    async def find(
        self, *, call_id: UUID | None, application_id: UUID | None, page: Page
    ) -> Slice[AuditEntry]:
        query = select(audit_log).order_by(audit_log.c.id.desc())
        if call_id is not None:
            query = query.where(audit_log.c.call_id == call_id)
        if application_id is not None:
            query = query.where(audit_log.c.application_id == application_id)
        rows, total = await _slice(self._session, query, page)
        return sliced([AUDIT_ENTRIES.validate_python(dict(row._mapping)) for row in rows], total, page)


class UnitOfWork(SqlAlchemyUnitOfWork):
    """The service's unit of work: its repositories share the transaction."""

    calls: SqlCalls
    applications: SqlApplications
    evaluations: SqlEvaluations
    audit: SqlAudit
    documents: SqlDocuments

    async def __aenter__(self) -> "UnitOfWork":
        await super().__aenter__()
        self.calls = SqlCalls(self.session, self)
        self.applications = SqlApplications(self.session, self)
        self.evaluations = SqlEvaluations(self.session, self)
        self.audit = SqlAudit(self.session)
        self.documents = SqlDocuments(self.session)
        return self
