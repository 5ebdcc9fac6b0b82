"""The ranking of evaluated applications, the award proposal that fills the budget, and promotion from the waitlist.

Ranking rule, in order (each rule only separates what the ones before left tied):

1. the higher mean of the evaluators' weighted scores (computed exactly, as fractions);
2. the higher mean score on the heaviest criterion, then on the next heaviest, and so on
   (criteria of equal weight in the order the call lists them);
3. the lower requested amount (the budget then serves more people);
4. the earlier submission;
5. the application id, so that the order is total and reproducible.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from uuid import UUID

from ibermuseos_kernel.errors import Conflict

from .applications import Application, DraftDecision, Outcome, Status
from .calls import CallTerms
from .evaluations import Evaluation
from .values import money


@dataclass(frozen=True)
class Ranked:
    position: int
    application: Application
    average: Fraction
    evaluation: Evaluation


def rank(
    terms: CallTerms, applications: Iterable[Application], evaluations: Mapping[UUID, Evaluation]
) -> list[Ranked]:
    """The evaluated applications from best to worst, by the documented rule (`evaluations` by application id)."""
    criteria = terms.criterion_order()
    scored = []
    for application in applications:
        evaluation = evaluations.get(application.id)
        average = None if evaluation is None else evaluation.average(terms)
        if application.status is Status.EVALUATED and evaluation is not None and average is not None:
            scored.append((application, evaluation, average))
    assert all(application.submitted_at is not None for application, _, _ in scored)

    def key(entry: tuple[Application, Evaluation, Fraction]) -> tuple[object, ...]:
        application, evaluation, average = entry
        return (
            -average,
            tuple(-evaluation.criterion_average(criterion.id) for criterion in criteria),
            application.requested,
            application.submitted_at,
            str(application.id),
        )

    return [
        Ranked(position, application, average, evaluation)
        for position, (application, evaluation, average) in enumerate(sorted(scored, key=key), start=1)
    ]


def propose(
    ranking: list[Ranked],
    *,
    budget: Decimal,
    max_awards_per_country: int | None,
    waitlist_length: int,
) -> dict[UUID, DraftDecision]:
    """Awards in ranking order while the budget lasts (an application that does not fit what is left, or
    whose country already has its maximum of awards, is passed over for the next); then the waitlist,
    in ranking order; the rest are rejected."""
    left = budget
    per_country: Counter[str] = Counter()
    decisions: dict[UUID, DraftDecision] = {}
    waitlisted = 0
    for entry in ranking:
        application = entry.application
        amount = application.requested
        capped = (
            max_awards_per_country is not None and per_country[application.country] >= max_awards_per_country
        )
        if amount <= left and not capped:
            decisions[application.id] = DraftDecision(Outcome.AWARD, amount)
            left -= amount
            per_country[application.country] += 1
        elif waitlisted < waitlist_length:
            decisions[application.id] = DraftDecision(Outcome.WAITLIST)
            waitlisted += 1
        else:
            decisions[application.id] = DraftDecision(Outcome.REJECT)
    return decisions


def drafted_total(applications: Iterable[Application]) -> Decimal:
    return sum(
        (
            application.draft.amount or Decimal(0)
            for application in applications
            if application.draft is not None and application.draft.outcome is Outcome.AWARD
        ),
        Decimal(0),
    )


def check_within_budget(applications: Iterable[Application], *, budget: Decimal, currency: str) -> None:
    """The drafted awards never add up to more than the budget."""
    total = drafted_total(applications)
    if total > budget:
        raise Conflict(
            f"The drafted awards add up to {money(total)} {currency}, more than the budget of "
            f"{money(budget)} {currency}",
            code="budget_exceeded",
        )


def next_from_waitlist(
    waitlisted: Iterable[Application],
    *,
    remaining: Decimal,
    granted_per_country: Counter[str],
    max_awards_per_country: int | None,
) -> Application | None:
    """The first on the waitlist (by position) whose request fits the remaining budget and whose
    country has not reached its maximum of awards; None when nobody fits."""
    for application in sorted(waitlisted, key=lambda a: (a.waitlist_position or 0, str(a.id))):
        if application.status is not Status.WAITLISTED or application.requested > remaining:
            continue
        if (
            max_awards_per_country is not None
            and granted_per_country[application.country] >= max_awards_per_country
        ):
            continue
        return application
    return None
