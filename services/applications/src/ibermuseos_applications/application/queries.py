"""What people read, as view objects: calls, applications, documents, evaluators' assignments, the ranking, the
audit log. Each query checks who may see what, as the commands do; none changes anything."""

from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from ibermuseos_kernel.caller import Caller
from ibermuseos_kernel.errors import NotFound
from ibermuseos_kernel.paging import Page, Slice

from ..domain import ranking
from ..domain.applications import Application, Status
from ..domain.audit import AuditEntry
from ..domain.calls import Call, CallStatus
from ..domain.documents import DocumentRef
from ..domain.evaluations import Evaluation
from .access import is_assigned, may_read, visibility
from .common import assigned_application, load_application, load_call
from .ports import ApplicationFilter, UnitOfWork, UnitOfWorkFactory

DOWNLOAD_SLICE_BYTES = 256 * 1024
"""How much of a document a download reads from the database at a time."""
PENDING = (Status.ELIGIBLE, Status.INFORMATION_REQUESTED, Status.SCREENING, Status.UNDER_EVALUATION)
"""Applications a call's decisions wait for."""


@dataclass(frozen=True)
class ApplicationView:
    """An application with what its readers see along with it: its call (currency, time zone) and evaluation."""

    application: Application
    call: Call
    evaluation: Evaluation


@dataclass(frozen=True)
class EvaluationView:
    """An assigned application as the evaluator `evaluator_id` reads it."""

    application: Application
    call: Call
    evaluation: Evaluation
    evaluator_id: str


@dataclass(frozen=True)
class AssignmentSummary:
    application_id: UUID
    call_id: UUID
    scored: bool
    activity: str | None
    country_of_residence: str | None
    assigned_at: datetime


@dataclass(frozen=True)
class Standing:
    """A call's ranking and drafted decisions, as the coordinator decides on them."""

    call: Call
    ranking: list[ranking.Ranked]
    pending: list[Application]
    drafted_total: Decimal


@dataclass(frozen=True)
class Download:
    document: DocumentRef
    content: AsyncIterator[bytes]
    """Its bytes, read from the database as they are sent."""


def standing_of(
    call: Call, applications: Iterable[Application], evaluations: Mapping[UUID, Evaluation]
) -> Standing:
    listed = list(applications)
    return Standing(
        call=call,
        ranking=ranking.rank(call.terms, listed, evaluations),
        pending=[a for a in listed if a.status in PENDING],
        drafted_total=ranking.drafted_total(listed),
    )


async def view_of(uow: UnitOfWork, application: Application, call: Call | None = None) -> ApplicationView:
    """The application as its readers see it, read in the unit of work that has it."""
    return ApplicationView(
        application,
        call or await load_call(uow, application.call_id),
        await uow.evaluations.of(application),
    )


async def open_calls(uow: UnitOfWork, now: datetime, page: Page) -> Slice[Call]:
    """The published calls whose deadline has not passed, for anyone."""
    async with uow:
        return await uow.calls.accepting(now, page)


async def calls(uow: UnitOfWork, caller: Caller, page: Page) -> Slice[Call]:
    """Calls, the latest deadline first; drafts only for coordinators."""
    published = [CallStatus.OPEN, CallStatus.CLOSED, CallStatus.RESULTS_RELEASED]
    async with uow:
        return await uow.calls.find(None if caller.is_coordinator else published, page)


async def call(uow: UnitOfWork, caller: Caller, call_id: UUID) -> Call:
    async with uow:
        found = await load_call(uow, call_id)
    if found.status is CallStatus.DRAFT and not caller.is_coordinator:
        raise NotFound("No such call")
    return found


async def applications(
    uow: UnitOfWork,
    caller: Caller,
    page: Page,
    *,
    call_id: UUID | None = None,
    status: Status | None = None,
    country: str | None = None,
) -> Slice[Application]:
    """The applications the caller may see (their own; a focal point's country's; all submitted for coordinators)."""
    where = ApplicationFilter(visibility(caller), call_id=call_id, status=status, country=country)
    async with uow:
        return await uow.applications.search(where, page)


async def application(uow: UnitOfWork, caller: Caller, application_id: UUID) -> ApplicationView:
    """The application if the caller may read it; not found otherwise (even for another country's focal point)."""
    async with uow:
        found = await uow.applications.get(application_id)
        if found is None or not may_read(caller, found):
            raise NotFound("No such application")
        return await view_of(uow, found)


async def document(
    uows: UnitOfWorkFactory, caller: Caller, application_id: UUID, document_id: UUID
) -> Download:
    """A document, for whoever may read its application and for the application's evaluators: its first slice read
    with the check, the rest as it is sent."""
    async with uows() as uow:
        found = await load_application(uow, application_id)
        evaluating = (
            is_assigned(caller, await uow.evaluations.of(found)) and found.status is not Status.WITHDRAWN
        )
        if not (may_read(caller, found) or evaluating):
            raise NotFound("No such application")
        listed = found.document(document_id)
        first = await uow.documents.read(listed.id, 0, DOWNLOAD_SLICE_BYTES)
    if first is None:
        raise NotFound("The document's content is not stored")
    return Download(listed, _slices(uows, listed, first))


async def _slices(uows: UnitOfWorkFactory, document: DocumentRef, first: bytes) -> AsyncIterator[bytes]:
    """The document's bytes a slice at a time, each read in a short transaction of its own, so that a slow client
    holds neither a connection nor more than a slice of memory."""
    yield first
    sent = len(first)
    while sent < document.size:
        async with uows() as uow:
            piece = await uow.documents.read(document.id, sent, DOWNLOAD_SLICE_BYTES)
        if not piece:
            raise NotFound("The document was removed while it was being sent")
        yield piece
        sent += len(piece)


async def assignments(
    uow: UnitOfWork, caller: Caller, call_id: UUID | None, page: Page
) -> Slice[AssignmentSummary]:
    """The evaluator's current assignments (withdrawn applications drop out)."""
    async with uow:
        found = await uow.applications.assigned_to(caller.subject, call_id, page)
        evaluations = await uow.evaluations.of_all(found.items)
    summaries = []
    for assigned in found.items:
        mine = evaluations[assigned.id].assignment_of(caller.subject)
        summaries.append(
            AssignmentSummary(
                application_id=assigned.id,
                call_id=assigned.call_id,
                scored=mine.done,
                activity=assigned.form.activity.title,
                country_of_residence=assigned.form.applicant.country_of_residence,
                assigned_at=mine.assigned_at,
            )
        )
    return Slice(summaries, found.total, found.next)


async def evaluation(uow: UnitOfWork, caller: Caller, application_id: UUID) -> EvaluationView:
    """An application assigned to the evaluator calling, as they may read it."""
    async with uow:
        assigned, evaluated = await assigned_application(uow, application_id, caller)
        return EvaluationView(assigned, await load_call(uow, assigned.call_id), evaluated, caller.subject)


async def standing(uow: UnitOfWork, call_id: UUID) -> Standing:
    async with uow:
        found = await load_call(uow, call_id)
        listed = await uow.applications.in_call(found.id)
        return standing_of(found, listed, await uow.evaluations.of_all(listed))


async def audit(
    uow: UnitOfWork, page: Page, *, call_id: UUID | None = None, application_id: UUID | None = None
) -> Slice[AuditEntry]:
    """Who decided what, when and why, newest first."""
    async with uow:
        return await uow.audit.find(call_id=call_id, application_id=application_id, page=page)
