"""Assigning evaluators of the technical panel to applications: deterministic, balanced, free of conflicts of interest."""

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from .calls import PanelMember
from .errors import Invalid, Issue


@dataclass(frozen=True, slots=True)
class ToAssign:
    application_id: UUID
    applicant_id: str
    conflicting_countries: frozenset[str]
    submitted_at: datetime


def _spread(application_id: UUID, evaluator_id: str) -> str:
    """A stable, well-mixed tie-break: the same inputs always give the same choice, without favouring anyone."""
    return hashlib.sha256(f"{application_id}:{evaluator_id}".encode()).hexdigest()


def candidates(item: ToAssign, panel: Iterable[PanelMember]) -> list[PanelMember]:
    """The evaluators who may evaluate the application: none of the applicant's (or institution's) country, never the applicant."""
    return [
        member
        for member in panel
        if member.country not in item.conflicting_countries and member.evaluator_id != item.applicant_id
    ]


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
    short = [item for item in items if len(options[item.application_id]) < per_application]
    if short:
        raise Invalid(
            "The panel cannot evaluate every application without a conflict of interest",
            [
                Issue(
                    f"applications.{item.application_id}",
                    f"only {len(options[item.application_id])} of the panel's evaluators are free of a "
                    f"conflict of interest; {per_application} are needed",
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
        ranked = sorted(
            options[item.application_id],
            key=lambda member: (
                counts[member.evaluator_id],
                _spread(item.application_id, member.evaluator_id),
            ),
        )
        picked = ranked[:per_application]
        for member in picked:
            counts[member.evaluator_id] += 1
        chosen[item.application_id] = picked
    return chosen
