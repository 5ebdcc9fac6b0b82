"""Merging facts: idempotent and indifferent to order, column by column."""

import itertools
from datetime import UTC, datetime

import pytest
from ibermuseos_reporting.domain.facts import (
    Column,
    Fact,
    FactTable,
    Greatest,
    Keep,
    Latest,
    Least,
    merge_facts,
)

AT = Latest(("at",))
TABLE = FactTable(
    "things",
    {"id": int},
    {
        "name": Column(str, Keep()),
        "last": Column(datetime, Greatest()),
        "first": Column(datetime, Least()),
        "at": Column(datetime, AT),
        "state": Column(str, AT),
    },
)


def t(day: int) -> datetime:
    return datetime(2027, 1, day, tzinfo=UTC)


FACTS = [
    Fact(TABLE, {"id": 1, "name": "museo", "last": t(3), "first": t(3)}),
    Fact(TABLE, {"id": 1, "last": t(1), "first": t(1), "at": t(5), "state": "awarded"}),
    Fact(TABLE, {"id": 1, "at": t(2), "state": "waitlisted"}),
    Fact(TABLE, {"id": 1, "last": t(9)}),
]
EXPECTED = {"id": 1, "name": "museo", "last": t(9), "first": t(1), "at": t(5), "state": "awarded"}


def test_facts_merged_in_any_order_give_the_same_row() -> None:
    for order in itertools.permutations(FACTS):
        assert merge_facts(order)[TABLE][(1,)] == EXPECTED


def test_every_fact_delivered_twice_changes_nothing() -> None:
    for order in itertools.permutations(FACTS):
        assert merge_facts([*order, *order])[TABLE][(1,)] == EXPECTED


def test_a_latest_group_moves_together_and_ignores_facts_that_do_not_know_it() -> None:
    rows = merge_facts([FACTS[1], Fact(TABLE, {"id": 1, "name": "x"})])[TABLE]
    assert (rows[(1,)]["at"], rows[(1,)]["state"]) == (t(5), "awarded")


def test_a_group_ordered_by_a_column_outside_it_is_refused() -> None:
    with pytest.raises(ValueError, match="must belong to it"):
        FactTable("bad", {"id": int}, {"a": Column(int, Latest(("b",))), "b": Column(int, Keep())})


def test_rows_of_different_keys_stay_apart() -> None:
    rows = merge_facts([Fact(TABLE, {"id": 1, "name": "a"}), Fact(TABLE, {"id": 2, "name": "b"})])[TABLE]
    assert {key: row["name"] for key, row in rows.items()} == {(1,): "a", (2,): "b"}
