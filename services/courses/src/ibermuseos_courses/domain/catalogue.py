"""The catalogue: offerings of three kinds, their subject areas, and the rule that says who completed one."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from ibermuseos_contracts.courses import CoursePublishedV1, OfferingKind, Outcome
from ibermuseos_contracts.types import Localized
from ibermuseos_kernel.errors import Conflict, Issue, require
from ibermuseos_kernel.events import RecordsEvents


@dataclass(frozen=True)
class SubjectArea:
    code: str
    name: Localized


@dataclass(frozen=True)
class CompletionRule:
    """Who completed a run: attended at least one session and at least `min_attendance_rate` of all
    of them, and, when the offering has an assessment, a grade at or above `pass_mark`."""

    min_attendance_rate: Decimal
    pass_mark: Decimal | None = None

    @classmethod
    def default_for(cls, kind: OfferingKind) -> "CompletionRule":
        """Training courses: 75% and a passed assessment (60/100); mini courses: 75%; conversatorios: attended."""
        if kind is OfferingKind.TRAINING_COURSE:
            return cls(Decimal("0.75"), Decimal("60"))
        if kind is OfferingKind.MINI_COURSE:
            return cls(Decimal("0.75"))
        return cls(Decimal("0"))

    def problems(self, kind: OfferingKind) -> list[Issue]:
        problems = []
        if not Decimal(0) <= self.min_attendance_rate <= Decimal(1):
            problems.append(Issue("completion.min_attendance_rate", "must be between 0 and 1"))
        if self.pass_mark is not None and not Decimal(0) <= self.pass_mark <= Decimal(100):
            problems.append(Issue("completion.pass_mark", "must be between 0 and 100"))
        if kind is OfferingKind.TRAINING_COURSE and self.pass_mark is None:
            problems.append(
                Issue("completion.pass_mark", "a training course certifies knowledge: it needs a pass mark")
            )
        return problems

    def evaluate(self, *, sessions: int, attended: int, grade: Decimal | None) -> tuple[Outcome, float]:
        """The outcome and the attendance rate (sessions attended over all sessions)."""
        rate = Decimal(attended) / Decimal(sessions) if sessions else Decimal(0)
        completed = attended >= 1 and rate >= self.min_attendance_rate
        if self.pass_mark is not None:
            completed = completed and grade is not None and grade >= self.pass_mark
        return (Outcome.COMPLETED if completed else Outcome.NOT_COMPLETED), float(round(rate, 4))


class OfferingStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


@dataclass
class Offering(RecordsEvents):
    """A training course, mini course or conversatorio: drafted, then published in the catalogue.

    Published offerings do not change (their runs and certificates quote them); a new edition
    of the content is a new offering.
    """

    id: UUID
    kind: OfferingKind
    title: Localized
    description: Localized
    subject_area: str
    hours: Decimal
    rule: CompletionRule
    certificate: bool
    status: OfferingStatus
    created_at: datetime
    published_at: datetime | None = None

    @classmethod
    def draft(
        cls,
        *,
        id: UUID,
        kind: OfferingKind,
        title: Localized,
        description: Localized,
        subject_area: str,
        known_areas: set[str],
        hours: Decimal,
        rule: CompletionRule | None,
        certificate: bool | None,
        now: datetime,
    ) -> "Offering":
        """An offering names a known subject area, has hours, and a rule that fits its kind."""
        rule = rule or CompletionRule.default_for(kind)
        problems = rule.problems(kind)
        if subject_area not in known_areas:
            problems.append(
                Issue("subject_area", f"unknown subject area; known: {', '.join(sorted(known_areas))}")
            )
        if hours <= 0:
            problems.append(Issue("hours", "must be more than 0"))
        if certificate is None:
            certificate = True
        if not certificate and kind is not OfferingKind.CONVERSATORIO:
            problems.append(
                Issue("certificate", "only a conversatorio may go without a certificate of completion")
            )
        require(problems)
        return cls(
            id, kind, title, description, subject_area, hours, rule, certificate, OfferingStatus.DRAFT, now
        )

    def publish(self, now: datetime) -> None:
        """Publishing puts the offering in the catalogue, once."""
        if self.status is OfferingStatus.PUBLISHED:
            raise Conflict("the offering is already published", code="offering_published")
        self.status = OfferingStatus.PUBLISHED
        self.published_at = now
        self._record(
            CoursePublishedV1(
                offering_id=self.id,
                kind=self.kind,
                title=self.title,
                description=self.description,
                subject_area=self.subject_area,
                hours=self.hours,
                certificate=self.certificate,
                published_at=now,
            )
        )
