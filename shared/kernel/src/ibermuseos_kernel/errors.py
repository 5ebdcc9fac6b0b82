"""Why a command or a query was refused, in the same words in every service.

The HTTP edge maps each kind once to a problem response (`ibermuseos_platform.web`); nothing
below the edge knows a status code.
"""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Issue:
    """One thing wrong with what was sent: which field, and what is wrong with it."""

    field: str
    problem: str


class Refused(Exception):
    """A rule refused the request; nothing changed. The subclass says which kind of refusal."""

    default_title = "The request was refused"

    def __init__(
        self,
        title: str | None = None,
        issues: Sequence[Issue] = (),
        *,
        code: str | None = None,
        retry_after_seconds: int | None = None,
    ) -> None:
        self.title = title or self.default_title
        super().__init__(self.title)
        self.issues = list(issues)
        self.code = code
        self.retry_after_seconds = retry_after_seconds
        """Set when the same request may well succeed if sent again after that long."""


class Invalid(Refused):
    """What was sent breaks one or more rules; every one is listed."""

    default_title = "The request breaks the rules"

    @classmethod
    def one(cls, field: str, problem: str, title: str | None = None) -> "Invalid":
        return cls(title, [Issue(field, problem)])


class TooLarge(Invalid):
    """Something sent is larger than allowed (its other problems are listed too)."""

    default_title = "Too large"


class Conflict(Refused):
    """Well formed, but the state of the object does not allow it now; `code` says which state."""

    default_title = "Not possible in the current state"


class NotFound(Refused):
    """No such object, or none the caller may know exists (the same answer, so nothing leaks)."""

    default_title = "Not found"


class Forbidden(Refused):
    """The caller may see the object but may not do this to it."""

    default_title = "Forbidden"


def require(issues: Sequence[Issue], title: str | None = None) -> None:
    """Raise `Invalid` listing every issue, if there is any."""
    if issues:
        raise Invalid(title, issues)
