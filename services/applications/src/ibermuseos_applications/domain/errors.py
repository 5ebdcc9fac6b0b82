"""What can go wrong in the domain, in terms the HTTP edge turns into problem responses."""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with what was sent: which field, and what is wrong with it."""

    field: str
    problem: str


class DomainError(Exception):
    """A rule of the program refused the command; nothing changed."""

    def __init__(self, title: str) -> None:
        super().__init__(title)
        self.title = title


class Invalid(DomainError):
    """What was sent breaks one or more rules; every one is listed."""

    def __init__(self, title: str, issues: Sequence[Issue]) -> None:
        super().__init__(title)
        self.issues = list(issues)


class TooLarge(Invalid):
    """An upload is larger than allowed (its other problems are listed too)."""


class NotNow(DomainError):
    """The command is not possible in the current state (a closed call, a decided application)."""

    def __init__(self, title: str, code: str, issues: Sequence[Issue] = ()) -> None:
        super().__init__(title)
        self.code = code
        self.issues = list(issues)


class BudgetExceeded(NotNow):
    """An award would take the call past its budget."""

    def __init__(self, title: str) -> None:
        super().__init__(title, "budget_exceeded")


class NotFound(DomainError):
    """No such thing, or the caller may not know it exists."""


def require(issues: Sequence[Issue], title: str) -> None:
    """Raise Invalid with every issue, if there is any."""
    if issues:
        raise Invalid(title, issues)
