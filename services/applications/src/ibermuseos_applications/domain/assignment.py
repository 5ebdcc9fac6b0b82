"""Assigning evaluators of the technical panel to applications: deterministic, balanced, free of conflicts of interest."""

import hashlib
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from ibermuseos_kernel.errors import Invalid, Issue

from .calls import PanelMember


@dataclass(frozen=True, slots=True)
class ToAssign:
    application_id: UUID
    applicant_id: str
    conflicting_countries: frozenset[str]
    submitted_at: datetime
    excluded: frozenset[str] = frozenset()
    """Evaluators who have had the application already: assigned, scored, declined or replaced."""
    needed: int | None = None
    """How many evaluators it still needs; None: the call's number per application."""


@dataclass(frozen=True, slots=True)
class Round:
    """One assignment run: each evaluator is told at once of everything it gave them."""

    id: UUID = field(default_factory=uuid.uuid4)
    sizes: Mapping[str, int] = field(default_factory=dict)
    """Evaluator id → how many applications the round gave them."""

    def size_for(self, evaluator_id: str) -> int:
        return self.sizes.get(evaluator_id, 1)

    @classmethod
    def of(cls, chosen: Mapping[UUID, Sequence[PanelMember]]) -> "Round":
        sizes = Counter(member.evaluator_id for members in chosen.values() for member in members)
        return cls(sizes=dict(sizes))


def _spread(application_id: UUID, evaluator_id: str) -> str:
    """A stable, well-mixed tie-break: the same inputs always give the same choice, without favouring anyone."""
    return hashlib.sha256(f"{application_id}:{evaluator_id}".encode()).hexdigest()


def refusals(item: ToAssign, member: PanelMember) -> list[str]:
    """Why `member` may not evaluate the application (nothing: they may)."""
    problems = []
    if member.country in item.conflicting_countries:
        problems.append(f"is of {member.country}, the applicant's or their institution's country")
    if member.evaluator_id == item.applicant_id:
        problems.append("is the applicant")
    if member.evaluator_id in item.excluded:
        problems.append("has already had this application (assigned, scored, declined or replaced)")
    return problems


def candidates(item: ToAssign, panel: Iterable[PanelMember]) -> list[PanelMember]:
    """The evaluators who may evaluate the application: none of the applicant's (or institution's) country,
    never the applicant, never someone who already had it."""
    return [member for member in panel if not refusals(item, member)]


def _by_load(item: ToAssign, options: Iterable[PanelMember], counts: Mapping[str, int]) -> list[PanelMember]:
    return sorted(
        options,
        key=lambda member: (
            counts.get(member.evaluator_id, 0),
            _spread(item.application_id, member.evaluator_id),
        ),
    )


def replacement(item: ToAssign, panel: Iterable[PanelMember], load: Mapping[str, int]) -> PanelMember | None:
    """The eligible evaluator with the fewest assignments in the call (ties by the same hash), or None."""
    ranked = _by_load(item, candidates(item, panel), load)
    return ranked[0] if ranked else None


def assign(
    items: list[ToAssign],
    panel: list[PanelMember],
    per_application: int,
    load: Mapping[str, int] | None = None,
) -> dict[UUID, list[PanelMember]]:
    """Evaluators for each application.

    The applications with the fewest possible evaluators are served first (then by submission
    time and id), and each takes the evaluators with the fewest assignments so far; ties are
    broken by a hash of (application, evaluator), so that the result is reproducible from the
    same input and no evaluator is systematically preferred. `load` counts the assignments
    evaluators already have in the call.
    """
    counts: Counter[str] = Counter(load or {})
    options = {item.application_id: candidates(item, panel) for item in items}

    def needed(item: ToAssign) -> int:
        return per_application if item.needed is None else item.needed

    short = [item for item in items if len(options[item.application_id]) < needed(item)]
    if short:
        raise Invalid(
            "The panel cannot evaluate every application without a conflict of interest",
            [
                Issue(
                    f"applications.{item.application_id}",
                    f"only {len(options[item.application_id])} of the panel's evaluators are free of a "
                    f"conflict of interest; {needed(item)} are needed",
                )
                for item in short
            ],
        )
    chosen: dict[UUID, list[PanelMember]] = {}
    order = sorted(
        items,
        key=lambda item: (len(options[item.application_id]), item.submitted_at, str(item.application_id)),
    )
    for item in order:
        picked = _by_load(item, options[item.application_id], counts)[: needed(item)]
        for member in picked:
            counts[member.evaluator_id] += 1
        chosen[item.application_id] = picked
    return chosen
