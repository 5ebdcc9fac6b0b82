"""The coordinator's decisions about institutions, and the institutions as the serving projections see them."""

# ruff: noqa: S608 - the only names put into SQL are projection schemas that passed `schemas.checked`

import json
import uuid
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from ibermuseos_kernel.errors import Conflict
from ibermuseos_kernel.paging import Page, Slice
from ibermuseos_platform.db import count_rows, on_page
from ibermuseos_platform.paging import sliced
from sqlalchemy import Table, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..application.views import InstitutionView, KnownAbbreviation, SpellingView
from ..domain.institutions import Abbreviation, Candidate
from .schemas import checked
from .tables import (
    curation_log,
    institution_abbreviations,
    institution_key_links,
    institution_reviews,
    institution_spelling_links,
)

KNOWN_ABBREVIATION = [field.name for field in fields(KnownAbbreviation)]
ABBREVIATION_COLUMNS = (
    "abbreviation",
    "name",
    "country",
    "city",
    "abbreviation_norm",
    "name_norm",
    "city_norm",
)
"""What is kept of an abbreviation, as written and normalised (the matching rules read the latter)."""


class SqlCuration:
    """Reads institutions from one projection schema; writes decisions to the durable tables. Never commits."""

    def __init__(self, session: AsyncSession, schema: str) -> None:
        self._session = session
        self._schema = checked(schema)

    async def log(self, by: str, action: str, detail: dict[str, Any], at: datetime) -> None:
        await self._session.execute(
            curation_log.insert().values(
                at=at, by=by, action=action, detail=json.loads(json.dumps(detail, default=str))
            )
        )

    # ----------------------------------------------------------------------- reading

    async def institutions(
        self,
        *,
        country: str | None,
        search: str | None,
        confirmed: bool | None,
        page: Page,
        institution_id: uuid.UUID | None = None,
    ) -> Slice[InstitutionView]:
        s = self._schema
        conditions: list[str] = []
        params: dict[str, Any] = {"limit": page.limit, "offset": page.offset}
        if country:
            conditions.append("i.country = :country")
            params["country"] = country
        if search:
            conditions.append("i.name ILIKE :search")
            params["search"] = f"%{search}%"
        if confirmed is not None:
            conditions.append("i.confirmed = :confirmed")
            params["confirmed"] = confirmed
        if institution_id is not None:
            conditions.append("i.institution_id = :institution_id")
            params["institution_id"] = institution_id
        where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
        total = (
            await self._session.execute(text(f"SELECT COUNT(*) FROM {s}.institutions i {where}"), params)
        ).scalar_one()
        rows = await self._session.execute(
            text(
                f"""
                WITH page AS (
                    SELECT i.* FROM {s}.institutions i {where}
                    ORDER BY i.country, i.name, i.institution_id LIMIT :limit OFFSET :offset
                )
                SELECT page.institution_id, page.name, page.country, page.city, page.type, page.confirmed,
                       (SELECT COUNT(DISTINCT p.person) FROM {s}.participations p
                          JOIN {s}.spelling_resolution r ON r.spelling = p.spelling
                         WHERE r.institution_id = page.institution_id) AS beneficiaries,
                       (SELECT COUNT(*) FROM {s}.replications x
                          JOIN {s}.spelling_resolution r ON r.spelling = x.spelling
                         WHERE r.institution_id = page.institution_id) AS replication_mentions,
                       (SELECT json_agg(json_build_object(
                                 'id', md5('spelling:' || r.spelling)::uuid, 'name', r.name, 'city', r.city,
                                 'country', r.country, 'type', r.type,
                                 'abbreviation_of', r.expanded_name) ORDER BY r.name)
                          FROM {s}.spelling_resolution r WHERE r.institution_id = page.institution_id) AS spellings
                FROM page ORDER BY page.country, page.name, page.institution_id
                """
            ),
            params,
        )
        return sliced([_institution(row) for row in rows], int(total), page)

    async def institution_country(self, institution_id: uuid.UUID) -> str | None:
        value = (
            await self._session.execute(
                text(f"SELECT country FROM {self._schema}.institutions WHERE institution_id = :id"),
                {"id": institution_id},
            )
        ).scalar_one_or_none()
        return str(value) if value is not None else None

    async def spellings_of(self, institution_id: uuid.UUID) -> list[dict[str, Any]]:
        rows = await self._session.execute(
            text(
                f"SELECT md5('spelling:' || spelling)::uuid AS id, spelling, matched_key, "
                "EXISTS (SELECT 1 FROM public.institution_spelling_links sl WHERE sl.spelling = r.spelling) AS linked "
                f"FROM {self._schema}.spelling_resolution r WHERE institution_id = :id"
            ),
            {"id": institution_id},
        )
        return [dict(row._mapping) for row in rows]

    async def candidates(self, country: str | None) -> dict[tuple[str, str], list[Candidate]]:
        conditions = "WHERE r.country = :country" if country else ""
        rows = await self._session.execute(
            text(
                f"""
                SELECT DISTINCT r.institution_id, r.country, r.city_norm, split_part(r.matched_key, '|', 3) AS name_norm
                FROM {self._schema}.spelling_resolution r {conditions}
                ORDER BY 2, 3, 4
                """
            ),
            {"country": country} if country else {},
        )
        groups: dict[tuple[str, str], list[Candidate]] = {}
        for row in rows:
            groups.setdefault((row.country, row.city_norm), []).append(
                Candidate(row.institution_id, row.name_norm)
            )
        return groups

    async def names(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not ids:
            return {}
        rows = await self._session.execute(
            text(
                f"SELECT institution_id, name FROM {self._schema}.institutions WHERE institution_id = ANY(:ids)"
            ),
            {"ids": list(ids)},
        )
        return {row.institution_id: row.name for row in rows}

    # ----------------------------------------------------------------------- writing

    async def confirm(self, institution_id: uuid.UUID, name: str | None, by: str, at: datetime) -> None:
        statement = pg_insert(institution_reviews).values(
            institution_id=institution_id, name=name, confirmed=True, decided_by=by, decided_at=at
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["institution_id"],
                set_={
                    "name": statement.excluded.name,
                    "confirmed": True,
                    "decided_by": by,
                    "decided_at": at,
                },
            )
        )

    async def link_key(self, matched_key: str, institution_id: uuid.UUID, by: str, at: datetime) -> None:
        await self._link(institution_key_links, "matched_key", matched_key, institution_id, by, at)

    async def link_spelling(self, spelling: str, institution_id: uuid.UUID, by: str, at: datetime) -> None:
        await self._link(institution_spelling_links, "spelling", spelling, institution_id, by, at)

    async def _link(
        self, table: Table, key: str, value: str, institution_id: uuid.UUID, by: str, at: datetime
    ) -> None:
        decision = {"institution_id": institution_id, "decided_by": by, "decided_at": at}
        statement = pg_insert(table).values({key: value, **decision})
        await self._session.execute(statement.on_conflict_do_update(index_elements=[key], set_=decision))

    async def relink(self, source: uuid.UUID, target: uuid.UUID, by: str, at: datetime) -> None:
        """Every earlier decision that pointed at `source` now points at `target`."""
        for table in (institution_key_links, institution_spelling_links):
            await self._session.execute(
                table.update()
                .where(table.c.institution_id == source)
                .values(institution_id=target, decided_by=by, decided_at=at)
            )

    async def add_abbreviation(self, abbreviation: Abbreviation, by: str, at: datetime) -> uuid.UUID:
        new_id = uuid.uuid4()
        try:
            async with self._session.begin_nested():
                written = {name: getattr(abbreviation, name) for name in ABBREVIATION_COLUMNS}
                await self._session.execute(
                    institution_abbreviations.insert().values(
                        id=new_id, created_by=by, created_at=at, **written
                    )
                )
        except IntegrityError:
            raise Conflict("That abbreviation is already known there", code="abbreviation_known") from None
        return new_id

    async def abbreviations(self, country: str | None, page: Page) -> Slice[KnownAbbreviation]:
        table = institution_abbreviations
        scope = [table.c.country == country] if country else []
        query = (
            select(*(table.c[name] for name in KNOWN_ABBREVIATION))
            .where(*scope)
            .order_by(table.c.country, table.c.abbreviation_norm, table.c.city_norm, table.c.id)
        )
        rows = await self._session.execute(on_page(query, page))
        found = [KnownAbbreviation(**row._mapping) for row in rows]
        return sliced(found, await count_rows(self._session, query), page)

    async def remove_abbreviation(self, abbreviation_id: uuid.UUID) -> dict[str, Any] | None:
        table = institution_abbreviations
        row = (
            await self._session.execute(table.delete().where(table.c.id == abbreviation_id).returning(table))
        ).first()
        return dict(row._mapping) if row is not None else None


def _institution(row: Any) -> InstitutionView:
    found = dict(row._mapping)
    spellings = [
        SpellingView(**{**spelling, "id": uuid.UUID(spelling["id"])}) for spelling in found["spellings"] or []
    ]
    return InstitutionView(**{**found, "spellings": spellings})
