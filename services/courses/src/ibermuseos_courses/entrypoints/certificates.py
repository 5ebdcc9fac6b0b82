"""HTTP API of certificates: the holder's and coordinators' views, revocation, and public verification."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from ibermuseos_contracts.courses import OfferingKind
from ibermuseos_contracts.types import Localized
from ibermuseos_platform.auth import CurrentCaller
from ibermuseos_platform.inputs import Line, Prose, Strict
from ibermuseos_platform.paging import Paged, paged
from ibermuseos_platform.web import Problem, container_of
from pydantic import BaseModel, ConfigDict, Field

from ..adapters import certificate_pdf, certificate_texts
from ..adapters.credentials import MEDIA_TYPE as CREDENTIAL_JWT
from ..adapters.status_list_credential import MEDIA_TYPE as STATUS_LIST_JWT
from ..adapters.status_list_credential import published
from ..application import certificates, queries
from ..bootstrap import Container
from ..domain.certificates import Certificate, CertificateStatus
from ..domain.codes import formatted
from . import verification_page
from .dependencies import ContainerDep, PageDep

router = APIRouter(tags=["certificates"])
public = APIRouter(tags=["verification (public)"])

Lang = Annotated[str | None, Query(pattern=r"^(es|pt|en)$", description="es, pt or en")]
Code = Annotated[
    Line,
    Path(
        min_length=1, max_length=64, description="The code as printed (groups, dashes and case do not matter)"
    ),
]
GONE: dict[int | str, dict[str, Any]] = {410: {"description": "The certificate was revoked"}}


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
    response_model=Paged[CertificateOut],
    summary="Certificates you may see: your own, your country's (focal points), all (coordinators)",
)
async def list_certificates(
    request: Request, c: ContainerDep, caller: CurrentCaller, page: PageDep, run_id: UUID | None = None
) -> Paged[CertificateOut]:
    found = await queries.certificates(c.uow(), caller, run_id=run_id, page=page)
    return paged(request, found, lambda certificate: certificate_out(certificate, c))


@router.get("/certificates/{certificate_id:uuid}", response_model=CertificateOut, summary="One certificate")
async def get_certificate(certificate_id: UUID, c: ContainerDep, caller: CurrentCaller) -> CertificateOut:
    return certificate_out(await queries.certificate(c.uow(), caller, certificate_id), c)


@router.get(
    "/certificates/{certificate_id:uuid}/pdf",
    response_class=Response,
    summary="The printable certificate (PDF) in the language asked for, else the holder's",
    responses={
        200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
        **GONE,
    },
)
async def certificate_pdf_of(
    certificate_id: UUID, c: ContainerDep, caller: CurrentCaller, lang: Lang = None
) -> Response:
    certificate = await queries.certificate(c.uow(), caller, certificate_id)
    return _pdf(certificate, lang or certificate_texts.language_of(None, certificate.language), c)


class RevokeIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"reason": "Issued by mistake: the participant did not attend the course."}]
        }
    )

    reason: Annotated[Prose, Field(min_length=1, max_length=2000)] = Field(
        description="Why. The public verification page shows it: write it for anyone who checks the certificate."
    )


@router.post(
    "/certificates/{certificate_id:uuid}/revoke",
    response_model=CertificateOut,
    summary="Revoke a certificate, saying why (coordinators)",
    responses={
        403: {"description": "Not a coordinator"},
        409: {"description": "Revoked already (`certificate_revoked`)"},
    },
)
async def revoke(
    certificate_id: UUID, body: RevokeIn, c: ContainerDep, caller: CurrentCaller
) -> CertificateOut:
    command = certificates.RevokeCertificate(certificate_id, body.reason, caller)
    return certificate_out(await certificates.revoke_certificate(command, c.uow(), c.clock), c)


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


def _limited(request: Request, c: Annotated[Container, Depends(container_of)]) -> Container:
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


@public.get(
    "/verify/assets/{name}",
    summary="A file of the verification page",
    response_class=Response,
    responses={
        200: {
            "content": {
                media_type.split(";")[0]: {"schema": {"type": "string"}}
                for media_type in verification_page.ASSETS.values()
            }
        },
        304: {"description": "Not modified"},
    },
)
async def verification_asset(request: Request, name: Annotated[Line, Path(max_length=40)]) -> Response:
    return verification_page.asset_response(request, name)


@public.get(
    "/verify/{code}",
    response_model=VerificationOut,
    summary="Verify a certificate by its code (public): JSON, or a page for browsers",
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
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
    responses={
        200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
        **GONE,
    },
)
async def verify_pdf(code: Code, request: Request, c: Limited, lang: Lang = None) -> Response:
    certificate = await queries.verify(c.uow(), code)
    return _pdf(certificate, _language(request, lang, certificate), c)


@public.get(
    "/verify/{code}/credential",
    summary="The certificate as an Open Badges 3.0 credential: JSON, or signed (VC-JWT) when asked for "
    + CREDENTIAL_JWT,
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/json": {"schema": {"type": "object"}},
                CREDENTIAL_JWT: {"schema": {"type": "string"}},
            }
        },
        **GONE,
    },
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
    "/credentials/status/{list_id:uuid}",
    response_class=Response,
    summary="A revocation status list (W3C Bitstring Status List) as a signed VC-JWT, as it stands now",
    responses={
        200: {"content": {STATUS_LIST_JWT: {"schema": {"type": "string"}}}},
        304: {"description": "Not modified"},
    },
)
async def status_list(list_id: UUID, request: Request, c: ContainerDep) -> Response:
    found = await queries.status_list(c.uow(), list_id)
    max_age = c.settings.certificates.status_list_max_age_seconds
    signed, tag = published(c.signer, found, max_age)
    headers = {"ETag": tag, "Cache-Control": f"public, max-age={max_age}"}
    if tag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(signed, media_type=STATUS_LIST_JWT, headers=headers)


@public.get(
    "/issuer",
    response_model=dict[str, Any],
    summary="The issuer's Open Badges profile (JSON-LD), with its signing key",
)
async def issuer_profile(c: ContainerDep) -> dict[str, Any]:
    return c.signer.profile()


class KeySetOut(BaseModel):
    """A JSON Web Key Set (RFC 7517)."""

    keys: list[dict[str, Any]]


@public.get(
    "/issuer/jwks.json", response_model=KeySetOut, summary="The key set that verifies the signed credentials"
)
async def issuer_keys(c: ContainerDep) -> dict[str, Any]:
    return c.signer.jwks()
