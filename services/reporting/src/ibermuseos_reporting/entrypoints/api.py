"""HTTP API: aggregate figures for data consumers."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from ..adapters.projections import applications_by_country
from ..bootstrap import Container

router = APIRouter(prefix="/figures", tags=["figures"])


def container(request: Request) -> Container:
    built: Container = request.app.state.container
    return built


class ApplicationFigures(BaseModel):
    total: int
    by_country: dict[str, int]


@router.get("/applications", summary="Applications submitted, by country of residence")
async def applications(c: Annotated[Container, Depends(container)]) -> ApplicationFigures:
    async with c.platform.sessions() as session:
        by_country = await applications_by_country(session)
    return ApplicationFigures(total=sum(by_country.values()), by_country=by_country)
