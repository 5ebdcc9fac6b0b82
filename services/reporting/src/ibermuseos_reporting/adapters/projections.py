"""Projections of public events into read models, and the queries that serve them."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import submitted_applications


async def project_application_submitted(session: AsyncSession, event: Any) -> None:
    await session.execute(
        insert(submitted_applications)
        .values(
            application_id=event.application_id,
            call_year=event.call_year,
            country=event.applicant.country_of_residence,
        )
        .on_conflict_do_nothing()
    )


async def applications_by_country(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(submitted_applications.c.country, func.count())
        .group_by(submitted_applications.c.country)
        .order_by(submitted_applications.c.country)
    )
    return {country: count for country, count in rows.tuples()}
