"""HTTP API of institution matching: focal points and coordinators review, coordinators confirm, merge and split."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse
from ibermuseos_platform.idempotency import IdempotencyKey
from ibermuseos_platform.inputs import Country, Line, Name, Strict
from ibermuseos_platform.paging import Paged, paged
from pydantic import BaseModel, ConfigDict, Field

from ..adapters.uow import SqlUnitOfWork
from ..application import curation, queries
from ..application.views import Suggestion
from ..domain.institutions import MAX_ABBREVIATION, Abbreviation
from .web import ContainerDep, Coordinator, PageDep, Reviewer

router = APIRouter(prefix="/institutions", tags=["institutions"])

CountryQuery = Annotated[Country | None, Query(description="ISO 3166-1 alpha-2 country")]
AN_INSTITUTION = "3f2b8a54-8c1e-4c59-9d0a-6a0b7d3e9c11"
ANOTHER = "9a7c1e02-55d4-4b0e-8f3a-2c6d1b4e7f80"


def _country(country: str | None) -> str | None:
    return str(country) if country else None


# ------------------------------------------------------------------------------ bodies


class ConfirmIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Museo Nacional de Antropología"}]})

    name: Name | None = Field(
        default=None, description="the name to show for it (default: the best spelling)"
    )


class MergeIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"into": AN_INSTITUTION, "institutions": [ANOTHER]}]}
    )

    into: UUID = Field(description="the institution the others become")
    institutions: Annotated[list[UUID], Field(min_length=1, max_length=50)] = Field(
        description="the institutions counted as `into` from now on (of its country)"
    )


class SplitIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"spellings": [ANOTHER], "name": "Museo de Arte"}]}
    )

    spellings: Annotated[list[UUID], Field(min_length=1, max_length=200)] = Field(
        description="ids of the spellings moved out (from the institution's `spellings`)"
    )
    name: Name | None = Field(default=None, description="the name of the new institution")


class AbbreviationIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "abbreviation": "MNA",
                    "name": "Museo Nacional de Antropología",
                    "country": "MX",
                    "city": "Ciudad de México",
                }
            ]
        }
    )

    abbreviation: Annotated[Line, Field(min_length=1, max_length=MAX_ABBREVIATION)] = Field(
        description="one word, e.g. MNA"
    )
    name: Name = Field(description="what it stands for")
    country: Country
    city: Name | None = Field(default=None, description="only in this city (default: the whole country)")


# ------------------------------------------------------------------------------ answers


class Out(BaseModel):
    """An answer read from a view's attributes."""

    model_config = ConfigDict(from_attributes=True)


class SpellingOut(Out):
    id: UUID
    name: str | None
    city: str | None
    country: str | None
    type: str | None
    abbreviation_of: str | None = Field(description="the name a known abbreviation spelt out, when it is one")


class InstitutionOut(Out):
    institution_id: UUID
    name: str | None
    country: str | None
    city: str | None
    type: str | None
    confirmed: bool = Field(description="a coordinator confirmed the match")
    beneficiaries: int = Field(description="distinct beneficiaries who came from it (exact: for reviewers)")
    replication_mentions: int = Field(description="grantees' replication activities that name it")
    spellings: list[SpellingOut]


class InstitutionName(Out):
    id: UUID
    name: str | None


class SuggestionOut(BaseModel):
    first: InstitutionName
    second: InstitutionName
    similarity: float = Field(description="how alike their names are, from 0 to 1")


class AbbreviationOut(Out):
    id: UUID
    abbreviation: str
    name: str
    country: str
    city: str | None
    created_by: str
    created_at: datetime


class AbbreviationAdded(BaseModel):
    id: UUID
    abbreviation: str
    name: str
    country: str
    city: str | None


class Confirmed(BaseModel):
    id: UUID
    confirmed: bool
    name: str | None


class Merged(BaseModel):
    id: UUID = Field(description="the institution merged into")
    merged: list[UUID]


class SplitOut(BaseModel):
    id: UUID = Field(description="the new institution")
    split_from: UUID
    spellings: list[UUID]


def _suggestion_out(pair: Suggestion) -> SuggestionOut:
    return SuggestionOut(
        first=InstitutionName(id=pair.first, name=pair.first_name),
        second=InstitutionName(id=pair.second, name=pair.second_name),
        similarity=pair.similarity,
    )


NOT_YOURS: dict[int | str, dict[str, Any]] = {
    404: {"description": "A focal point asking about another country"}
}

# ------------------------------------------------------------------------------ routes


@router.get(
    "",
    response_model=Paged[InstitutionOut],
    summary="Institutions as matched, with their spellings and how many beneficiaries they had",
    responses=NOT_YOURS,
)
async def list_institutions(
    request: Request,
    c: ContainerDep,
    caller: Reviewer,
    page: PageDep,
    country: CountryQuery = None,
    q: Annotated[Line | None, Query(max_length=100, description="part of the name")] = None,
    confirmed: bool | None = None,
) -> Paged[InstitutionOut]:
    found = await queries.institutions(
        c.uow(), caller, country=_country(country), search=q, confirmed=confirmed, page=page
    )
    return paged(request, found, InstitutionOut.model_validate)


@router.get(
    "/suggestions",
    response_model=Paged[SuggestionOut],
    summary="Institutions of one city with alike names: candidates to merge, most alike first",
    responses=NOT_YOURS,
)
async def suggestions(
    request: Request, c: ContainerDep, caller: Reviewer, page: PageDep, country: CountryQuery = None
) -> Paged[SuggestionOut]:
    found = await queries.suggestions(c.uow(), caller, _country(country), page)
    return paged(request, found, _suggestion_out)


@router.get(
    "/abbreviations",
    response_model=Paged[AbbreviationOut],
    summary="Known abbreviations of institution names, per country and city",
    responses=NOT_YOURS,
)
async def abbreviations(
    request: Request, c: ContainerDep, caller: Reviewer, page: PageDep, country: CountryQuery = None
) -> Paged[AbbreviationOut]:
    found = await queries.abbreviations(c.uow(), caller, _country(country), page)
    return paged(request, found, AbbreviationOut.model_validate)


@router.post(
    "/abbreviations",
    status_code=status.HTTP_201_CREATED,
    response_model=AbbreviationAdded,
    summary="Teach matching an abbreviation (e.g. MNA in Ciudad de México); applies to every spelling at once",
    responses={409: {"description": "That abbreviation is already known there (`abbreviation_known`)"}},
)
async def add_abbreviation(
    body: AbbreviationIn, c: ContainerDep, caller: Coordinator, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    command = curation.AddAbbreviation(
        Abbreviation(body.abbreviation, body.name, str(body.country), body.city), caller.subject
    )

    async def add(uow: SqlUnitOfWork) -> tuple[int, AbbreviationAdded]:
        new_id = await curation.add_abbreviation(command, uow, c.clock)
        return status.HTTP_201_CREATED, AbbreviationAdded(id=new_id, **body.model_dump())

    return await c.idempotency.run(principal=caller.subject, key=idempotency_key, body=body, command=add)


@router.delete(
    "/abbreviations/{abbreviation_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Forget an abbreviation",
)
async def remove_abbreviation(abbreviation_id: UUID, c: ContainerDep, caller: Coordinator) -> Response:
    await curation.remove_abbreviation(
        curation.RemoveAbbreviation(abbreviation_id, caller.subject), c.uow(), c.clock
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/merge",
    response_model=Merged,
    summary="Count several institutions as one (from now on and after every rebuild)",
)
async def merge(body: MergeIn, c: ContainerDep, caller: Coordinator) -> Merged:
    command = curation.MergeInstitutions(body.into, tuple(body.institutions), caller.subject)
    await curation.merge_institutions(command, c.uow(), c.clock)
    return Merged(id=body.into, merged=body.institutions)


@router.get(
    "/{institution_id:uuid}",
    response_model=InstitutionOut,
    summary="One institution with its spellings",
)
async def get_institution(institution_id: UUID, c: ContainerDep, caller: Reviewer) -> InstitutionOut:
    return InstitutionOut.model_validate(await queries.institution(c.uow(), caller, institution_id))


@router.post(
    "/{institution_id:uuid}/confirm",
    response_model=Confirmed,
    summary="Confirm that the spellings matched into it are one institution",
)
async def confirm(institution_id: UUID, body: ConfirmIn, c: ContainerDep, caller: Coordinator) -> Confirmed:
    command = curation.ConfirmInstitution(institution_id, body.name, caller.subject)
    await curation.confirm_institution(command, c.uow(), c.clock)
    return Confirmed(id=institution_id, confirmed=True, name=body.name)


@router.post(
    "/{institution_id:uuid}/split",
    status_code=status.HTTP_201_CREATED,
    response_model=SplitOut,
    summary="Split spellings wrongly matched into an institution out into a new one",
    responses={409: {"description": "A request with this Idempotency-Key is still being processed"}},
)
async def split(
    institution_id: UUID,
    body: SplitIn,
    c: ContainerDep,
    caller: Coordinator,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = curation.SplitInstitution(institution_id, tuple(body.spellings), body.name, caller.subject)

    async def split_out(uow: SqlUnitOfWork) -> tuple[int, SplitOut]:
        new_id = await curation.split_institution(command, uow, c.clock)
        return status.HTTP_201_CREATED, SplitOut(
            id=new_id, split_from=institution_id, spellings=body.spellings
        )

    return await c.idempotency.run(
        principal=caller.subject, key=idempotency_key, body=body, command=split_out
    )
