"""Operators' endpoints of the retention policy: run the erasure job now, erase one person on request.

Operators only; the answers carry counts and the audit record's id, never personal data.
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path
from ibermuseos_platform.auth import Principal, Role, require
from pydantic import BaseModel

from .api import ContainerDep

router = APIRouter(tags=["privacy"])

OperatorOnly = Annotated[Principal, Depends(require(Role.OPERATOR))]


class Erased(BaseModel):
    erased: dict[str, int]
    """Rows erased per table (content removed, or row deleted)."""


class PersonErasure(Erased):
    erasure_id: UUID
    """The audit record (the person's pseudonym, who asked, when, how much)."""


@router.post(
    "/retention/run",
    response_model=Erased,
    summary="Run the retention job now (it also runs periodically); rows erased per table",
)
async def run_retention(principal: OperatorOnly, c: ContainerDep) -> Erased:
    return Erased(erased=await c.erase_expired())


@router.post(
    "/people/{person_id}/erasure",
    response_model=PersonErasure,
    summary="Erase everything held about one person (right to erasure); only the messages' keys stay",
)
async def erase_person(
    person_id: Annotated[str, Path(min_length=1, max_length=255)], principal: OperatorOnly, c: ContainerDep
) -> PersonErasure:
    erased = await c.erase_person(person_id, principal.subject)
    return PersonErasure(erasure_id=erased.erasure_id, erased=erased.counts)
