"""HTTP API of the catalogue: subject areas and offerings."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from ibermuseos_contracts.courses import OfferingKind
from ibermuseos_contracts.types import Localized
from ibermuseos_platform.auth import CurrentCaller
from ibermuseos_platform.idempotency import IdempotencyKey
from ibermuseos_platform.inputs import LocalizedText, LocalizedTitle, Strict
from ibermuseos_platform.paging import Paged, paged
from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints

from ..application import catalogue, queries
from ..application.ports import UnitOfWork
from ..domain.catalogue import CompletionRule, Offering, OfferingStatus, SubjectArea
from .dependencies import ContainerDep, Coordinator, PageDep

router = APIRouter(tags=["catalogue"])

AreaCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{1,59}$")]
TEXTS: dict[str, JsonValue] = {
    "es": "Conservación preventiva de colecciones",
    "pt": "Conservação preventiva de acervos",
    "en": "Preventive conservation of collections",
}


class SubjectAreaIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "digital_heritage",
                    "name": {
                        "es": "Patrimonio digital",
                        "pt": "Patrimônio digital",
                        "en": "Digital heritage",
                    },
                }
            ]
        }
    )

    code: AreaCode
    name: LocalizedTitle


class SubjectAreaOut(BaseModel):
    code: str
    name: Localized


class CompletionIn(Strict):
    min_attendance_rate: Annotated[Decimal, Field(ge=0, le=1, decimal_places=3)]
    """Share of the sessions a participant must attend (0 to 1); at least one session always."""
    pass_mark: Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)] | None = None
    """The assessment grade (0 to 100) needed to complete; none: no assessment."""


class CreateOfferingIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "training_course",
                    "title": TEXTS,
                    "description": TEXTS,
                    "subject_area": "conservation",
                    "hours": "40",
                    "completion": {"min_attendance_rate": "0.75", "pass_mark": "60"},
                    "publish": True,
                }
            ]
        }
    )

    kind: OfferingKind
    title: LocalizedTitle
    description: LocalizedText
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


def completion_out(rule: CompletionRule) -> CompletionOut:
    return CompletionOut(min_attendance_rate=rule.min_attendance_rate, pass_mark=rule.pass_mark)


class OfferingOut(BaseModel):
    id: UUID
    kind: OfferingKind
    title: Localized
    description: Localized
    subject_area: str
    hours: Decimal
    completion: CompletionOut
    certificate: bool
    status: OfferingStatus
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
        completion=completion_out(offering.rule),
        certificate=offering.certificate,
        status=offering.status,
        created_at=offering.created_at,
        published_at=offering.published_at,
    )


def _area_out(area: SubjectArea) -> SubjectAreaOut:
    return SubjectAreaOut(code=area.code, name=area.name)


@router.get("/subject-areas", response_model=Paged[SubjectAreaOut], summary="The program's subject areas")
async def list_subject_areas(
    request: Request, c: ContainerDep, _: CurrentCaller, page: PageDep
) -> Paged[SubjectAreaOut]:
    return paged(request, await queries.subject_areas(c.uow(), page), _area_out)


@router.post(
    "/subject-areas",
    status_code=status.HTTP_201_CREATED,
    response_model=SubjectAreaOut,
    summary="Add a subject area (coordinators)",
    responses={409: {"description": "The code exists already (`subject_area_exists`)"}},
)
async def add_subject_area(body: SubjectAreaIn, c: ContainerDep, _: Coordinator) -> SubjectAreaOut:
    command = catalogue.AddSubjectArea(body.code, body.name)
    return _area_out(await catalogue.add_subject_area(command, c.uow(), c.clock))


@router.post(
    "/offerings",
    status_code=status.HTTP_201_CREATED,
    response_model=OfferingOut,
    summary="Create an offering (coordinators); publish it at once with publish=true",
)
async def create_offering(
    body: CreateOfferingIn, c: ContainerDep, caller: Coordinator, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    command = catalogue.CreateOffering(
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

    async def create(uow: UnitOfWork) -> tuple[int, OfferingOut]:
        return status.HTTP_201_CREATED, offering_out(await catalogue.create_offering(command, uow, c.clock))

    return await c.idempotency.run(principal=caller.subject, key=idempotency_key, body=body, command=create)


@router.post(
    "/offerings/{offering_id:uuid}/publish",
    response_model=OfferingOut,
    summary="Publish a draft offering in the catalogue (coordinators)",
    responses={409: {"description": "Already published (`offering_published`)"}},
)
async def publish_offering(offering_id: UUID, c: ContainerDep, _: Coordinator) -> OfferingOut:
    command = catalogue.PublishOffering(offering_id)
    return offering_out(await catalogue.publish_offering(command, c.uow(), c.clock))


@router.get(
    "/offerings",
    response_model=Paged[OfferingOut],
    summary="The catalogue: published offerings (coordinators see drafts too)",
)
async def list_offerings(
    request: Request,
    c: ContainerDep,
    caller: CurrentCaller,
    page: PageDep,
    kind: OfferingKind | None = None,
    subject_area: AreaCode | None = None,
) -> Paged[OfferingOut]:
    found = await queries.offerings(
        c.uow(), caller, kind=kind.value if kind else None, subject_area=subject_area, page=page
    )
    return paged(request, found, offering_out)


@router.get("/offerings/{offering_id:uuid}", response_model=OfferingOut, summary="One offering")
async def get_offering(offering_id: UUID, c: ContainerDep, caller: CurrentCaller) -> OfferingOut:
    return offering_out(await queries.offering(c.uow(), caller, offering_id))
