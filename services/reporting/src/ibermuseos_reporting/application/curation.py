"""The coordinator's commands about institutions: confirm a match, merge institutions, split spellings out."""

import uuid
from collections.abc import Sequence
from typing import Any, Protocol

from ..domain.institutions import Abbreviation, Candidate, check_abbreviation, suggest_duplicates


class CurationError(Exception):
    """The command cannot be carried out as asked; `status` is the HTTP answer, `problems` every reason."""

    def __init__(self, status: int, title: str, problems: Sequence[dict[str, str]] = ()) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.problems = list(problems)


class Curation(Protocol):
    async def log(self, by: str, action: str, detail: dict[str, Any]) -> None: ...

    async def institution_country(self, institution_id: uuid.UUID) -> str | None: ...

    async def spellings_of(self, institution_id: uuid.UUID) -> list[dict[str, Any]]: ...

    async def candidates(self, country: str | None) -> dict[tuple[str, str], list[Candidate]]: ...

    async def confirm(self, institution_id: uuid.UUID, name: str | None, by: str) -> None: ...

    async def link_key(self, matched_key: str, institution_id: uuid.UUID, by: str) -> None: ...

    async def link_spelling(self, spelling: str, institution_id: uuid.UUID, by: str) -> None: ...

    async def relink(self, source: uuid.UUID, target: uuid.UUID, by: str) -> None: ...

    async def add_abbreviation(self, abbreviation: Abbreviation, by: str) -> uuid.UUID: ...

    async def remove_abbreviation(self, abbreviation_id: uuid.UUID) -> dict[str, Any] | None: ...


async def confirm_institution(
    curation: Curation, institution_id: uuid.UUID, name: str | None, by: str
) -> None:
    """A coordinator confirms that the spellings matched into an institution are that one institution."""
    if await curation.institution_country(institution_id) is None:
        raise CurationError(404, "No such institution")
    await curation.confirm(institution_id, name, by)
    await curation.log(by, "confirm", {"institution_id": institution_id, "name": name})


async def merge_institutions(
    curation: Curation, into: uuid.UUID, sources: Sequence[uuid.UUID], by: str
) -> None:
    """Institutions the rules did not match become one: all their spellings count as `into`, now and after rebuilds."""
    target_country = await curation.institution_country(into)
    problems = []
    if target_country is None:
        problems.append({"field": "into", "problem": f"no institution {into}"})
    for index, source in enumerate(sources):
        if source == into:
            problems.append({"field": f"institutions.{index}", "problem": "is the institution merged into"})
            continue
        country = await curation.institution_country(source)
        if country is None:
            problems.append({"field": f"institutions.{index}", "problem": f"no institution {source}"})
        elif target_country is not None and country != target_country:
            problems.append(
                {
                    "field": f"institutions.{index}",
                    "problem": "is in another country: institutions match within one",
                }
            )
    if problems:
        raise CurationError(422, "The institutions cannot be merged", problems)
    for source in sources:
        for spelling in await curation.spellings_of(source):
            if not spelling["linked"]:
                # A spelling split into `source` keeps its own link (moved below); its key is not `source`'s.
                await curation.link_key(spelling["matched_key"], into, by)
        await curation.relink(source, into, by)
    await curation.log(by, "merge", {"into": into, "institutions": list(sources)})


async def split_institution(
    curation: Curation,
    institution_id: uuid.UUID,
    spelling_ids: Sequence[uuid.UUID],
    name: str | None,
    by: str,
) -> uuid.UUID:
    """Spellings wrongly matched into an institution are split out into a new one of their own."""
    if await curation.institution_country(institution_id) is None:
        raise CurationError(404, "No such institution")
    spellings = {spelling["id"]: spelling for spelling in await curation.spellings_of(institution_id)}
    problems = [
        {"field": f"spellings.{index}", "problem": "is not a spelling of this institution"}
        for index, spelling_id in enumerate(spelling_ids)
        if spelling_id not in spellings
    ]
    if not problems and len(set(spelling_ids)) >= len(spellings):
        problems.append({"field": "spellings", "problem": "would leave the institution without any spelling"})
    if problems:
        raise CurationError(422, "The spellings cannot be split out", problems)
    new_id = uuid.uuid4()
    for spelling_id in spelling_ids:
        await curation.link_spelling(spellings[spelling_id]["spelling"], new_id, by)
    await curation.confirm(new_id, name, by)
    await curation.log(
        by,
        "split",
        {"institution_id": institution_id, "spellings": list(spelling_ids), "new_institution_id": new_id},
    )
    return new_id


async def add_abbreviation(curation: Curation, abbreviation: Abbreviation, by: str) -> uuid.UUID:
    """A known abbreviation extends matching at once, for every spelling ever seen and every one to come."""
    check_abbreviation(abbreviation)
    new_id = await curation.add_abbreviation(abbreviation, by)
    await curation.log(
        by,
        "add_abbreviation",
        {
            "id": new_id,
            "abbreviation": abbreviation.abbreviation,
            "name": abbreviation.name,
            "country": abbreviation.country,
            "city": abbreviation.city,
        },
    )
    return new_id


async def remove_abbreviation(curation: Curation, abbreviation_id: uuid.UUID, by: str) -> None:
    removed = await curation.remove_abbreviation(abbreviation_id)
    if removed is None:
        raise CurationError(404, "No such abbreviation")
    await curation.log(by, "remove_abbreviation", removed)


async def duplicate_suggestions(curation: Curation, country: str | None, limit: int) -> list[dict[str, Any]]:
    """Institutions of one city whose names are alike, for a coordinator to merge or leave apart."""
    suggestions: list[tuple[Candidate, Candidate, float]] = []
    for candidates in (await curation.candidates(country)).values():
        suggestions += suggest_duplicates(candidates, limit=limit)
    suggestions.sort(key=lambda pair: -pair[2])
    return [
        {"first": first.institution_id, "second": second.institution_id, "similarity": score}
        for first, second, score in suggestions[:limit]
    ]
