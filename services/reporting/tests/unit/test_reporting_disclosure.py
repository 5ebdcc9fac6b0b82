"""Small cells hidden from the public, exact figures for who may see them, and the headline sentence."""

from ibermuseos_reporting.domain.disclosure import (
    Measure,
    Viewer,
    disclosure_groups,
    headline,
    more_than,
    suppress_column,
    suppress_table,
    suppress_total,
)


def test_cells_of_one_to_four_people_are_hidden_and_zero_or_five_are_shown() -> None:
    assert suppress_column([0, 4, 5, 1, 30], [False] * 5) == [False, True, False, True, False]


def test_when_only_one_cell_is_hidden_the_next_smallest_is_hidden_too() -> None:
    # BR 20, PE 3, CL 7: with PE alone hidden, total minus the others would give it away.
    assert suppress_column([20, 3, 7], [False] * 3) == [False, True, True]


def test_a_cell_hidden_only_to_protect_another_is_not_called_small() -> None:
    rows = [{"key": "BR", "people": 20}, {"key": "PE", "people": 3}, {"key": "CL", "people": 7}]

    shown = suppress_table(rows, [Measure("people")], lambda row: False)

    assert [(row["key"], row["suppressed"], row["protecting"]) for row in shown] == [
        ("BR", [], []),
        ("PE", ["people"], []),
        ("CL", ["people"], ["people"]),
    ]


def test_cells_the_viewer_sees_exactly_are_never_hidden() -> None:
    assert suppress_column([20, 3, 7], [False, True, False]) == [False, False, False]


def test_a_measure_protected_by_a_count_is_hidden_with_it() -> None:
    rows = [
        {"key": "BR", "awarded": 12, "amount": {"USD": "24000.00"}},
        {"key": "PE", "awarded": 2, "amount": {"USD": "3600.00"}},
        {"key": "CL", "awarded": 6, "amount": {"USD": "9000.00"}},
    ]
    shown = suppress_table(rows, [Measure("awarded"), Measure("amount", people="awarded")], lambda row: False)
    assert [(row["key"], row["awarded"], row["amount"], row["suppressed"]) for row in shown] == [
        ("BR", 12, {"USD": "24000.00"}, []),
        ("PE", None, None, ["awarded", "amount"]),
        ("CL", None, None, ["awarded", "amount"]),
    ]


def test_focal_points_see_their_country_exactly_and_coordinators_everything() -> None:
    rows = [{"key": "PE", "people": 2}, {"key": "CL", "people": 3}, {"key": "BR", "people": 40}]
    peru = Viewer(country="PE")
    shown = suppress_table(rows, [Measure("people")], lambda row: peru.exact_for(str(row["key"])))
    assert [row["people"] for row in shown] == [2, None, None]
    coordinator = Viewer(everything=True)
    shown = suppress_table(rows, [Measure("people")], lambda row: coordinator.exact_for(str(row["key"])))
    assert [row["people"] for row in shown] == [2, 3, 40]


def test_a_small_total_is_hidden_from_the_public_only() -> None:
    assert suppress_total(3, Viewer.public(), None) is None
    assert suppress_total(3, Viewer(country="PE"), "PE") == 3
    assert suppress_total(3, Viewer(country="PE"), "CL") is None
    assert suppress_total(0, Viewer.public(), None) == 0


def test_small_cells_are_pooled_so_every_record_counts_five_people() -> None:
    groups, withheld = disclosure_groups({"BR": 7, "PE": 2, "CL": 3, "AR": 5})
    assert [(group.keys, group.people) for group in groups] == [(("BR",), 7), (("AR",), 5), (("CL", "PE"), 5)]
    assert withheld == 0


def test_a_pool_still_too_small_joins_the_smallest_record() -> None:
    groups, _ = disclosure_groups({"BR": 7, "AR": 5, "PE": 2})
    assert [(group.keys, group.people) for group in groups] == [(("BR",), 7), (("AR", "PE"), 7)]


def test_everything_too_small_is_withheld() -> None:
    assert disclosure_groups({"PE": 2, "CL": 1}) == ([], 3)


def test_more_than_rounds_down_to_two_significant_digits_strictly_below() -> None:
    assert more_than(1234) == 1200
    assert more_than(1200) == 1100
    assert more_than(100) == 90
    assert more_than(15) == 14
    assert more_than(9) is None


def test_the_headline_is_said_in_the_three_languages() -> None:
    assert (
        headline(1234, 456, "es")
        == "Más de 1.200 profesionales de museos se han beneficiado y más de 450 instituciones"
    )
    assert (
        headline(1234, 456, "pt")
        == "Mais de 1.200 profissionais de museus beneficiados e mais de 450 instituições"
    )
    assert (
        headline(1234, 456, "en")
        == "More than 1,200 museum professionals benefited, and more than 450 institutions"
    )
    assert headline(7, 3, "en") == "7 museum professionals benefited, and 3 institutions"
