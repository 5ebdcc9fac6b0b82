"""What the domain says when a command cannot be carried out."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: which field, and what is wrong with it."""

    field: str
    problem: str


class Invalid(Exception):
    """The request breaks one or more rules; every one is listed, and nothing changed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.problem}" for p in problems))
        self.problems = problems

    @classmethod
    def one(cls, field: str, problem: str) -> "Invalid":
        return cls([Problem(field, problem)])


class Conflict(Exception):
    """The request is well formed, but the state of the object does not allow it now."""


def raise_if(problems: list[Problem]) -> None:
    if problems:
        raise Invalid(problems)
