"""Who is calling, as every layer below the edge sees them: subject, roles, member country."""

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    PARTICIPANT = "participant"
    """A museum worker: applies to grants, enrols in courses (the design's applicant/participant)."""
    FOCAL_POINT = "focal_point"
    """The program's contact in one member country: sees that country's people and figures."""
    EVALUATOR = "evaluator"
    INSTRUCTOR = "instructor"
    COORDINATOR = "coordinator"
    OPERATOR = "operator"


STAFF = frozenset({Role.FOCAL_POINT, Role.EVALUATOR, Role.INSTRUCTOR, Role.COORDINATOR, Role.OPERATOR})
"""The program's own people, as opposed to the public and the museum workers it serves."""


@dataclass(frozen=True, slots=True)
class Caller:
    """The person behind a verified token. `email` is set only when the identity provider verified it."""

    subject: str
    roles: frozenset[Role] = frozenset()
    country: str | None = None
    name: str | None = None
    email: str | None = None

    def has(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def is_coordinator(self) -> bool:
        return Role.COORDINATOR in self.roles

    @property
    def is_staff(self) -> bool:
        return not self.roles.isdisjoint(STAFF)

    def is_focal_point_of(self, country: str | None) -> bool:
        return Role.FOCAL_POINT in self.roles and self.country is not None and self.country == country

    @property
    def focal_country(self) -> str | None:
        """The country whose people and figures this caller follows as its focal point, if any."""
        return self.country if Role.FOCAL_POINT in self.roles else None
