"""The focal points told of new calls: named by coordinators, seen by them and by each country's own."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from ibermuseos_contracts.types import LanguageTag
from ibermuseos_kernel.paging import Page
from ibermuseos_platform.auth import CurrentCaller
from ibermuseos_platform.inputs import Country, Name, Strict, TimeZoneName
from ibermuseos_platform.paging import Paged, page_of, paged
from pydantic import ConfigDict, EmailStr

from ..application import focal_points, queries
from .dependencies import ContainerDep, Coordinator, PersonId

router = APIRouter(tags=["focal points"])


class FocalPointIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "country": "UY",
                    "name": "Pablo Pérez",
                    "email": "pablo@museos.example",
                    "preferred_language": "es",
                    "timezone": "America/Montevideo",
                }
            ]
        }
    )

    country: Country
    name: Name
    email: EmailStr
    preferred_language: LanguageTag
    timezone: TimeZoneName | None = None
    """The person's own zone; without one, the country's usual zone is used until theirs is known."""


@router.get(
    "/focal-points",
    response_model=Paged[queries.FocalPoint],
    summary="The focal points told of new calls (a focal point sees their own country's)",
)
async def list_focal_points(
    request: Request,
    caller: CurrentCaller,
    c: ContainerDep,
    page: Annotated[Page, Depends(page_of)],
    country: Annotated[Country | None, Query()] = None,
) -> Paged[queries.FocalPoint]:
    return paged(request, await queries.focal_points(c.uow(), caller, country, page))


@router.put(
    "/focal-points/{person_id}",
    response_model=queries.FocalPoint,
    summary="Name (or update) a country's focal point; idempotent by nature",
)
async def put_focal_point(
    person_id: PersonId, body: FocalPointIn, caller: Coordinator, c: ContainerDep
) -> queries.FocalPoint:
    command = focal_points.NameFocalPoint(
        person_id=person_id,
        country=body.country,
        name=body.name,
        email=str(body.email),
        preferred_language=body.preferred_language,
        timezone=body.timezone,
        named_by=caller.subject,
    )
    return await focal_points.name_focal_point(command, c.uow(), c.clock)


@router.delete(
    "/focal-points/{person_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="A person is no longer a focal point",
)
async def delete_focal_point(person_id: PersonId, caller: Coordinator, c: ContainerDep) -> Response:
    await focal_points.remove_focal_point(focal_points.RemoveFocalPoint(person_id), c.uow(), c.clock)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
