"""HTTP API of applications: the applicant's draft, documents, submission, answers, grant and report;
the coordinator's screening; everyone's reading of what they may see."""

import hashlib
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import JSONResponse, StreamingResponse
from ibermuseos_contracts.types import CountryCode
from ibermuseos_platform.auth import CurrentCaller
from ibermuseos_platform.idempotency import IdempotencyKey
from ibermuseos_platform.inputs import Line, LocalizedText, Prose, Strict
from ibermuseos_platform.paging import Paged, paged
from pydantic import ConfigDict, Field

from ..application import applications as handlers
from ..application import decisions, queries
from ..application.ports import UnitOfWork
from ..domain.applications import Report, Status
from ..domain.documents import ACCEPTED_TYPES, Upload
from ..domain.forms import FormPatch
from ..domain.values import DocumentKind, Justification, LongText
from .dependencies import ContainerDep, Coordinator, PageDep, Participant, Responses
from .views import ApplicationOut, ApplicationSummaryOut, DocumentOut, application_out, summary_out

router = APIRouter(tags=["applications"])

FILE = {content_type: {"schema": {"type": "string", "format": "binary"}} for content_type in ACCEPTED_TYPES}
"""A document as a request or response body: its bytes, of one of the accepted types."""
WRONG_STATUS: Responses = {
    409: {"description": "Not possible in the application's state now (`wrong_status`, ...)"}
}


# ------------------------------------------------------------------------------ the applicant's draft


@router.post(
    "/calls/{call_id}/applications",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicationOut,
    summary="Start an application to a published call (one per call and person), in your own name: the name and "
    "e-mail are your sign-in's; the other fields may be filled later",
    responses={
        409: {"description": "The call is closed (`call_closed`), or you already have an application to it"},
        422: {"description": "Every problem with the form, listed (a name or an e-mail in it among them)"},
    },
)
async def start(
    call_id: UUID,
    body: FormPatch,
    c: ContainerDep,
    caller: Participant,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def command(uow: UnitOfWork) -> tuple[int, dict[str, Any]]:
        view = await handlers.start_application(
            handlers.StartApplication(call_id, body, caller), uow, c.clock
        )
        return status.HTTP_201_CREATED, application_out(view, caller).model_dump(mode="json")

    return await c.idempotency.run(
        principal=caller.subject,
        key=idempotency_key,
        body={"call_id": call_id, "form": body},
        command=command,
    )


@router.get(
    "/applications",
    response_model=Paged[ApplicationSummaryOut],
    summary="Applications the caller may see, newest first: their own; a focal point's country's; all for "
    "coordinators",
)
async def list_applications(
    request: Request,
    c: ContainerDep,
    caller: CurrentCaller,
    page: PageDep,
    call_id: UUID | None = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    country: CountryCode | None = None,
) -> Paged[ApplicationSummaryOut]:
    found = await queries.applications(
        c.uow(), caller, page, call_id=call_id, status=status_, country=country
    )
    return paged(request, found, summary_out)


@router.get("/applications/{application_id}", response_model=ApplicationOut, summary="One application")
async def get_application(application_id: UUID, c: ContainerDep, caller: CurrentCaller) -> ApplicationOut:
    return application_out(await queries.application(c.uow(), caller, application_id), caller)


@router.patch(
    "/applications/{application_id}",
    response_model=ApplicationOut,
    summary="Edit your draft: the sections given are merged field by field (null clears a field)",
    responses={**WRONG_STATUS, 422: {"description": "Every problem with the changes, listed"}},
)
async def edit(
    application_id: UUID, body: FormPatch, c: ContainerDep, caller: CurrentCaller
) -> ApplicationOut:
    view = await handlers.edit_application(
        handlers.EditApplication(application_id, body, caller), c.uow(), c.clock
    )
    return application_out(view, caller)


@router.delete(
    "/applications/{application_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Discard your draft (a submitted application is withdrawn instead)",
    responses=WRONG_STATUS,
)
async def discard(application_id: UUID, c: ContainerDep, caller: CurrentCaller) -> Response:
    await handlers.discard_draft(handlers.DiscardDraft(application_id, caller), c.uow(), c.clock)
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
            "content": FILE,
        }
    },
    responses={
        **WRONG_STATUS,
        413: {"description": "The file is larger than allowed"},
        422: {"description": "Every problem with the upload, listed"},
    },
)
async def upload(
    application_id: UUID,
    request: Request,
    c: ContainerDep,
    caller: CurrentCaller,
    kind: Annotated[Line, Query(max_length=50, description=", ".join(kind.value for kind in DocumentKind))],
    filename: Annotated[Line, Query(max_length=255)],
    content_type: Annotated[Line, Header(alias="Content-Type", max_length=255)] = "",
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    content, size = await _read_body(request, c.document_limits.max_bytes)
    received = Upload(kind=kind, filename=filename, declared_type=content_type, content=content, size=size)

    async def command(uow: UnitOfWork) -> tuple[int, dict[str, Any]]:
        document = await handlers.attach_document(
            handlers.AttachDocument(application_id, received, caller),
            uow,
            c.clock,
            c.document_limits,
        )
        return status.HTTP_201_CREATED, DocumentOut.model_validate(document).model_dump(mode="json")

    fingerprint = {
        "kind": kind,
        "filename": filename,
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": size,
    }
    return await c.idempotency.run(
        principal=caller.subject, key=idempotency_key, body=fingerprint, command=command
    )


@router.get(
    "/applications/{application_id}/documents/{document_id}",
    response_class=Response,
    summary="Download a document: its applicant, coordinators, focal points of the country, assigned evaluators",
    responses={
        200: {
            "description": "The file, as an attachment",
            "content": FILE,
        }
    },
)
async def download(
    application_id: UUID, document_id: UUID, c: ContainerDep, caller: CurrentCaller
) -> Response:
    found = await queries.document(c.uow, caller, application_id, document_id)
    return StreamingResponse(
        found.content,
        media_type=found.document.content_type,
        headers={
            "Content-Length": str(found.document.size),
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.document.filename)}",
        },
    )


@router.delete(
    "/applications/{application_id}/documents/{document_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Remove a document from your draft",
    responses=WRONG_STATUS,
)
async def remove_document(
    application_id: UUID, document_id: UUID, c: ContainerDep, caller: CurrentCaller
) -> Response:
    await handlers.detach_document(
        handlers.DetachDocument(application_id, document_id, caller), c.uow(), c.clock
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------------------ submission and screening


@router.post(
    "/applications/{application_id}/submit",
    response_model=ApplicationOut,
    summary="Submit your application: every problem is listed at once; eligibility is checked immediately",
    responses={
        409: {
            "description": "The call is closed (`call_closed`: late submissions are refused) or not open yet"
        },
        422: {"description": "Every problem with the application, listed"},
    },
)
async def submit(application_id: UUID, c: ContainerDep, caller: CurrentCaller) -> ApplicationOut:
    view = await handlers.submit_application(
        handlers.SubmitApplication(application_id, caller), c.uow(), c.clock
    )
    return application_out(view, caller)


@router.post(
    "/applications/{application_id}/withdraw",
    response_model=ApplicationOut,
    summary="Withdraw your application (until a decision; also leaves the waitlist)",
    responses=WRONG_STATUS,
)
async def withdraw(application_id: UUID, c: ContainerDep, caller: CurrentCaller) -> ApplicationOut:
    view = await handlers.withdraw_application(
        handlers.WithdrawApplication(application_id, caller), c.uow(), c.clock
    )
    return application_out(view, caller)


class QuestionIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"question": "¿El curso está acreditado por una universidad?"}]}
    )

    question: Annotated[Prose, Field(min_length=3, max_length=5_000)]


@router.post(
    "/applications/{application_id}/information-requests",
    response_model=ApplicationOut,
    summary="Ask the applicant for clarification while screening (coordinators)",
    responses={409: {"description": "`results_released`, or the application is not in screening"}},
)
async def ask(application_id: UUID, body: QuestionIn, c: ContainerDep, caller: Coordinator) -> ApplicationOut:
    view = await handlers.request_information(
        handlers.RequestInformation(application_id, body.question.strip(), caller), c.uow(), c.clock
    )
    return application_out(view, caller)


class AnswerIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"answer": "Sí, por la UNAM."}]})

    answer: LongText


@router.post(
    "/applications/{application_id}/information-requests/{request_id}/answer",
    response_model=ApplicationOut,
    summary="Answer a request for information (documents can be uploaded before); the application returns to screening",
    responses=WRONG_STATUS,
)
async def answer(
    application_id: UUID, request_id: UUID, body: AnswerIn, c: ContainerDep, caller: CurrentCaller
) -> ApplicationOut:
    view = await handlers.provide_information(
        handlers.ProvideInformation(application_id, request_id, body.answer, caller), c.uow(), c.clock
    )
    return application_out(view, caller)


class EligibilityIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "eligible": False,
                    "justification": "Letter mismatch",
                    "reasons": [
                        {
                            "es": "La carta institucional no corresponde al museo declarado.",
                            "pt": "A carta institucional não corresponde ao museu declarado.",
                            "en": "The institutional letter is not from the declared museum.",
                        }
                    ],
                }
            ]
        }
    )

    eligible: bool
    justification: Justification
    reasons: Annotated[list[LocalizedText], Field(max_length=10)] = Field(
        default_factory=list,
        description="When declaring ineligible: the reasons, each in Spanish, Portuguese and English",
    )


@router.post(
    "/applications/{application_id}/eligibility",
    response_model=ApplicationOut,
    summary="Decide eligibility by hand (override the automatic check, or decide after an answer), justified",
    responses={
        409: {"description": "`results_released`, `already_eligible`, `already_ineligible`, `wrong_status`"}
    },
)
async def decide(
    application_id: UUID, body: EligibilityIn, c: ContainerDep, caller: Coordinator
) -> ApplicationOut:
    view = await handlers.decide_eligibility(
        handlers.DecideEligibility(
            application_id, body.eligible, body.justification, list(body.reasons), caller
        ),
        c.uow(),
        c.clock,
    )
    return application_out(view, caller)


# ------------------------------------------------------------------------------ the grant


@router.post(
    "/applications/{application_id}/accept",
    response_model=ApplicationOut,
    summary="Accept your grant, by its acceptance deadline",
    responses={409: {"description": "`acceptance_lapsed`, or the application is not awarded"}},
)
async def accept(application_id: UUID, c: ContainerDep, caller: CurrentCaller) -> ApplicationOut:
    view = await decisions.accept_grant(decisions.AcceptGrant(application_id, caller), c.uow(), c.clock)
    return application_out(view, caller)


@router.post(
    "/applications/{application_id}/decline",
    response_model=ApplicationOut,
    summary="Decline your grant: its amount goes to the next on the waitlist",
    responses=WRONG_STATUS,
)
async def decline(application_id: UUID, c: ContainerDep, caller: CurrentCaller) -> ApplicationOut:
    view = await decisions.decline_grant(decisions.DeclineGrant(application_id, caller), c.uow(), c.clock)
    return application_out(view, caller)


@router.post(
    "/applications/{application_id}/report",
    response_model=ApplicationOut,
    summary="Report back after the activity: attendance, what you learned, replication at home",
    responses={
        409: {"description": "`too_early` (before the activity ends), or the grant is not accepted"},
        422: {"description": "Every problem with the report, listed"},
    },
)
async def report(
    application_id: UUID, body: Report, c: ContainerDep, caller: CurrentCaller
) -> ApplicationOut:
    view = await decisions.submit_report(
        decisions.SubmitReport(application_id, body, caller), c.uow(), c.clock
    )
    return application_out(view, caller)
