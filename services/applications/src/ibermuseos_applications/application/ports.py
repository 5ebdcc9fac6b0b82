"""What the handlers and queries need from the outside world, as protocols the adapters implement."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from ibermuseos_kernel.errors import Conflict
from ibermuseos_kernel.paging import Page, Slice
from ibermuseos_kernel.transaction import Transaction

from ..domain.applications import Application, Status
from ..domain.audit import AuditEntry
from ..domain.calls import Call, CallStatus
from ..domain.documents import DocumentRef
from ..domain.eligibility import History
from ..domain.evaluations import Evaluation


@dataclass(frozen=True)
class Visibility:
    """What a caller may list: their own applications, plus all submitted ones or those of one country."""

    subject: str
    all_submitted: bool = False
    country: str | None = None


@dataclass(frozen=True)
class ApplicationFilter:
    visibility: Visibility
    call_id: UUID | None = None
    status: Status | None = None
    country: str | None = None


class Calls(Protocol):
    async def add(self, call: Call) -> None: ...

    async def get(self, call_id: UUID, *, lock: bool = False, share: bool = False) -> Call | None:
        """`lock` takes the row for update (budget, closing); `share` keeps it from changing meanwhile."""
        ...

    async def save(self, call: Call) -> None:
        """Raises ConcurrentChange when someone else saved the call since it was read."""
        ...

    async def find(self, statuses: Sequence[CallStatus] | None, page: Page) -> Slice[Call]:
        """Calls in these statuses (all: None), the latest deadline first."""
        ...

    async def accepting(self, now: datetime, page: Page) -> Slice[Call]:
        """Published calls whose deadline has not passed at `now`."""
        ...

    async def due_to_close(self, now: datetime) -> list[UUID]: ...

    async def waitlists_due_to_close(self, now: datetime) -> list[UUID]:
        """Calls whose results are out and whose waitlist's term passed while it is still open."""
        ...


class Applications(Protocol):
    async def add(self, application: Application) -> None: ...

    async def get(self, application_id: UUID) -> Application | None: ...

    async def save(self, application: Application) -> None:
        """Raises ConcurrentChange when someone else saved the application since it was read."""
        ...

    async def delete(self, application: Application) -> None: ...

    async def in_call(self, call_id: UUID, statuses: Sequence[Status] | None = None) -> list[Application]: ...

    async def count_submitted(self, call_id: UUID) -> int: ...

    async def history(self, *, call: Call, application: Application) -> History: ...

    async def search(self, where: ApplicationFilter, page: Page) -> Slice[Application]: ...

    async def assigned_to(self, evaluator_id: str, call_id: UUID | None, page: Page) -> Slice[Application]:
        """The applications (not withdrawn) the evaluator has an active assignment to."""
        ...

    async def lapsing(self, now: datetime) -> list[UUID]:
        """Awards whose acceptance deadline passed without an answer."""
        ...

    async def drafts_with_documents_in_calls_closed_before(self, moment: datetime) -> list[UUID]:
        """Drafts never submitted, holding documents, of calls that closed before `moment`."""
        ...


class Documents(Protocol):
    """The bytes of the documents applications list, kept in the same transactions as the applications."""

    async def add(self, application_id: UUID, document: DocumentRef, content: bytes) -> None: ...

    async def remove(self, documents: Iterable[DocumentRef]) -> None: ...

    async def read(self, document_id: UUID, offset: int, length: int) -> bytes | None:
        """At most `length` bytes of the document from `offset` (0 is the first byte); None when no content is
        stored under that id."""
        ...

    async def listed_without_content(self) -> list[tuple[UUID, DocumentRef]]:
        """The documents applications list whose bytes are not stored here, with their application's id (those an
        earlier release kept in a folder)."""
        ...

    async def stored(self, document_ids: Iterable[UUID]) -> set[UUID]:
        """Which of these documents have their bytes stored here."""
        ...


class Evaluations(Protocol):
    async def of(self, application: Application) -> Evaluation:
        """The application's evaluation (without evaluators yet, if it has none)."""
        ...

    async def of_all(self, applications: Iterable[Application]) -> dict[UUID, Evaluation]:
        """The evaluations of these applications, by application id."""
        ...

    async def save(self, evaluation: Evaluation) -> None: ...

    async def load(self, call_id: UUID) -> dict[str, int]:
        """How many active assignments each evaluator has in the call."""
        ...


class Audit(Protocol):
    async def add(self, entry: AuditEntry) -> None: ...

    async def find(
        self, *, call_id: UUID | None, application_id: UUID | None, page: Page
    ) -> Slice[AuditEntry]: ...


class UnitOfWork(Transaction, Protocol):
    @property
    def calls(self) -> Calls: ...

    @property
    def applications(self) -> Applications: ...

    @property
    def evaluations(self) -> Evaluations: ...

    @property
    def audit(self) -> Audit: ...

    @property
    def documents(self) -> Documents: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


class DocumentFolder(Protocol):
    """The folder an earlier release kept documents in, one file per document id (read by the move only)."""

    async def ids(self) -> list[UUID]:
        """The documents it holds."""
        ...

    async def read(self, document_id: UUID) -> bytes | None:
        """The document's bytes; None when the folder does not hold it."""
        ...

    async def remove(self, document_id: UUID) -> None: ...


class ConcurrentChange(Conflict):
    """Someone else changed the same thing meanwhile; the command can be tried again."""

    default_title = "Someone changed this meanwhile; read it again and retry"

    def __init__(self) -> None:
        super().__init__(code="concurrent_change", retry_after_seconds=1)
