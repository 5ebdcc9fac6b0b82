"""Who may see and do what, object by object: a caller who may not see an object is told it does not exist."""

from dataclasses import dataclass

from ..domain.certificates import Certificate
from ..domain.enrolments import Enrolment
from ..domain.runs import Run
from .ports import Scope

PARTICIPANT = "participant"
FOCAL_POINT = "focal_point"
INSTRUCTOR = "instructor"
COORDINATOR = "coordinator"


class NotFound(Exception):
    """No such object, or none the caller may see (404 either way, so nothing leaks)."""


class Forbidden(Exception):
    """The caller sees the object but may not do this to it."""


@dataclass(frozen=True)
class Caller:
    subject: str
    roles: frozenset[str]
    country: str | None = None

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def coordinator(self) -> bool:
        return self.has(COORDINATOR)

    def focal_point_of(self, country: str) -> bool:
        return self.has(FOCAL_POINT) and self.country == country

    def teaches(self, run: Run) -> bool:
        return self.has(INSTRUCTOR) and run.teaches(self.subject)

    def scope(self) -> Scope:
        """Participants see their own, focal points their country's, instructors their runs', coordinators all."""
        return Scope(
            person_id=self.subject,
            country=self.country if self.has(FOCAL_POINT) and self.country else None,
            instructor=self.subject if self.has(INSTRUCTOR) else None,
            everything=self.coordinator,
        )


def may_see_enrolment(caller: Caller, enrolment: Enrolment, run: Run) -> bool:
    return (
        caller.coordinator
        or caller.subject == enrolment.person_id
        or caller.focal_point_of(enrolment.country)
        or caller.teaches(run)
    )


def may_manage_run(caller: Caller, run: Run) -> bool:
    """Attendance and grades: the run's instructors and the coordinators."""
    return caller.coordinator or caller.teaches(run)


def may_see_certificate(caller: Caller, certificate: Certificate) -> bool:
    return (
        caller.coordinator
        or caller.subject == certificate.person_id
        or caller.focal_point_of(certificate.country)
    )
