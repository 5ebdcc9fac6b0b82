"""Commands of applicants and coordinators on one application: draft, documents, submit, screening, withdrawal."""

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from ibermuseos_contracts.types import Localized

from ..domain import documents as docs
from ..domain.applications import Application
from ..domain.audit import SYSTEM
from ..domain.eligibility import coordinator_reason
from ..domain.errors import Invalid, NotFound, TooLarge
from ..domain.forms import Form, FormPatch
from ..domain.values import DocumentKind
from .access import Actor, is_own
from .common import audit, load_application, load_call
from .ports import Clock, DocumentStorage, UnitOfWork


async def own_application(uow: UnitOfWork, application_id: UUID, actor: Actor) -> Application:
    """The caller's own application; anyone else's does not exist for them."""
    application = await load_application(uow, application_id)
    if not is_own(actor, application):
        raise NotFound("No such application")
    return application


@dataclass(frozen=True)
class StartApplication:
    call_id: UUID
    form: Form
    actor: Actor


async def start_application(
    command: StartApplication, uow: UnitOfWork, clock: Clock, new_id: Callable[[], UUID] = uuid.uuid4
) -> Application:
    """One application per call and person: a second draft is refused (the database is the backstop)."""
    async with uow:
        call = await load_call(uow, command.call_id)
        application = Application.start(
            id=new_id(), call=call, applicant_id=command.actor.subject, form=command.form, now=clock.now()
        )
        await uow.applications.add(application)
        await uow.commit()
    return application


@dataclass(frozen=True)
class EditApplication:
    application_id: UUID
    patch: FormPatch
    actor: Actor


async def edit_application(command: EditApplication, uow: UnitOfWork, clock: Clock) -> Application:
    """The applicant edits their draft."""
    async with uow:
        application = await own_application(uow, command.application_id, command.actor)
        application.edit(command.patch)
        await uow.applications.save(application)
        await uow.commit()
    return application


@dataclass(frozen=True)
class DiscardDraft:
    application_id: UUID
    actor: Actor


async def discard_draft(
    command: DiscardDraft, uow: UnitOfWork, clock: Clock, storage: DocumentStorage
) -> None:
    """A draft that was never submitted can be thrown away, with its documents."""
    async with uow:
        application = await own_application(uow, command.application_id, command.actor)
        removed = application.discard()
        await uow.applications.delete(application)
        await uow.commit()
    for document in removed:
        await storage.delete(str(document.id))


@dataclass(frozen=True)
class AttachDocument:
    application_id: UUID
    upload: docs.Upload
    actor: Actor


@dataclass(frozen=True)
class DocumentLimits:
    max_bytes: int
    max_documents: int


async def attach_document(
    command: AttachDocument,
    uow: UnitOfWork,
    clock: Clock,
    storage: DocumentStorage,
    limits: DocumentLimits,
    new_id: Callable[[], UUID] = uuid.uuid4,
) -> docs.DocumentRef:
    """Uploads are size- and type-checked (by their bytes) and bounded in number."""
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
        application = await own_application(uow, command.application_id, command.actor)
        application.attach(document, max_documents=limits.max_documents)
        # The bytes are stored before the commit; a failed commit removes them again.
        await storage.put(str(document.id), upload.content)
        try:
            await uow.applications.save(application)
            await uow.commit()
        except BaseException:
            await storage.delete(str(document.id))
            raise
    return application.documents[-1]


@dataclass(frozen=True)
class DetachDocument:
    application_id: UUID
    document_id: UUID
    actor: Actor


async def detach_document(
    command: DetachDocument, uow: UnitOfWork, clock: Clock, storage: DocumentStorage
) -> None:
    """A draft's document can be removed."""
    async with uow:
        application = await own_application(uow, command.application_id, command.actor)
        document = application.detach(command.document_id)
        await uow.applications.save(application)
        await uow.commit()
    await storage.delete(str(document.id))


@dataclass(frozen=True)
class SubmitApplication:
    application_id: UUID
    actor: Actor


async def submit_application(command: SubmitApplication, uow: UnitOfWork, clock: Clock) -> Application:
    """Submission is refused after the deadline (the clock decides, whether or not the closing job ran),
    lists every problem at once, and screens eligibility automatically."""
    async with uow:
        application = await own_application(uow, command.application_id, command.actor)
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
        await uow.commit()
    return application


@dataclass(frozen=True)
class WithdrawApplication:
    application_id: UUID
    actor: Actor


async def withdraw_application(command: WithdrawApplication, uow: UnitOfWork, clock: Clock) -> Application:
    """The applicant withdraws until a decision."""
    async with uow:
        application = await own_application(uow, command.application_id, command.actor)
        now = clock.now()
        application.withdraw(now)
        await uow.applications.save(application)
        await audit(
            uow,
            at=now,
            actor=command.actor.subject,
            action="application_withdrawn",
            call_id=application.call_id,
            application_id=application.id,
        )
        await uow.commit()
    return application


@dataclass(frozen=True)
class RequestInformation:
    application_id: UUID
    question: str
    actor: Actor


async def request_information(
    command: RequestInformation, uow: UnitOfWork, clock: Clock, new_id: Callable[[], UUID] = uuid.uuid4
) -> Application:
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
            asked_by=command.actor.subject,
            now=now,
        )
        await uow.applications.save(application)
        await audit(
            uow,
            at=now,
            actor=command.actor.subject,
            action="information_requested",
            call_id=call.id,
            application_id=application.id,
            request_id=str(request_id),
        )
        await uow.commit()
    return application


@dataclass(frozen=True)
class ProvideInformation:
    application_id: UUID
    answer: str
    actor: Actor


async def provide_information(command: ProvideInformation, uow: UnitOfWork, clock: Clock) -> Application:
    """The applicant answers; the application returns to screening."""
    async with uow:
        application = await own_application(uow, command.application_id, command.actor)
        application.provide_information(answer=command.answer, now=clock.now())
        await uow.applications.save(application)
        await uow.commit()
    return application


@dataclass(frozen=True)
class DecideEligibility:
    application_id: UUID
    eligible: bool
    justification: str
    explanations: list[Localized]
    """The reasons, in the three languages, when declaring an application ineligible."""
    actor: Actor


async def decide_eligibility(command: DecideEligibility, uow: UnitOfWork, clock: Clock) -> Application:
    """A coordinator overrides the automatic screening or decides after an answer, always with a justification."""
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
            actor=command.actor.subject,
            action="declared_eligible" if command.eligible else "declared_ineligible",
            call_id=call.id,
            application_id=application.id,
            justification=command.justification,
            previous_status=before.value,
            overridden_reasons=automatic if command.eligible else [],
        )
        await uow.commit()
    return application
