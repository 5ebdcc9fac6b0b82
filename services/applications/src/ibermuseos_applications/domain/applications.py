"""An application to a grant call, and the rules of submitting one."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from ibermuseos_contracts import Event
from ibermuseos_contracts.applications import Activity, Applicant, ApplicationSubmittedV1
from ibermuseos_contracts.common import Institution
from ibermuseos_contracts.types import Money


class Status(StrEnum):
    SUBMITTED = "submitted"


class InvalidSubmission(Exception):
    """The application breaks one or more rules; every one is listed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Submission:
    """What an applicant sends: who they are, where they work, what they want to attend, for how much."""

    applicant: Applicant
    institution: Institution
    activity: Activity
    requested: Money
    motivation: str
    replication_commitment: bool

    def problems(self) -> list[str]:
        problems = []
        if self.activity.ends_on < self.activity.starts_on:
            problems.append("activity.ends_on: the activity ends before it starts")
        if not self.replication_commitment:
            problems.append("replication_commitment: grantees commit to replicate what they learn")
        return problems


@dataclass
class Application:
    id: UUID
    call_id: UUID
    call_year: int
    submission: Submission
    status: Status
    submitted_at: datetime
    _events: list[Event] = field(default_factory=list, repr=False)

    @classmethod
    def submit(
        cls, *, id: UUID, call_id: UUID, call_year: int, submission: Submission, now: datetime
    ) -> "Application":
        """Submission validates everything at once and reports every problem."""
        problems = submission.problems()
        if problems:
            raise InvalidSubmission(problems)
        application = cls(id, call_id, call_year, submission, Status.SUBMITTED, now)
        application._events.append(
            ApplicationSubmittedV1(
                application_id=id,
                call_id=call_id,
                call_year=call_year,
                applicant=submission.applicant,
                institution=submission.institution,
                activity=submission.activity,
                requested=submission.requested,
                replication_commitment=submission.replication_commitment,
                submitted_at=now,
            )
        )
        return application

    def pull_events(self) -> list[Event]:
        events, self._events = self._events, []
        return events
