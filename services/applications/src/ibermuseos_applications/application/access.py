"""Who may see and do what, on each object: the caller's roles are not enough, the object decides."""

from ibermuseos_kernel.caller import Caller, Role

from ..domain.applications import Application, Status
from ..domain.evaluations import Evaluation
from .ports import Visibility


def is_own(caller: Caller, application: Application) -> bool:
    return application.applicant_id == caller.subject


def may_read(caller: Caller, application: Application) -> bool:
    """Applicants their own; focal points the submitted applications of their country; coordinators all.

    Drafts are the applicant's alone. Evaluators read their assignments through the evaluation view.
    """
    if is_own(caller, application):
        return True
    if application.status is Status.DRAFT:
        return False
    if caller.is_coordinator:
        return True
    return caller.is_focal_point_of(application.country)


def is_assigned(caller: Caller, evaluation: Evaluation) -> bool:
    """Evaluators reach the applications they are assigned now: not one they gave back or had taken away."""
    return caller.has(Role.EVALUATOR) and any(
        assignment.evaluator_id == caller.subject for assignment in evaluation.active_assignments
    )


def visibility(caller: Caller) -> Visibility:
    """What the caller may list: the same rule as `may_read`."""
    if caller.is_coordinator:
        return Visibility(caller.subject, all_submitted=True)
    if caller.focal_country is not None:
        return Visibility(caller.subject, country=caller.focal_country)
    return Visibility(caller.subject)
