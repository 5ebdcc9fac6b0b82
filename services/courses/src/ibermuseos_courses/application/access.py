"""Who may see and do what, object by object: a caller who may not see an object is told it does not exist."""

from ibermuseos_kernel.caller import Caller, Role
from ibermuseos_kernel.errors import Forbidden

from ..domain.certificates import Certificate
from ..domain.enrolments import Enrolment
from ..domain.runs import Run
from .ports import Scope


def teaches(caller: Caller, run: Run) -> bool:
    return caller.has(Role.INSTRUCTOR) and run.teaches(caller.subject)


def scope_of(caller: Caller) -> Scope:
    """Participants see their own, focal points their country's, instructors their runs', coordinators all."""
    return Scope(
        person_id=caller.subject,
        country=caller.focal_country,
        instructor=caller.subject if caller.has(Role.INSTRUCTOR) else None,
        everything=caller.is_coordinator,
    )


def may_see_enrolment(caller: Caller, enrolment: Enrolment, run: Run) -> bool:
    return (
        caller.is_coordinator
        or caller.subject == enrolment.person_id
        or caller.is_focal_point_of(enrolment.country)
        or teaches(caller, run)
    )


def may_manage_run(caller: Caller, run: Run) -> bool:
    """Attendance and grades: the run's instructors and the coordinators."""
    return caller.is_coordinator or teaches(caller, run)


def may_see_run_staffing(caller: Caller, run: Run) -> bool:
    """Who teaches a run, and who cancelled it: its instructors and the coordinators."""
    return may_manage_run(caller, run)


def may_see_certificate(caller: Caller, certificate: Certificate) -> bool:
    return (
        caller.is_coordinator
        or caller.subject == certificate.person_id
        or caller.is_focal_point_of(certificate.country)
    )


def check_coordinator(caller: Caller, doing: str) -> None:
    if not caller.is_coordinator:
        raise Forbidden(f"only coordinators {doing}")


def check_manages(caller: Caller, run: Run, doing: str) -> None:
    if not may_manage_run(caller, run):
        raise Forbidden(f"only the run's instructors and the coordinators {doing}")
