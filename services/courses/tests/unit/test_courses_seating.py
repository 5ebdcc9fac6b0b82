"""Seats, quotas, the waitlist in arrival order, and who a freed seat goes to."""

from collections import Counter
from dataclasses import dataclass

from ibermuseos_courses.domain.seating import Seats, promotions


@dataclass
class Person:
    name: str
    country: str
    arrival: int


def test_a_seat_is_free_while_capacity_remains_and_the_country_is_under_its_quota() -> None:
    seats = Seats(capacity=3, quota_per_country=2, enrolled=Counter({"PE": 2}))
    assert not seats.room_for("PE")
    assert seats.room_for("CL")
    seats.take("CL")
    assert seats.free == 0
    assert not seats.room_for("AR")


def test_without_a_quota_any_country_takes_any_free_seat() -> None:
    seats = Seats(capacity=2, quota_per_country=None, enrolled=Counter({"PE": 1}))
    assert seats.room_for("PE")


def test_a_freed_seat_goes_to_the_earliest_arrival_whose_country_has_room() -> None:
    seats = Seats(capacity=3, quota_per_country=2, enrolled=Counter({"PE": 2}))
    waiting = [Person("late-cl", "CL", 9), Person("early-pe", "PE", 4), Person("mid-ar", "AR", 6)]
    assert [p.name for p in promotions(seats, waiting)] == ["mid-ar"]
    assert seats.enrolled == Counter({"PE": 2, "AR": 1})


def test_several_free_seats_go_in_arrival_order_skipping_countries_at_their_quota() -> None:
    seats = Seats(capacity=5, quota_per_country=2, enrolled=Counter({"MX": 1}))
    waiting = [Person(f"{c}{a}", c, a) for a, c in enumerate(["MX", "MX", "BR", "MX", "BR", "BR", "CO"], 1)]
    assert [p.name for p in promotions(seats, waiting)] == ["MX1", "BR3", "BR5", "CO7"]
    assert seats.free == 0


def test_no_one_is_promoted_when_no_seat_is_free() -> None:
    seats = Seats(capacity=1, quota_per_country=None, enrolled=Counter({"UY": 1}))
    assert promotions(seats, [Person("a", "UY", 1)]) == []


def test_no_one_is_promoted_when_everyone_waiting_is_from_a_full_country() -> None:
    seats = Seats(capacity=4, quota_per_country=1, enrolled=Counter({"UY": 1}))
    assert promotions(seats, [Person("a", "UY", 1), Person("b", "UY", 2)]) == []
