"""Commands of applicants and coordinators on one application: draft, documents, submit, screening, withdrawal."""

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from ibermuseos_contracts.types import Localized
from ibermuseos_kernel.caller import Caller
from ibermuseos_kernel.clock import Clock
from ibermuseos_kernel.errors import Invalid, NotFound, TooLarge

from ..domain import documents as docs
from ..domain.applications import Application
from ..domain.audit import SYSTEM
from ..domain.eligibility import coordinator_reason
from ..domain.forms import Form, FormPatch
from ..domain.values import DocumentKind
from .common import audit, load_application, load_call, own_application
from .ports import UnitOfWork
from .queries import ApplicationView, view_of


@dataclass(frozen=True)
class StartApplication:
    call_id: UUID
    form: FormPatch
    caller: Caller


async def start_application(
    command: StartApplication, uow: UnitOfWork, clock: Clock, new_id: Callable[[], UUID] = uuid.uuid4
) -> ApplicationView:
    """One application per call and person, in the applicant's own name: a second draft is refused (the database
    is the backstop)."""
    async with uow:
        call = await load_call(uow, command.call_id)
        application = Application.start(
            id=new_id(),
            call=call,
            applicant_id=command.caller.subject,
            form=Form().merged(command.form),
            now=clock.now(),
        )
        application.identify(command.caller)
        await uow.applications.add(application)
        view = await view_of(uow, application, call)
        await uow.commit()
    return view


@dataclass(frozen=True)
class EditApplication:
    application_id: UUID
    patch: FormPatch
    caller: Caller


async def edit_application(command: EditApplication, uow: UnitOfWork, clock: Clock) -> ApplicationView:
    """The applicant edits their draft."""
    async with uow:
        application = await own_application(uow, command.application_id, command.caller)
        application.edit(command.patch)
        application.identify(command.caller)
        await uow.applications.save(application)
        view = await view_of(uow, application)
        await uow.commit()
    return view


@dataclass(frozen=True)
class DiscardDraft:
    application_id: UUID
    caller: Caller


async def discard_draft(command: DiscardDraft, uow: UnitOfWork, clock: Clock) -> None:
    """A draft that was never submitted can be thrown away, with its documents."""
    async with uow:
        application = await own_application(uow, command.application_id, command.caller)
        removed = application.discard()
        await uow.documents.remove(removed)
        await uow.applications.delete(application)
        await uow.commit()


@dataclass(frozen=True)
class AttachDocument:
    application_id: UUID
    upload: docs.Upload
    caller: Caller


@dataclass(frozen=True)
class DocumentLimits:
    max_bytes: int
    max_documents: int


async def attach_document(
    command: AttachDocument,
    uow: UnitOfWork,
    clock: Clock,
    limits: DocumentLimits,
    new_id: Callable[[], UUID] = uuid.uuid4,
) -> docs.DocumentRef:
    """Uploads are size- and type-checked (by their bytes) and bounded in number; the bytes are stored with the
    application, in the same transaction."""
    upload = command.upload
    issues = docs.upload_issues(upload, max_bytes=limits.max_bytes)
    if upload.size > limits.max_bytes:
        raise TooLarge(f"The document is larger than {limits.max_bytes} bytes", issues)
    if issues:
        raise Invalid("The document is not accepted", issues)
    document = docs.DocumentRef(
        id=new_id(),
        kind=DocumentKind(upload.kind),
        filename=docs.clean_filename(upload.filename),
        content_type=upload.declared_type.split(";")[0].strip().lower(),
        size=upload.size,
        sha256=hashlib.sha256(upload.content).hexdigest(),
        uploaded_at=clock.now(),
    )
    async with uow:
        application = await own_application(uow, command.application_id, command.caller)
        application.attach(document, max_documents=limits.max_documents)
        attached = application.documents[-1]
        await uow.applications.save(application)
        await uow.documents.add(application.id, attached, upload.content)
        await uow.commit()
    return attached


@dataclass(frozen=True)
class DetachDocument:
    application_id: UUID
    document_id: UUID
    caller: Caller


async def detach_document(command: DetachDocument, uow: UnitOfWork, clock: Clock) -> None:
    """A draft's document can be removed."""
    async with uow:
        application = await own_application(uow, command.application_id, command.caller)
        document = application.detach(command.document_id)
        await uow.applications.save(application)
        await uow.documents.remove([document])
        await uow.commit()


@dataclass(frozen=True)
class SubmitApplication:
    application_id: UUID
    caller: Caller


async def submit_application(command: SubmitApplication, uow: UnitOfWork, clock: Clock) -> ApplicationView:
    """Submission is refused after the deadline (the clock decides, whether or not the closing job ran),
    lists every problem at once, and screens eligibility automatically."""
    async with uow:
        application = await own_application(uow, command.application_id, command.caller)
        application.identify(command.caller)
        # A shared lock: the closing job cannot close the call (and count its applications) meanwhile.
        call = await load_call(uow, application.call_id, share=True)
        history = await uow.applications.history(call=call, application=application)
        now = clock.now()
        application.submit(call=call, history=history, now=now)
        await uow.applications.save(application)
        await audit(
            uow,
            at=now,
            actor=SYSTEM,
            action="eligibility_checked",
            call_id=call.id,
            application_id=application.id,
            eligible=not application.reasons,
            reasons=[reason.code for reason in application.reasons],
        )
        view = await view_of(uow, application, call)
        await uow.commit()
    return view


@dataclass(frozen=True)
class WithdrawApplication:
    application_id: UUID
    caller: Caller


async def withdraw_application(
    command: WithdrawApplication, uow: UnitOfWork, clock: Clock
) -> ApplicationView:
    """The applicant withdraws until a decision."""
    async with uow:
        application = await own_application(uow, command.application_id, command.caller)
        now = clock.now()
        application.withdraw(now)
        await uow.applications.save(application)
        await audit(
            uow,
            at=now,
            actor=command.caller.subject,
            action="application_withdrawn",
            call_id=application.call_id,
            application_id=application.id,
        )
        view = await view_of(uow, application)
        await uow.commit()
    return view


@dataclass(frozen=True)
class RequestInformation:
    application_id: UUID
    question: str
    caller: Caller


async def request_information(
    command: RequestInformation, uow: UnitOfWork, clock: Clock, new_id: Callable[[], UUID] = uuid.uuid4
) -> ApplicationView:
    """A coordinator asks the applicant for clarification while screening."""
    async with uow:
        application = await load_application(uow, command.application_id)
        call = await load_call(uow, application.call_id)
        now = clock.now()
        request_id = new_id()
        application.request_information(
            call=call,
            request_id=request_id,
            question=command.question,
            asked_by=command.caller.subject,
            now=now,
        )
        await uow.applications.save(application)
        await audit(
            uow,
            at=now,
            actor=command.caller.subject,
            action="information_requested",
            call_id=call.id,
            application_id=application.id,
            request_id=str(request_id),
        )
        view = await view_of(uow, application, call)
        await uow.commit()
    return view


@dataclass(frozen=True)
class ProvideInformation:
    application_id: UUID
    request_id: UUID
    answer: str
    caller: Caller


async def provide_information(command: ProvideInformation, uow: UnitOfWork, clock: Clock) -> ApplicationView:
    """The applicant answers the open request; the application returns to screening."""
    async with uow:
        application = await own_application(uow, command.application_id, command.caller)
        if not any(r.id == command.request_id and r.answer is None for r in application.information_requests):
            raise NotFound("No such open request for information")
        application.provide_information(answer=command.answer, now=clock.now())
        await uow.applications.save(application)
        view = await view_of(uow, application)
        await uow.commit()
    return view


@dataclass(frozen=True)
class DecideEligibility:
    application_id: UUID
    eligible: bool
    justification: str
    explanations: list[Localized]
    """The reasons, in the three languages, when declaring an application ineligible."""
    caller: Caller


async def decide_eligibility(command: DecideEligibility, uow: UnitOfWork, clock: Clock) -> ApplicationView:
    """A coordinator overrides the automatic screening or decides after an answer, always with a justification;
    an ineligible application is told why in the three languages."""
    if not command.eligible and not command.explanations:
        raise Invalid.one(
            "reasons", "give at least one reason, in the three languages", "The decision is not complete"
        )
    if command.eligible and command.explanations:
        raise Invalid.one("reasons", "an eligible application has no reasons", "The decision is not complete")
    async with uow:
        application = await load_application(uow, command.application_id)
        call = await load_call(uow, application.call_id)
        now = clock.now()
        before = application.status
        automatic = [reason.code for reason in application.reasons]
        if command.eligible:
            application.declare_eligible(call=call, now=now)
        else:
            reasons = [coordinator_reason(explanation) for explanation in command.explanations]
            application.declare_ineligible(call=call, reasons=reasons, now=now)
        await uow.applications.save(application)
        await audit(
            uow,
            at=now,
            actor=command.caller.subject,
            action="declared_eligible" if command.eligible else "declared_ineligible",
            call_id=call.id,
            application_id=application.id,
            justification=command.justification,
            previous_status=before.value,
            overridden_reasons=automatic if command.eligible else [],
        )
        view = await view_of(uow, application, call)
        await uow.commit()
    return view
