"""What the application layer needs from outside: the serving projections, the curation tables, one transaction."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from ibermuseos_kernel.paging import Page, Slice
from ibermuseos_kernel.transaction import Transaction

from ..domain.figures import Filters, State
from ..domain.institutions import Abbreviation, Candidate
from ..domain.microdata import Microdata
from .views import InstitutionView, KnownAbbreviation, RebuildRun, ServingView


class Figures(Protocol):
    """What the figures are computed from: the serving projections."""

    async def microdata(self) -> Microdata: ...

    async def labels(self, language: str) -> dict[str, str]: ...

    async def beneficiaries_by_institution(self, filters: Filters) -> list[dict[str, Any]]: ...

    async def institutions(
        self, filters: Filters, by: str | None
    ) -> tuple[dict[str, int], list[dict[str, Any]]]: ...

    async def institution_reach(self) -> list[dict[str, Any]]: ...

    async def calls(self) -> dict[str, dict[str, Any]]: ...

    async def state(self) -> State: ...


class Curation(Protocol):
    """Institutions as the serving projections match them, and the coordinator's decisions about them."""

    async def institutions(
        self,
        *,
        country: str | None,
        search: str | None,
        confirmed: bool | None,
        page: Page,
        institution_id: UUID | None = None,
    ) -> Slice[InstitutionView]: ...

    async def names(self, ids: Sequence[UUID]) -> dict[UUID, str]: ...

    async def candidates(self, country: str | None) -> dict[tuple[str, str], list[Candidate]]: ...

    async def abbreviations(self, country: str | None, page: Page) -> Slice[KnownAbbreviation]: ...

    async def institution_country(self, institution_id: UUID) -> str | None: ...

    async def spellings_of(self, institution_id: UUID) -> list[dict[str, Any]]: ...

    async def log(self, by: str, action: str, detail: dict[str, Any], at: datetime) -> None: ...

    async def confirm(self, institution_id: UUID, name: str | None, by: str, at: datetime) -> None: ...

    async def link_key(self, matched_key: str, institution_id: UUID, by: str, at: datetime) -> None: ...

    async def link_spelling(self, spelling: str, institution_id: UUID, by: str, at: datetime) -> None: ...

    async def relink(self, source: UUID, target: UUID, by: str, at: datetime) -> None: ...

    async def add_abbreviation(self, abbreviation: Abbreviation, by: str, at: datetime) -> UUID:
        """The new abbreviation's id; `Conflict` (`abbreviation_known`) when the same one is known there."""
        ...

    async def remove_abbreviation(self, abbreviation_id: UUID) -> dict[str, Any] | None: ...


class Status(Protocol):
    """The service's own bookkeeping: which schema serves, and the last rebuild."""

    async def serving(self) -> ServingView: ...

    async def last_rebuild(self) -> RebuildRun | None: ...


class UnitOfWork(Transaction, Protocol):
    """One transaction on the schema that serves now (the old one until a rebuild switches); `async with` it."""

    @property
    def figures(self) -> Figures: ...

    @property
    def curation(self) -> Curation: ...

    @property
    def status(self) -> Status: ...
