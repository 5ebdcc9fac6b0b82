"""HTTP API of the catalogue: subject areas and offerings."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, status
from fastapi.responses import JSONResponse
from ibermuseos_contracts.courses import OfferingKind
from ibermuseos_contracts.types import Localized
from ibermuseos_platform.auth import Principal, Role, require
from ibermuseos_platform.idempotency import IdempotencyKey
from pydantic import BaseModel, Field, StringConstraints

from ..application import handlers, queries
from ..application.ports import UnitOfWork
from ..domain.catalogue import CompletionRule, Offering, SubjectArea
from .common import PROBLEMS, CallerDep, ContainerDep, PageDep, Strict

router = APIRouter(tags=["catalogue"])

AreaCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{1,59}$")]
Coordinator = Annotated[Principal, Depends(require(Role.COORDINATOR))]


class SubjectAreaIn(Strict):
    code: AreaCode
    name: Localized


class SubjectAreaOut(BaseModel):
    code: str
    name: Localized


class CompletionIn(Strict):
    min_attendance_rate: Annotated[Decimal, Field(ge=0, le=1, decimal_places=3)]
    """Share of the sessions a participant must attend (0 to 1); at least one session always."""
    pass_mark: Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)] | None = None
    """The assessment grade (0 to 100) needed to complete; none: no assessment."""


class CreateOfferingIn(Strict):
    kind: OfferingKind
    title: Localized
    description: Localized
    subject_area: AreaCode
    hours: Annotated[Decimal, Field(gt=0, le=2000, decimal_places=1)]
    completion: CompletionIn | None = None
    """Omitted: the kind's default (training course 75% and pass mark 60; mini course 75%; conversatorio attended)."""
    certificate: bool | None = None
    """Whether completing earns a certificate; only a conversatorio may say false. Omitted: true."""
    publish: bool = False
    """Publish at once instead of keeping a draft."""


class CompletionOut(BaseModel):
    min_attendance_rate: Decimal
    pass_mark: Decimal | None


class OfferingOut(BaseModel):
    id: UUID
    kind: OfferingKind
    title: Localized
    description: Localized
    subject_area: str
    hours: Decimal
    completion: CompletionOut
    certificate: bool
    status: str
    created_at: datetime
    published_at: datetime | None


def offering_out(offering: Offering) -> OfferingOut:
    return OfferingOut(
        id=offering.id,
        kind=offering.kind,
        title=offering.title,
        description=offering.description,
        subject_area=offering.subject_area,
        hours=offering.hours,
        completion=CompletionOut(
            min_attendance_rate=offering.rule.min_attendance_rate, pass_mark=offering.rule.pass_mark
        ),
        certificate=offering.certificate,
        status=offering.status.value,
        created_at=offering.created_at,
        published_at=offering.published_at,
    )


def _area_out(area: SubjectArea) -> SubjectAreaOut:
    return SubjectAreaOut(code=area.code, name=area.name)


@router.get("/subject-areas", response_model=list[SubjectAreaOut], summary="The program's subject areas")
async def list_subject_areas(c: ContainerDep, _: CallerDep) -> list[SubjectAreaOut]:
    return [_area_out(area) for area in await queries.subject_areas(c.uow())]


@router.post(
    "/subject-areas",
    status_code=status.HTTP_201_CREATED,
    response_model=SubjectAreaOut,
    summary="Add a subject area (coordinators)",
    responses={409: {"description": "the code exists already"}, **PROBLEMS},
)
async def add_subject_area(body: SubjectAreaIn, c: ContainerDep, _: Coordinator) -> SubjectAreaOut:
    return _area_out(await handlers.add_subject_area(body.code, body.name, c.uow(), c.clock))


@router.post(
    "/offerings",
    status_code=status.HTTP_201_CREATED,
    response_model=OfferingOut,
    summary="Create an offering (coordinators); publish it at once with publish=true",
    responses=PROBLEMS,
)
async def create_offering(
    body: CreateOfferingIn,
    c: ContainerDep,
    principal: Coordinator,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = handlers.CreateOffering(
        kind=body.kind,
        title=body.title,
        description=body.description,
        subject_area=body.subject_area,
        hours=body.hours,
        rule=CompletionRule(body.completion.min_attendance_rate, body.completion.pass_mark)
        if body.completion
        else None,
        certificate=body.certificate,
        publish=body.publish,
    )

    async def run(uow: UnitOfWork) -> tuple[int, OfferingOut]:
        return status.HTTP_201_CREATED, offering_out(await handlers.create_offering(command, uow, c.clock))

    return await c.idempotency.run(principal=principal.subject, key=idempotency_key, body=body, command=run)


@router.post(
    "/offerings/{offering_id}/publish",
    response_model=OfferingOut,
    summary="Publish a draft offering in the catalogue (coordinators)",
    responses={409: {"description": "already published"}, **PROBLEMS},
)
async def publish_offering(offering_id: UUID, c: ContainerDep, _: Coordinator) -> OfferingOut:
    return offering_out(await handlers.publish_offering(offering_id, c.uow(), c.clock))


@router.get(
    "/offerings",
    response_model=list[OfferingOut],
    summary="The catalogue: published offerings (coordinators see drafts too)",
)
async def list_offerings(
    c: ContainerDep,
    caller: CallerDep,
    paging: PageDep,
    kind: OfferingKind | None = None,
    subject_area: AreaCode | None = None,
) -> list[OfferingOut]:
    found = await queries.offerings(
        c.uow(), caller, kind=kind.value if kind else None, subject_area=subject_area, page=paging
    )
    return [offering_out(o) for o in found]


@router.get(
    "/offerings/{offering_id}", response_model=OfferingOut, summary="One offering", responses=PROBLEMS
)
async def get_offering(offering_id: UUID, c: ContainerDep, caller: CallerDep) -> OfferingOut:
    return offering_out(await queries.offering(c.uow(), caller, offering_id))
