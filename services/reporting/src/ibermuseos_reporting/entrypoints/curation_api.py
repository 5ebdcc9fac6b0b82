"""HTTP API of institution matching: focal points and coordinators review, coordinators confirm, merge and split."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import JSONResponse
from ibermuseos_contracts.types import CountryCode
from ibermuseos_platform.auth import Principal, Role, require
from ibermuseos_platform.idempotency import IdempotencyKey
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters.curation import DuplicateAbbreviation, SqlCuration
from ..application import curation as commands
from ..application.curation import CurationError
from ..domain.institutions import Abbreviation, InvalidAbbreviation
from .web import ContainerDep, problem, serving_session

router = APIRouter(prefix="/institutions", tags=["institutions"])

Reviewer = Annotated[Principal, Depends(require(Role.COORDINATOR, Role.FOCAL_POINT))]
Coordinator = Annotated[Principal, Depends(require(Role.COORDINATOR))]
Name = Annotated[str, Field(min_length=1, max_length=300)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConfirmIn(Strict):
    name: Name | None = Field(
        default=None, description="the name to show for it (default: the best spelling)"
    )


class MergeIn(Strict):
    into: uuid.UUID
    institutions: Annotated[list[uuid.UUID], Field(min_length=1, max_length=50)]


class SplitIn(Strict):
    spellings: Annotated[list[uuid.UUID], Field(min_length=1, max_length=200)]
    name: Name | None = None


class AbbreviationIn(Strict):
    abbreviation: Annotated[str, Field(min_length=1, max_length=60)]
    name: Name
    country: CountryCode
    city: Name | None = Field(default=None, description="only in this city (default: the whole country)")


def _scope(principal: Principal, country: str | None) -> str | None:
    """Focal points see their own country's institutions only; another country is 'not found'."""
    if principal.has(Role.COORDINATOR):
        return country
    if country is not None and country != principal.country:
        raise problem(404, "No institutions of that country for you")
    return principal.country or "--"


def _failed(error: CurationError) -> Exception:
    return problem(error.status, error.title, error.problems)


@router.get("", summary="Institutions as matched, with their spellings and how many beneficiaries they had")
async def list_institutions(
    c: ContainerDep,
    principal: Reviewer,
    country: Annotated[CountryCode | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=100, description="part of the name")] = None,
    confirmed: bool | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    scope = _scope(principal, country)
    async with serving_session(c) as (session, schema):
        total, items = await SqlCuration(session, schema).institutions(
            country=scope, search=q, confirmed=confirmed, limit=page_size, offset=(page - 1) * page_size
        )
    return {"total": total, "page": page, "page_size": page_size, "items": items}


@router.get("/suggestions", summary="Institutions of one city with alike names: candidates to merge")
async def suggestions(
    c: ContainerDep,
    principal: Reviewer,
    country: Annotated[CountryCode | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    scope = _scope(principal, country)
    async with serving_session(c) as (session, schema):
        curation = SqlCuration(session, schema)
        pairs = await commands.duplicate_suggestions(curation, scope, limit)
        names = await curation.names([pair[key] for pair in pairs for key in ("first", "second")])
    return {
        "items": [
            {
                "first": {"id": pair["first"], "name": names.get(pair["first"])},
                "second": {"id": pair["second"], "name": names.get(pair["second"])},
                "similarity": pair["similarity"],
            }
            for pair in pairs
        ]
    }


@router.get("/abbreviations", summary="Known abbreviations of institution names, per country and city")
async def abbreviations(
    c: ContainerDep, principal: Reviewer, country: Annotated[CountryCode | None, Query()] = None
) -> dict[str, Any]:
    scope = _scope(principal, country)
    async with serving_session(c) as (session, schema):
        items = await SqlCuration(session, schema).abbreviations(scope)
    return {"items": items}


@router.post(
    "/abbreviations",
    status_code=status.HTTP_201_CREATED,
    summary="Teach matching an abbreviation (e.g. MNA in Ciudad de México); applies to every spelling at once",
)
async def add_abbreviation(
    body: AbbreviationIn,
    c: ContainerDep,
    principal: Coordinator,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def command(joining: AsyncSession | None) -> tuple[int, dict[str, Any]]:
        abbreviation = Abbreviation(body.abbreviation, body.name, body.country, body.city)
        try:
            async with serving_session(c, joining) as (session, schema):
                new_id = await commands.add_abbreviation(
                    SqlCuration(session, schema), abbreviation, principal.subject
                )
        except InvalidAbbreviation as invalid:
            raise problem(
                422,
                "The abbreviation is not valid",
                [{"field": p.split(":")[0], "problem": p.split(": ", 1)[-1]} for p in invalid.problems],
            ) from None
        except DuplicateAbbreviation:
            raise problem(409, "That abbreviation is already known there") from None
        return status.HTTP_201_CREATED, {"id": new_id, **body.model_dump()}

    return await c.idempotency.run(
        principal=principal.subject, key=idempotency_key, body=body, command=command
    )


@router.delete(
    "/abbreviations/{abbreviation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Forget an abbreviation",
)
async def remove_abbreviation(
    abbreviation_id: uuid.UUID, c: ContainerDep, principal: Coordinator
) -> Response:
    try:
        async with serving_session(c) as (session, schema):
            await commands.remove_abbreviation(
                SqlCuration(session, schema), abbreviation_id, principal.subject
            )
    except CurationError as error:
        raise _failed(error) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/merge", summary="Count several institutions as one (from now on and after every rebuild)")
async def merge(body: MergeIn, c: ContainerDep, principal: Coordinator) -> dict[str, Any]:
    try:
        async with serving_session(c) as (session, schema):
            await commands.merge_institutions(
                SqlCuration(session, schema), body.into, body.institutions, principal.subject
            )
    except CurationError as error:
        raise _failed(error) from None
    return {"id": body.into, "merged": body.institutions}


@router.get("/{institution_id}", summary="One institution with its spellings")
async def get_institution(institution_id: uuid.UUID, c: ContainerDep, principal: Reviewer) -> dict[str, Any]:
    async with serving_session(c) as (session, schema):
        _, items = await SqlCuration(session, schema).institutions(
            country=None if principal.has(Role.COORDINATOR) else (principal.country or "--"),
            search=None,
            confirmed=None,
            limit=1,
            offset=0,
            institution_id=institution_id,
        )
    if not items:
        raise problem(404, "No such institution")
    return items[0]


@router.post(
    "/{institution_id}/confirm", summary="Confirm that the spellings matched into it are one institution"
)
async def confirm(
    institution_id: uuid.UUID, body: ConfirmIn, c: ContainerDep, principal: Coordinator
) -> dict[str, Any]:
    try:
        async with serving_session(c) as (session, schema):
            await commands.confirm_institution(
                SqlCuration(session, schema), institution_id, body.name, principal.subject
            )
    except CurationError as error:
        raise _failed(error) from None
    return {"id": institution_id, "confirmed": True, "name": body.name}


@router.post(
    "/{institution_id}/split",
    status_code=status.HTTP_201_CREATED,
    summary="Split spellings wrongly matched into an institution out into a new one",
)
async def split(
    institution_id: uuid.UUID,
    body: SplitIn,
    c: ContainerDep,
    principal: Coordinator,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def command(joining: AsyncSession | None) -> tuple[int, dict[str, Any]]:
        try:
            async with serving_session(c, joining) as (session, schema):
                new_id = await commands.split_institution(
                    SqlCuration(session, schema), institution_id, body.spellings, body.name, principal.subject
                )
        except CurationError as error:
            raise _failed(error) from None
        return status.HTTP_201_CREATED, {
            "id": new_id,
            "split_from": institution_id,
            "spellings": body.spellings,
        }

    return await c.idempotency.run(
        principal=principal.subject, key=idempotency_key, body=body, command=command
    )
