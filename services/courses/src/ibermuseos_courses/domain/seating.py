"""Seats of a run: capacity, a quota per country, and the waitlist in arrival order.

These rules are decided while the run is locked, so that however many people enrol and
cancel at the same moment the result is the one they would get one after another.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar


class Waiting(Protocol):
    """Someone on the waitlist: their country, and when they arrived."""

    @property
    def country(self) -> str: ...

    @property
    def arrival(self) -> int: ...


@dataclass
class Seats:
    """The run's seats as they stand: how many are taken, by country."""

    capacity: int
    quota_per_country: int | None
    enrolled: Counter[str] = field(default_factory=Counter)

    @property
    def taken(self) -> int:
        return sum(self.enrolled.values())

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken)

    def room_for(self, country: str) -> bool:
        """A seat is free, and the country has not used up its quota."""
        if self.taken >= self.capacity:
            return False
        return self.quota_per_country is None or self.enrolled[country] < self.quota_per_country

    def take(self, country: str) -> None:
        if not self.room_for(country):
            raise ValueError(f"no room for a participant from {country}")
        self.enrolled[country] += 1

    def release(self, country: str) -> None:
        if self.enrolled[country] <= 0:
            raise ValueError(f"no seat of {country} to release")
        self.enrolled[country] -= 1


W = TypeVar("W", bound=Waiting)


def promotions(seats: Seats, waitlist: Iterable[W]) -> list[W]:
    """Who takes the free seats: in arrival order, the first whose country still has room,
    again and again until the seats are gone or no one waiting fits. Takes their seats.

    One pass in arrival order is enough: a country skipped because its quota was used up
    cannot regain room while seats are only being taken.
    """
    promoted: list[W] = []
    for waiting in sorted(waitlist, key=lambda w: w.arrival):
        if seats.free == 0:
            break
        if seats.room_for(waiting.country):
            seats.take(waiting.country)
            promoted.append(waiting)
    return promoted
