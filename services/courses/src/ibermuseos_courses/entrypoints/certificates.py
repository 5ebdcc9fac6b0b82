"""HTTP API of certificates: the holder's and coordinators' views, revocation, and public verification."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from ibermuseos_contracts.courses import OfferingKind
from ibermuseos_contracts.types import Localized
from ibermuseos_platform.web import Problem
from pydantic import BaseModel, Field, StringConstraints

from ..adapters import certificate_pdf, certificate_texts
from ..adapters.credentials import MEDIA_TYPE as CREDENTIAL_JWT
from ..adapters.status_list_credential import MEDIA_TYPE as STATUS_LIST_JWT
from ..adapters.status_list_credential import published
from ..application import handlers, queries
from ..bootstrap import Container
from ..domain.certificates import Certificate, CertificateStatus
from ..domain.codes import formatted
from . import verification_page
from .common import PROBLEMS, CallerDep, ContainerDep, PageDep, Strict, container

router = APIRouter(tags=["certificates"])
public = APIRouter(tags=["verification (public)"])

Lang = Annotated[str | None, Query(pattern=r"^(es|pt|en)$", description="es, pt or en")]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class CertificateOut(BaseModel):
    id: UUID
    enrolment_id: UUID
    run_id: UUID
    offering_id: UUID
    kind: OfferingKind
    person_id: str
    holder_name: str
    country: str
    verification_code: str
    verification_url: str
    title: Localized
    heading: Localized
    statement: Localized
    issuer: str
    hours: Decimal
    completed_on: date
    issued_at: datetime
    language: str
    status: CertificateStatus
    revoked_at: datetime | None
    revoked_by: str | None
    revocation_reason: str | None


def certificate_out(certificate: Certificate, c: Container) -> CertificateOut:
    return CertificateOut(
        id=certificate.id,
        enrolment_id=certificate.enrolment_id,
        run_id=certificate.run_id,
        offering_id=certificate.offering_id,
        kind=certificate.kind,
        person_id=certificate.person_id,
        holder_name=certificate.holder_name,
        country=certificate.country,
        verification_code=formatted(certificate.code),
        verification_url=c.issuer.url(certificate.code),
        title=certificate.wording.title,
        heading=certificate.wording.heading,
        statement=certificate.wording.statement,
        issuer=certificate.wording.issuer,
        hours=certificate.hours,
        completed_on=certificate.completed_on,
        issued_at=certificate.issued_at,
        language=certificate.language,
        status=certificate.status,
        revoked_at=certificate.revoked_at,
        revoked_by=certificate.revoked_by,
        revocation_reason=certificate.revocation_reason,
    )


def _language(request: Request, asked: str | None, certificate: Certificate) -> str:
    """The language asked for, else the reader's browser's (if es, pt or en), else the holder's."""
    if asked:
        return asked
    return certificate_texts.preferred_language(
        request.headers.get("accept-language", "")
    ) or certificate_texts.language_of(None, certificate.language)


def _pdf(certificate: Certificate, language: str, c: Container) -> Response:
    if certificate.status is CertificateStatus.REVOKED:
        raise Problem(410, "The certificate was revoked")
    document = certificate_pdf.render(
        certificate,
        language,
        c.issuer.url(certificate.code),
        certificate.wording.signed_by(c.issuer.signatory),
    )
    name = f"certificate-{formatted(certificate.code)}-{language}.pdf"
    return Response(
        document,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Content-Language": language},
    )


@router.get(
    "/certificates",
    response_model=list[CertificateOut],
    summary="Certificates you may see: your own, your country's (focal points), all (coordinators)",
)
async def list_certificates(
    c: ContainerDep, caller: CallerDep, paging: PageDep, run_id: UUID | None = None
) -> list[CertificateOut]:
    found = await queries.certificates(c.uow(), caller, run_id=run_id, page=paging)
    return [certificate_out(cert, c) for cert in found]


@router.get(
    "/certificates/{certificate_id}",
    response_model=CertificateOut,
    summary="One certificate",
    responses=PROBLEMS,
)
async def get_certificate(certificate_id: UUID, c: ContainerDep, caller: CallerDep) -> CertificateOut:
    return certificate_out(await queries.certificate(c.uow(), caller, certificate_id), c)


@router.get(
    "/certificates/{certificate_id}/pdf",
    response_class=Response,
    summary="The printable certificate (PDF) in the language asked for, else the holder's",
    responses={200: {"content": {"application/pdf": {}}}, 410: {"description": "revoked"}, **PROBLEMS},
)
async def certificate_pdf_of(
    certificate_id: UUID, c: ContainerDep, caller: CallerDep, lang: Lang = None
) -> Response:
    certificate = await queries.certificate(c.uow(), caller, certificate_id)
    return _pdf(certificate, lang or certificate_texts.language_of(None, certificate.language), c)


class RevokeIn(Strict):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)] = Field(
        description="Why. The public verification page shows it: write it for anyone who checks the certificate."
    )


@router.post(
    "/certificates/{certificate_id}/revoke",
    response_model=CertificateOut,
    summary="Revoke a certificate, saying why (coordinators)",
    responses={
        403: {"description": "not a coordinator"},
        409: {"description": "revoked already"},
        **PROBLEMS,
    },
)
async def revoke(certificate_id: UUID, body: RevokeIn, c: ContainerDep, caller: CallerDep) -> CertificateOut:
    await queries.certificate(c.uow(), caller, certificate_id)  # 404 for those who may not see it
    revoked = await handlers.revoke_certificate(certificate_id, body.reason, caller, c.uow(), c.clock)
    return certificate_out(revoked, c)


# ------------------------------------------------------------------------------ public


class SignatoryOut(BaseModel):
    name: str
    role: Localized


class VerificationOut(BaseModel):
    """What the certificate itself says, and whether it still holds (when and why not). Nothing more about the holder."""

    valid: bool
    status: CertificateStatus
    verification_code: str
    holder_name: str
    issuer: str
    signatory: SignatoryOut
    kind: OfferingKind
    title: Localized
    heading: Localized
    statement: Localized
    hours: Decimal
    completed_on: date
    issued_at: datetime
    issued_on: date
    revoked_at: datetime | None
    revoked_on: date | None
    revocation_reason: str | None
    timezone: str = Field(description="The zone the certificate's days are told in (the run's).")


def _limited(request: Request, c: Annotated[Container, Depends(container)]) -> Container:
    c.verify_limiter.admit(request)
    return c


Limited = Annotated[Container, Depends(_limited)]


def _verification(certificate: Certificate, c: Container) -> VerificationOut:
    signatory = certificate.wording.signed_by(c.issuer.signatory)
    return VerificationOut(
        valid=certificate.status is CertificateStatus.VALID,
        status=certificate.status,
        verification_code=formatted(certificate.code),
        holder_name=certificate.holder_name,
        issuer=certificate.wording.issuer,
        signatory=SignatoryOut(name=signatory.name, role=signatory.role),
        kind=certificate.kind,
        title=certificate.wording.title,
        heading=certificate.wording.heading,
        statement=certificate.wording.statement,
        hours=certificate.hours,
        completed_on=certificate.completed_on,
        issued_at=certificate.issued_at,
        issued_on=certificate.issued_on,
        revoked_at=certificate.revoked_at,
        revoked_on=certificate.revoked_on,
        revocation_reason=certificate.revocation_reason,
        timezone=certificate.wording.timezone,
    )


@public.get("/verify/assets/{name}", summary="A file of the verification page", response_class=Response)
async def verification_asset(request: Request, name: Annotated[str, Path(max_length=40)]) -> Response:
    return verification_page.asset_response(request, name)


@public.get(
    "/verify/{code}",
    response_model=VerificationOut,
    summary="Verify a certificate by its code (public): JSON, or a page for browsers",
    responses={
        200: {"content": {"text/html": {}}},
        404: {"description": "no certificate has this code"},
        429: {"description": "too many requests"},
    },
)
async def verify(code: Code, request: Request, c: Limited, lang: Lang = None) -> Any:
    certificate = await queries.verify(c.uow(), code)
    view = _verification(certificate, c)
    accept = request.headers.get("accept", "")
    if "text/html" in accept and "application/json" not in accept:
        language = _language(request, lang, certificate)
        return HTMLResponse(
            verification_page.page(view, language),
            headers={
                "Content-Language": language,
                "Content-Security-Policy": verification_page.CSP,
                "Vary": "Accept, Accept-Language",
            },
        )
    return view


@public.get(
    "/verify/{code}/pdf",
    response_class=Response,
    summary="The printable certificate of a code (public), in the language asked for",
    responses={200: {"content": {"application/pdf": {}}}, 404: {}, 410: {"description": "revoked"}},
)
async def verify_pdf(code: Code, request: Request, c: Limited, lang: Lang = None) -> Response:
    certificate = await queries.verify(c.uow(), code)
    return _pdf(certificate, _language(request, lang, certificate), c)


@public.get(
    "/verify/{code}/credential",
    summary="The certificate as an Open Badges 3.0 credential: JSON, or signed (VC-JWT) when asked for "
    + CREDENTIAL_JWT,
    responses={200: {"content": {"application/json": {}, CREDENTIAL_JWT: {}}}, 404: {}, 410: {}},
)
async def verify_credential(code: Code, request: Request, c: Limited, lang: Lang = None) -> Response:
    certificate = await queries.verify(c.uow(), code)
    if certificate.status is CertificateStatus.REVOKED:
        raise Problem(410, "The certificate was revoked")
    language = _language(request, lang, certificate)
    if CREDENTIAL_JWT in request.headers.get("accept", ""):
        return Response(c.signer.sign(certificate, language), media_type=CREDENTIAL_JWT)
    return JSONResponse(c.signer.credential(certificate, language))


@public.get(
    "/credentials/status/{list_id}",
    response_class=Response,
    summary="A revocation status list (W3C Bitstring Status List) as a signed VC-JWT, as it stands now",
    responses={200: {"content": {STATUS_LIST_JWT: {}}}, 304: {"description": "not modified"}, 404: {}},
)
async def status_list(list_id: UUID, request: Request, c: ContainerDep) -> Response:
    found = await queries.status_list(c.uow(), list_id)
    max_age = c.settings.certificates.status_list_max_age_seconds
    signed, tag = published(c.signer, found, max_age)
    headers = {"ETag": tag, "Cache-Control": f"public, max-age={max_age}"}
    if tag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(signed, media_type=STATUS_LIST_JWT, headers=headers)


@public.get("/issuer", summary="The issuer's Open Badges profile, with its signing key")
async def issuer_profile(c: ContainerDep) -> dict[str, Any]:
    return c.signer.profile()


@public.get("/issuer/jwks.json", summary="The key set that verifies the signed credentials")
async def issuer_keys(c: ContainerDep) -> dict[str, Any]:
    return c.signer.jwks()
