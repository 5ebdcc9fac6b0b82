"""The technical panel's evaluation of one application: its evaluators, their declines and replacements, their
scores. An aggregate of its own: evaluators work on it while the application stays the applicant's."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Self
from uuid import UUID

from ibermuseos_contracts.applications import (
    ApplicationScoredV1,
    DeclineGround,
    EvaluationAssignedV1,
    EvaluationDeclinedV1,
    EvaluationReassignedV1,
)
from ibermuseos_kernel.errors import Conflict, Invalid, Issue, NotFound
from ibermuseos_kernel.events import RecordsEvents

from .applications import Application, Status
from .assignment import Round, ToAssign, refusals
from .calls import CallTerms, PanelMember


class Release(StrEnum):
    """How an evaluator stopped having an assignment before scoring it."""

    DECLINED = "declined"
    """The evaluator gave it back (a conflict of interest, unavailability)."""
    REASSIGNED = "reassigned"
    """A coordinator took it from them."""


@dataclass
class Assignment:
    """An evaluator of the panel assigned to the application, and their scores once given.

    An assignment given back or taken away before scoring stays, released, as the evaluation's history:
    that evaluator is never assigned the application again.
    """

    evaluator_id: str
    evaluator_country: str
    assigned_at: datetime
    scores: dict[str, Decimal] | None = None
    comments: dict[str, str] | None = None
    scored_at: datetime | None = None
    round_id: UUID | None = None
    replaces: str | None = None
    released_at: datetime | None = None
    release: Release | None = None
    release_ground: DeclineGround | None = None
    release_reason: str | None = None
    released_by: str | None = None

    @property
    def done(self) -> bool:
        return self.scores is not None

    @property
    def active(self) -> bool:
        return self.released_at is None

    def weighted(self, terms: CallTerms) -> Fraction:
        """Σ score × weight / Σ weight, exact."""
        assert self.scores is not None
        total_weight = sum(Fraction(criterion.weight) for criterion in terms.criteria)
        weighted = sum(Fraction(self.scores[c.id]) * Fraction(c.weight) for c in terms.criteria)
        return Fraction(weighted) / total_weight


@dataclass
class Evaluation(RecordsEvents):
    """An application's evaluators and their scores, with what the panel's rules need to know of the application:
    who applied, which countries conflict, when it was submitted (none of it changes after submission)."""

    application_id: UUID
    call_id: UUID
    call_year: int
    applicant_id: str
    conflicting_countries: frozenset[str]
    submitted_at: datetime
    assignments: list[Assignment] = field(default_factory=list)

    @classmethod
    def of(cls, application: Application, assignments: Sequence[Assignment] = ()) -> Self:
        return cls(
            application.id,
            application.call_id,
            application.call_year,
            application.applicant_id,
            application.conflicting_countries,
            application.submitted_at or application.created_at,
            list(assignments),
        )

    @property
    def active_assignments(self) -> list[Assignment]:
        return [assignment for assignment in self.assignments if assignment.active]

    def to_assign(self, terms: CallTerms) -> ToAssign:
        """What the assignment of evaluators needs to know: conflicts, who already had it, how many are missing."""
        return ToAssign(
            self.application_id,
            self.applicant_id,
            self.conflicting_countries,
            self.submitted_at,
            excluded=frozenset(assignment.evaluator_id for assignment in self.assignments),
            needed=self.vacancies(terms),
        )

    def vacancies(self, terms: CallTerms) -> int:
        """How many evaluators the application still needs: the call's number less those it has."""
        return max(0, terms.evaluators_per_application - len(self.active_assignments))

    def is_complete(self, terms: CallTerms) -> bool:
        """The call's number of evaluators have it, and every one of them scored it."""
        return self.vacancies(terms) == 0 and all(assignment.done for assignment in self.active_assignments)

    def assign(
        self,
        members: Sequence[PanelMember],
        *,
        application: Application,
        terms: CallTerms,
        now: datetime,
        assignment_round: Round | None = None,
        replaces: str | None = None,
    ) -> None:
        """The application goes to its evaluators, each told; never one of a conflicting country, never the
        applicant, never someone who already had it (scored, declined or was replaced)."""
        application.start_evaluation()
        assignment_round = assignment_round or Round.of({self.application_id: members})
        item = self.to_assign(terms)
        for member in members:
            if refusals(item, member):
                raise Conflict(
                    f"{member.evaluator_id} has a conflict of interest with this application", code="conflict"
                )
        for member in members:
            self.assignments.append(
                Assignment(
                    member.evaluator_id, member.country, now, round_id=assignment_round.id, replaces=replaces
                )
            )
            self._record(
                EvaluationAssignedV1(
                    application_id=self.application_id,
                    call_id=self.call_id,
                    call_year=self.call_year,
                    evaluator_id=member.evaluator_id,
                    evaluator_name=member.name,
                    evaluator_email=member.email,
                    evaluator_language=member.preferred_language,
                    evaluator_timezone=member.timezone,
                    round_id=assignment_round.id,
                    round_assignments=assignment_round.size_for(member.evaluator_id),
                    replaces=replaces,
                    score_by=terms.scoring_deadline,
                    assigned_at=now,
                )
            )

    def assignment_of(self, evaluator_id: str) -> Assignment:
        """The evaluator's current assignment (one given back or taken away is no longer theirs)."""
        for assignment in self.active_assignments:
            if assignment.evaluator_id == evaluator_id:
                return assignment
        raise NotFound("No such assignment")

    def _release(
        self,
        application: Application,
        evaluator_id: str,
        doing: str,
        *,
        how: Release,
        reason: str,
        by: str,
        now: datetime,
    ) -> Assignment:
        """The evaluator's unscored assignment is no longer theirs; it stays in the history, saying how and why."""
        assignment = self.assignment_of(evaluator_id)
        application.check_status(Status.UNDER_EVALUATION, doing)
        if assignment.done:
            raise Conflict("A scored assignment is final", code="already_scored")
        assignment.released_at = now
        assignment.release = how
        assignment.release_reason = reason
        assignment.released_by = by
        return assignment

    def decline(
        self,
        *,
        application: Application,
        evaluator_id: str,
        ground: DeclineGround,
        reason: str,
        now: datetime,
    ) -> None:
        """An evaluator gives back an assignment they have not scored, saying why."""
        declined = self._release(
            application,
            evaluator_id,
            "be declined",
            how=Release.DECLINED,
            reason=reason,
            by=evaluator_id,
            now=now,
        )
        declined.release_ground = ground
        self._record(
            EvaluationDeclinedV1(
                application_id=self.application_id,
                call_id=self.call_id,
                evaluator_id=evaluator_id,
                ground=ground,
                reason=reason,
                declined_at=now,
            )
        )

    def take_from(
        self, *, application: Application, evaluator_id: str, justification: str, by: str, now: datetime
    ) -> None:
        """A coordinator takes an unscored assignment from an evaluator, with a justification."""
        self._release(
            application,
            evaluator_id,
            "be reassigned",
            how=Release.REASSIGNED,
            reason=justification,
            by=by,
            now=now,
        )
        self._record(
            EvaluationReassignedV1(
                application_id=self.application_id,
                call_id=self.call_id,
                evaluator_id=evaluator_id,
                justification=justification,
                reassigned_by=by,
                reassigned_at=now,
            )
        )

    def score(
        self,
        *,
        application: Application,
        terms: CallTerms,
        evaluator_id: str,
        scores: dict[str, Decimal],
        comments: dict[str, str],
        now: datetime,
    ) -> None:
        """An assigned evaluator scores every criterion, each with a comment, once; the last score of the call's
        number of evaluators makes the application evaluated."""
        assignment = self.assignment_of(evaluator_id)
        application.check_status(Status.UNDER_EVALUATION, "be scored")
        if assignment.done:
            raise Conflict("You already scored this application", code="already_scored")
        issues: list[Issue] = []
        known = {criterion.id for criterion in terms.criteria}
        for criterion in terms.criteria:
            score = scores.get(criterion.id)
            if score is None:
                issues.append(Issue(f"scores.{criterion.id}", "is required"))
            elif not 0 <= score <= terms.score_scale:
                issues.append(Issue(f"scores.{criterion.id}", f"must be between 0 and {terms.score_scale}"))
            if not comments.get(criterion.id, "").strip():
                issues.append(Issue(f"scores.{criterion.id}.comment", "explain the score"))
        issues += [
            Issue(f"scores.{name}", "is not a criterion of the call")
            for name in sorted(scores.keys() - known)
        ]
        if issues:
            raise Invalid("The scores are not complete", issues)
        assignment.scores = {criterion.id: scores[criterion.id] for criterion in terms.criteria}
        assignment.comments = {criterion.id: comments[criterion.id].strip() for criterion in terms.criteria}
        assignment.scored_at = now
        self._record(
            ApplicationScoredV1(
                application_id=self.application_id,
                call_id=self.call_id,
                evaluator_id=evaluator_id,
                scores={name: float(value) for name, value in assignment.scores.items()},
                weighted_score=float(assignment.weighted(terms)),
                scored_at=now,
            )
        )
        if self.is_complete(terms):
            application.finish_evaluation()

    def average(self, terms: CallTerms) -> Fraction | None:
        """The mean of the evaluators' weighted scores, once all have scored."""
        active = self.active_assignments
        if not active or not all(assignment.done for assignment in active):
            return None
        return sum((a.weighted(terms) for a in active), Fraction(0)) / len(active)

    def criterion_average(self, criterion_id: str) -> Fraction:
        scored = [a for a in self.active_assignments if a.scores is not None]
        return sum((Fraction(a.scores[criterion_id]) for a in scored if a.scores), Fraction(0)) / max(
            len(scored), 1
        )
