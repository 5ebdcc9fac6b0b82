"""Who may see and do what, on each object: the caller's roles are not enough, the object decides."""

from dataclasses import dataclass

from ..domain.applications import Application, Status
from .ports import Visibility

COORDINATOR = "coordinator"
FOCAL_POINT = "focal_point"
EVALUATOR = "evaluator"
PARTICIPANT = "participant"


@dataclass(frozen=True)
class Actor:
    """The person calling, as the handlers need them: who, in which roles, of which country."""

    subject: str
    roles: frozenset[str]
    country: str | None = None

    @property
    def is_coordinator(self) -> bool:
        return COORDINATOR in self.roles

    @property
    def is_focal_point(self) -> bool:
        return FOCAL_POINT in self.roles and self.country is not None


def is_own(actor: Actor, application: Application) -> bool:
    return application.applicant_id == actor.subject


def may_read(actor: Actor, application: Application) -> bool:
    """Applicants their own; focal points the submitted applications of their country; coordinators all.

    Drafts are the applicant's alone. Evaluators read their assignments through the evaluation view.
    """
    if is_own(actor, application):
        return True
    if application.status is Status.DRAFT:
        return False
    if actor.is_coordinator:
        return True
    return actor.is_focal_point and application.country == actor.country


def is_assigned(actor: Actor, application: Application) -> bool:
    """Evaluators reach the applications they are assigned now: not one they gave back or had taken away."""
    return EVALUATOR in actor.roles and any(
        assignment.evaluator_id == actor.subject for assignment in application.active_assignments
    )


def visibility(actor: Actor) -> Visibility:
    """What the actor may list: the same rule as `may_read`."""
    if actor.is_coordinator:
        return Visibility(actor.subject, all_submitted=True)
    if actor.is_focal_point:
        return Visibility(actor.subject, country=actor.country)
    return Visibility(actor.subject)
