"""HTTP API of applications: the applicant's draft, documents, submission, answers, grant and report;
the coordinator's screening; everyone's reading of what they may see."""

import hashlib
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import JSONResponse
from ibermuseos_contracts.types import CountryCode, Localized
from ibermuseos_platform.auth import Principal
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..application import applications as handlers
from ..application import decisions
from ..application.access import Actor, is_assigned, may_read, visibility
from ..application.common import load_application, load_call
from ..application.ports import ApplicationFilter, UnitOfWork
from ..domain.applications import Application, Report, Status
from ..domain.documents import Upload
from ..domain.errors import Invalid, Issue, NotFound
from ..domain.forms import ApplicantForm, Form, FormPatch
from ..domain.values import Justification, LongText
from .calls import IdempotencyKey
from .dependencies import ContainerDep, Coordinator, CurrentActor, PageDep, ParticipantPrincipal, actor_of
from .views import (
    ApplicationOut,
    ApplicationSummaryOut,
    DocumentOut,
    PageOut,
    application_out,
    document_out,
    summary_out,
)

router = APIRouter(tags=["applications"])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


async def _view(c: ContainerDep, application: Application, actor: Actor) -> ApplicationOut:
    async with c.uow() as uow:
        call = await load_call(uow, application.call_id)
    return application_out(application, call, actor)


async def _readable(c: ContainerDep, application_id: UUID, actor: Actor) -> Application:
    """The application if the caller may read it; 404 otherwise (even for another country's focal point)."""
    async with c.uow() as uow:
        application = await uow.applications.get(application_id)
    if application is None or not may_read(actor, application):
        raise NotFound("No such application")
    return application


# ------------------------------------------------------------------------------ the applicant's draft


@router.post(
    "/calls/{call_id}/applications",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicationOut,
    summary="Start an application to a published call (one per call and person); fields may be filled later",
    responses={409: {"description": "the call is closed, or you already have an application to it"}},
)
async def start(
    call_id: UUID,
    body: FormPatch,
    c: ContainerDep,
    principal: ParticipantPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    actor = actor_of(principal)
    # Name and e-mail come from the token when the applicant does not give them.
    prefill = Form(applicant=_contact(principal))

    async def command(uow: UnitOfWork) -> tuple[int, dict[str, Any]]:
        application = await handlers.start_application(
            handlers.StartApplication(call_id, prefill.merged(body), actor), uow, c.clock
        )
        return status.HTTP_201_CREATED, (await _view(c, application, actor)).model_dump(mode="json")

    return await c.idempotency.run(
        principal=actor.subject, key=idempotency_key, body={"call_id": call_id, "form": body}, command=command
    )


def _contact(principal: Principal) -> ApplicantForm:
    """The name and e-mail claims of the token, each only if it is valid in the form."""
    values = {}
    for field, value in (("name", principal.name), ("email", principal.email)):
        try:
            ApplicantForm.model_validate({field: value})
        except ValidationError:
            continue
        values[field] = value
    return ApplicantForm.model_validate(values)


@router.get(
    "/applications",
    response_model=PageOut[ApplicationSummaryOut],
    summary="Applications the caller may see: their own; a focal point's country's; all for coordinators",
)
async def list_applications(
    c: ContainerDep,
    actor: CurrentActor,
    page: PageDep,
    call_id: UUID | None = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    country: CountryCode | None = None,
) -> PageOut[ApplicationSummaryOut]:
    where = ApplicationFilter(visibility(actor), call_id=call_id, status=status_, country=country)
    async with c.uow() as uow:
        found = await uow.applications.search(where, page)
    return PageOut(items=[summary_out(a) for a in found], limit=page.limit, offset=page.offset)


@router.get("/applications/{application_id}", response_model=ApplicationOut, summary="One application")
async def get_application(application_id: UUID, c: ContainerDep, actor: CurrentActor) -> ApplicationOut:
    return await _view(c, await _readable(c, application_id, actor), actor)


@router.patch(
    "/applications/{application_id}",
    response_model=ApplicationOut,
    summary="Edit your draft: the sections given are merged field by field (null clears a field)",
)
async def edit(application_id: UUID, body: FormPatch, c: ContainerDep, actor: CurrentActor) -> ApplicationOut:
    application = await handlers.edit_application(
        handlers.EditApplication(application_id, body, actor), c.uow(), c.clock
    )
    return await _view(c, application, actor)


@router.delete(
    "/applications/{application_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Discard your draft (a submitted application is withdrawn instead)",
)
async def discard(application_id: UUID, c: ContainerDep, actor: CurrentActor) -> Response:
    await handlers.discard_draft(handlers.DiscardDraft(application_id, actor), c.uow(), c.clock, c.storage)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------------------ documents


async def _read_body(request: Request, max_bytes: int) -> tuple[bytes, int]:
    """The body, read no further than one byte past the limit (the size tells whether it was exceeded)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        return b"", int(declared)
    received = bytearray()
    async for chunk in request.stream():
        received.extend(chunk)
        if len(received) > max_bytes:
            return bytes(received[:16]), len(received)
    return bytes(received), len(received)


@router.post(
    "/applications/{application_id}/documents",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentOut,
    summary="Upload a supporting document: the file is the request body (PDF, PNG or JPEG, checked by its bytes)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                t: {"schema": {"type": "string", "format": "binary"}}
                for t in ("application/pdf", "image/png", "image/jpeg")
            },
        }
    },
    responses={
        413: {"description": "the file is larger than allowed"},
        422: {"description": "every problem with the upload, listed"},
    },
)
async def upload(
    application_id: UUID,
    request: Request,
    c: ContainerDep,
    actor: CurrentActor,
    kind: Annotated[
        str,
        Query(
            max_length=50,
            description="cv, institution_endorsement, activity_admission, budget_quote or other",
        ),
    ],
    filename: Annotated[str, Query(max_length=255)],
    content_type: Annotated[str, Header(alias="Content-Type")] = "",
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    content, size = await _read_body(request, c.document_limits.max_bytes)
    received = Upload(kind=kind, filename=filename, declared_type=content_type, content=content, size=size)

    async def command(uow: UnitOfWork) -> tuple[int, dict[str, Any]]:
        document = await handlers.attach_document(
            handlers.AttachDocument(application_id, received, actor),
            uow,
            c.clock,
            c.storage,
            c.document_limits,
        )
        return status.HTTP_201_CREATED, document_out(document).model_dump(mode="json")

    fingerprint = {
        "kind": kind,
        "filename": filename,
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": size,
    }
    return await c.idempotency.run(
        principal=actor.subject, key=idempotency_key, body=fingerprint, command=command
    )


@router.get(
    "/applications/{application_id}/documents/{document_id}",
    summary="Download a document: its applicant, coordinators, focal points of the country, assigned evaluators",
    response_class=Response,
)
async def download(application_id: UUID, document_id: UUID, c: ContainerDep, actor: CurrentActor) -> Response:
    async with c.uow() as uow:
        application = await load_application(uow, application_id)
    evaluating = is_assigned(actor, application) and application.status is not Status.WITHDRAWN
    if not (may_read(actor, application) or evaluating):
        raise NotFound("No such application")
    document = application.document(document_id)
    content = await c.storage.get(str(document.id))
    return Response(
        content,
        media_type=document.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(document.filename)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.delete(
    "/applications/{application_id}/documents/{document_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a document from your draft",
)
async def remove_document(
    application_id: UUID, document_id: UUID, c: ContainerDep, actor: CurrentActor
) -> Response:
    await handlers.detach_document(
        handlers.DetachDocument(application_id, document_id, actor), c.uow(), c.clock, c.storage
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------------------ submission and screening


@router.post(
    "/applications/{application_id}/submit",
    response_model=ApplicationOut,
    summary="Submit your application: every problem is listed at once; eligibility is checked immediately",
    responses={
        409: {"description": "the call is closed (late submissions are refused) or not open yet"},
        422: {"description": "every problem with the application, listed"},
    },
)
async def submit(application_id: UUID, c: ContainerDep, actor: CurrentActor) -> ApplicationOut:
    application = await handlers.submit_application(
        handlers.SubmitApplication(application_id, actor), c.uow(), c.clock
    )
    return await _view(c, application, actor)


@router.post(
    "/applications/{application_id}/withdraw",
    response_model=ApplicationOut,
    summary="Withdraw your application (until a decision; also leaves the waitlist)",
)
async def withdraw(application_id: UUID, c: ContainerDep, actor: CurrentActor) -> ApplicationOut:
    application = await handlers.withdraw_application(
        handlers.WithdrawApplication(application_id, actor), c.uow(), c.clock
    )
    return await _view(c, application, actor)


class QuestionIn(Strict):
    question: Annotated[str, Field(min_length=3, max_length=5_000)]


@router.post(
    "/applications/{application_id}/information-requests",
    response_model=ApplicationOut,
    summary="Ask the applicant for clarification while screening (coordinators)",
)
async def ask(application_id: UUID, body: QuestionIn, c: ContainerDep, actor: Coordinator) -> ApplicationOut:
    application = await handlers.request_information(
        handlers.RequestInformation(application_id, body.question.strip(), actor), c.uow(), c.clock
    )
    return await _view(c, application, actor)


class AnswerIn(Strict):
    answer: LongText


@router.post(
    "/applications/{application_id}/information-requests/{request_id}/answer",
    response_model=ApplicationOut,
    summary="Answer a request for information (documents can be uploaded before); the application returns to screening",
)
async def answer(
    application_id: UUID, request_id: UUID, body: AnswerIn, c: ContainerDep, actor: CurrentActor
) -> ApplicationOut:
    async with c.uow() as uow:
        current = await uow.applications.get(application_id)
    if current is None or current.applicant_id != actor.subject:
        raise NotFound("No such application")
    if not any(r.id == request_id and r.answer is None for r in current.information_requests):
        raise NotFound("No such open request for information")
    application = await handlers.provide_information(
        handlers.ProvideInformation(application_id, body.answer, actor), c.uow(), c.clock
    )
    return await _view(c, application, actor)


class EligibilityIn(Strict):
    eligible: bool
    justification: Justification
    reasons: Annotated[list[Localized], Field(max_length=10)] = Field(
        default=[],
        description="When declaring ineligible: the reasons, each in Spanish, Portuguese and English",
    )


@router.post(
    "/applications/{application_id}/eligibility",
    response_model=ApplicationOut,
    summary="Decide eligibility by hand (override the automatic check, or decide after an answer), justified",
)
async def decide(
    application_id: UUID, body: EligibilityIn, c: ContainerDep, actor: Coordinator
) -> ApplicationOut:
    issues = []
    if not body.eligible and not body.reasons:
        issues.append(Issue("reasons", "give at least one reason, in the three languages"))
    if body.eligible and body.reasons:
        issues.append(Issue("reasons", "an eligible application has no reasons"))
    if issues:
        raise Invalid("The decision is not complete", issues)
    application = await handlers.decide_eligibility(
        handlers.DecideEligibility(application_id, body.eligible, body.justification, body.reasons, actor),
        c.uow(),
        c.clock,
    )
    return await _view(c, application, actor)


# ------------------------------------------------------------------------------ the grant


@router.post(
    "/applications/{application_id}/accept",
    response_model=ApplicationOut,
    summary="Accept your grant, by its acceptance deadline",
)
async def accept(application_id: UUID, c: ContainerDep, actor: CurrentActor) -> ApplicationOut:
    application = await decisions.accept_grant(decisions.AcceptGrant(application_id, actor), c.uow(), c.clock)
    return await _view(c, application, actor)


@router.post(
    "/applications/{application_id}/decline",
    response_model=ApplicationOut,
    summary="Decline your grant: its amount goes to the next on the waitlist",
)
async def decline(application_id: UUID, c: ContainerDep, actor: CurrentActor) -> ApplicationOut:
    application = await decisions.decline_grant(
        decisions.DeclineGrant(application_id, actor), c.uow(), c.clock
    )
    return await _view(c, application, actor)


@router.post(
    "/applications/{application_id}/report",
    response_model=ApplicationOut,
    summary="Report back after the activity: attendance, what you learned, replication at home",
)
async def report(application_id: UUID, body: Report, c: ContainerDep, actor: CurrentActor) -> ApplicationOut:
    application = await decisions.submit_report(
        decisions.SubmitReport(application_id, body, actor), c.uow(), c.clock
    )
    return await _view(c, application, actor)
