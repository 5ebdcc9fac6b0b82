"""HTTP API: translates requests into commands and results into responses."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request, status
from fastapi.responses import JSONResponse
from ibermuseos_contracts.applications import Activity, Applicant
from ibermuseos_contracts.common import Gender, Institution
from ibermuseos_contracts.types import CountryCode, LanguageTag, Money
from ibermuseos_platform.auth import CurrentPrincipal, Principal, Role, require
from ibermuseos_platform.idempotency import HEADER as IDEMPOTENCY_HEADER
from ibermuseos_platform.web import Problem
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from ..application.handlers import SubmitApplication, submit_application
from ..bootstrap import Container
from ..domain.applications import Application, InvalidSubmission, Submission

router = APIRouter(prefix="/applications", tags=["applications"])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApplicantIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=300)]
    email: EmailStr
    preferred_language: LanguageTag
    gender: Gender | None = None
    role: Annotated[str, Field(min_length=1, max_length=300)]
    country_of_residence: CountryCode


class SubmitApplicationIn(Strict):
    call_id: UUID
    call_year: Annotated[int, Field(ge=2000, le=2100)]
    applicant: ApplicantIn
    institution: Institution
    activity: Activity
    requested: Money
    motivation: Annotated[str, Field(min_length=1, max_length=10_000)]
    replication_commitment: bool


class ApplicationOut(BaseModel):
    id: UUID
    call_id: UUID
    status: str
    applicant_country: str
    submitted_at: datetime


def container(request: Request) -> Container:
    built: Container = request.app.state.container
    return built


ContainerDep = Annotated[Container, Depends(container)]


def _out(application: Application) -> ApplicationOut:
    return ApplicationOut(
        id=application.id,
        call_id=application.call_id,
        status=application.status.value,
        applicant_country=application.submission.applicant.country_of_residence,
        submitted_at=application.submitted_at,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicationOut,
    summary="Submit an application to a grant call",
    responses={422: {"description": "every problem with the application, listed"}},
)
async def submit(
    body: SubmitApplicationIn,
    c: ContainerDep,
    principal: Annotated[Principal, Depends(require(Role.PARTICIPANT))],
    idempotency_key: Annotated[str | None, Header(alias=IDEMPOTENCY_HEADER)] = None,
) -> JSONResponse:
    submission = Submission(
        applicant=Applicant(person_id=principal.subject, **body.applicant.model_dump()),
        institution=body.institution,
        activity=body.activity,
        requested=body.requested,
        motivation=body.motivation,
        replication_commitment=body.replication_commitment,
    )

    async def command() -> tuple[int, ApplicationOut]:
        try:
            application = await submit_application(
                SubmitApplication(call_id=body.call_id, call_year=body.call_year, submission=submission),
                c.uow(),
                c.clock,
            )
        except InvalidSubmission as invalid:
            raise Problem(
                422,
                "The application breaks the call's rules",
                errors=[
                    {"field": problem.split(":")[0], "problem": problem.split(": ", 1)[-1]}
                    for problem in invalid.problems
                ],
            ) from None
        return status.HTTP_201_CREATED, _out(application)

    return await c.idempotency.run(
        principal=principal.subject, key=idempotency_key, body=body, command=command
    )


@router.get(
    "/{application_id}", response_model=ApplicationOut, summary="One application, if the caller may see it"
)
async def get(application_id: UUID, c: ContainerDep, principal: CurrentPrincipal) -> ApplicationOut:
    async with c.uow() as uow:
        application = await uow.applications.get(application_id)
    if application is None or not _may_see(principal, application):
        raise Problem(404, "No such application")
    return _out(application)


def _may_see(principal: Principal, application: Application) -> bool:
    if principal.has(Role.COORDINATOR):
        return True
    if (
        principal.has(Role.FOCAL_POINT)
        and principal.country == application.submission.applicant.country_of_residence
    ):
        return True
    return principal.subject == application.submission.applicant.person_id
