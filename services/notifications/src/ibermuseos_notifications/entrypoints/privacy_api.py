"""Operators' endpoints of the retention policy: run the erasure job now, erase one person on request.

Operators only; the answers carry counts and the audit record's id, never personal data.
"""

from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from .dependencies import ContainerDep, OperatorOnly, PersonId

router = APIRouter(tags=["privacy"])


class Erased(BaseModel):
    erased: dict[str, int] = Field(description="Rows erased per table (content removed, or row deleted)")


class PersonErasure(Erased):
    erasure_id: UUID = Field(
        description="The audit record (the person's pseudonym, who asked, when, how much)"
    )


@router.post(
    "/retention/run",
    response_model=Erased,
    summary="Run the retention job now (it also runs periodically); rows erased per table",
)
async def run_retention(caller: OperatorOnly, c: ContainerDep) -> Erased:
    return Erased(erased=await c.erase_expired())


@router.post(
    "/people/{person_id}/erasure",
    response_model=PersonErasure,
    summary="Erase everything held about one person (right to erasure); only the messages' keys stay",
)
async def erase_person(person_id: PersonId, caller: OperatorOnly, c: ContainerDep) -> PersonErasure:
    erased = await c.erase_person(person_id, caller.subject)
    return PersonErasure(erasure_id=erased.erasure_id, erased=erased.counts)
