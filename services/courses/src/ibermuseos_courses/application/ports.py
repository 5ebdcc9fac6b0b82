"""What the handlers need from the outside world, as protocols the adapters implement."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from ibermuseos_contracts import Event
from ibermuseos_kernel.paging import Page, Slice
from ibermuseos_kernel.transaction import Transaction

from ..domain.catalogue import Offering, SubjectArea
from ..domain.certificates import Certificate
from ..domain.enrolments import Attendance, Enrolment, EnrolmentStatus
from ..domain.runs import Run
from ..domain.seating import Seats
from ..domain.status_lists import StatusList, StatusPurpose


@dataclass(frozen=True)
class Scope:
    """What a caller may see: their own, their country's, the runs they teach, or everything."""

    person_id: str | None = None
    country: str | None = None
    instructor: str | None = None
    everything: bool = False

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.person_id or self.country or self.instructor)


class SubjectAreas(Protocol):
    async def add(self, area: SubjectArea, now: datetime) -> bool: ...

    async def all(self) -> list[SubjectArea]: ...

    async def find(self, page: Page) -> Slice[SubjectArea]: ...


class Offerings(Protocol):
    async def add(self, offering: Offering) -> None: ...

    async def get(self, offering_id: UUID, *, lock: bool = False) -> Offering | None: ...

    async def find(
        self, *, published_only: bool, kind: str | None, subject_area: str | None, page: Page
    ) -> Slice[Offering]: ...


class Runs(Protocol):
    async def add(self, run: Run) -> None: ...

    async def get(self, run_id: UUID, *, lock: bool = False) -> Run | None: ...

    async def find(
        self, *, offering_id: UUID | None, status: str | None, instructor: str | None, page: Page
    ) -> Slice[Run]: ...

    async def ended_before(self, moment: datetime, limit: int) -> list[UUID]: ...

    async def waitlists_due(self, now: datetime, limit: int) -> list[UUID]:
        """Scheduled runs whose waitlist should have lapsed by `now` and still has people on it."""
        ...

    async def counts(self, run_ids: Sequence[UUID]) -> dict[UUID, tuple[int, int]]: ...


class Enrolments(Protocol):
    async def add(self, enrolment: Enrolment) -> None: ...

    async def get(self, enrolment_id: UUID) -> Enrolment | None: ...

    async def seats(self, run: Run) -> Seats: ...

    async def seats_and_waiting(self, run: Run) -> tuple[Seats, int]:
        """The run's seats as they stand and how many are on its waitlist, in one read (lock the run first)."""
        ...

    async def waitlist(self, run_id: UUID) -> list[Enrolment]: ...

    async def current(self, run_id: UUID, person_id: str) -> Enrolment | None: ...

    async def of_run(self, run_id: UUID, statuses: Sequence[EnrolmentStatus]) -> list[Enrolment]: ...

    async def find(
        self,
        scope: Scope,
        *,
        run_id: UUID | None,
        status: EnrolmentStatus | None,
        country: str | None,
        page: Page,
    ) -> Slice[tuple[Enrolment, int | None]]:
        """Enrolments in the scope, each with its place on the waitlist (None unless waiting)."""
        ...

    async def position(self, enrolment: Enrolment) -> int | None:
        """1 for the next in line: how many are waiting who arrived no later, while waiting."""
        ...


class AttendanceRecords(Protocol):
    async def of_session(self, run_id: UUID, session_id: UUID) -> dict[UUID, Attendance]: ...

    async def of_run(self, run_id: UUID) -> list[Attendance]: ...

    async def find(self, run_id: UUID, page: Page) -> Slice[Attendance]: ...

    async def put(self, records: Sequence[Attendance], run_id: UUID) -> None: ...


class Certificates(Protocol):
    async def add(self, certificate: Certificate) -> None: ...

    async def get(self, certificate_id: UUID, *, lock: bool = False) -> Certificate | None: ...

    async def by_code(self, code: str) -> Certificate | None: ...

    async def find(self, scope: Scope, *, run_id: UUID | None, page: Page) -> Slice[Certificate]: ...


class StatusLists(Protocol):
    async def open_for_issuing(
        self, purpose: StatusPurpose, *, size: int, new_id: Callable[[], UUID], now: datetime
    ) -> StatusList:
        """The one list taking new entries, locked until the transaction ends (a new one if none)."""
        ...

    async def get(self, list_id: UUID, *, lock: bool = False) -> StatusList | None: ...

    async def save(self, status_list: StatusList) -> None: ...


class UnitOfWork(Transaction, Protocol):
    @property
    def subject_areas(self) -> SubjectAreas: ...

    @property
    def offerings(self) -> Offerings: ...

    @property
    def runs(self) -> Runs: ...

    @property
    def enrolments(self) -> Enrolments: ...

    @property
    def attendance(self) -> AttendanceRecords: ...

    @property
    def certificates(self) -> Certificates: ...

    @property
    def status_lists(self) -> StatusLists: ...

    def record(self, *events: Event) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
