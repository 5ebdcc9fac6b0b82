"""Counts published under fixed random rounding to base 3, figures as sums over classes, and the headline sentence."""

from decimal import Decimal

from ibermuseos_reporting.domain.disclosure import (
    Viewer,
    headline,
    pool,
    possible_counts,
    protected_count,
    rounding_key,
)
from ibermuseos_reporting.domain.figures import Filters
from ibermuseos_reporting.domain.microdata import (
    Course,
    Grant,
    Microdata,
    Person,
    Unit,
    beneficiaries,
    class_key,
    grants,
    institution_allowance,
)

KEY = rounding_key(b"test secret")


def test_a_count_is_published_as_the_multiple_of_three_below_or_above_it() -> None:
    for count in range(0, 40):
        published = protected_count(KEY, f"class {count}", count)
        assert published % 3 == 0
        assert abs(published - count) <= 2
        assert possible_counts(published)[0] <= count <= possible_counts(published)[1]


def test_zero_and_multiples_of_three_are_published_as_they_are() -> None:
    assert [protected_count(KEY, "a class", n) for n in (0, 3, 6, 30)] == [0, 3, 6, 30]


def test_the_same_class_with_the_same_count_is_always_published_the_same() -> None:
    assert {protected_count(KEY, "MX female museum", 4) for _ in range(20)} == {
        protected_count(KEY, "MX female museum", 4)
    }


def test_the_draw_is_keyed_and_unbiased() -> None:
    other = rounding_key(b"another secret")
    ones = [protected_count(KEY, f"class {i}", 1) for i in range(3000)]
    # Up with probability 1/3: on average the published count is the true one.
    assert 0.9 < sum(ones) / len(ones) < 1.1
    assert ones != [protected_count(other, f"class {i}", 1) for i in range(3000)]


def test_the_protection_interval_is_two_either_side_and_not_below_zero() -> None:
    assert possible_counts(0) == (0, 2)
    assert possible_counts(3) == (1, 5)
    assert possible_counts(9) == (7, 11)


def test_small_cells_are_pooled_into_one_record_whatever_its_size() -> None:
    groups = pool({"BR": 9, "PE": 3, "CL": 3, "AR": 6, "UY": 0})
    assert [(group.keys, group.people) for group in groups] == [(("BR",), 9), (("AR",), 6), (("CL", "PE"), 6)]
    assert [(g.keys, g.people) for g in pool({"PE": 3})] == [(("PE",), 3)]
    assert pool({"PE": 0}) == []


# ------------------------------------------------------------------------ figures as sums over classes

PE = Person("female", "museum", ("PE", "museum"))
CL = Person("male", "museum", ("CL", "museum"))


def course(country: str, person: Person | None, year: int = 2027, outcome: str = "completed") -> Course:
    return Course(
        "offering-1",
        "training_course",
        year,
        country,
        True,
        False,
        False,
        outcome,
        0,
        Decimal(0),
        "conservation",
        person,
    )


def grant(country: str, currency: str | None = None, **status: bool | None) -> Grant:
    values: dict[str, bool | None] = {
        "submitted": True,
        "eligible": True,
        "withdrawn": False,
        "awarded": False,
        "waitlisted": False,
        "rejected": False,
        "accepted": False,
        "declined": False,
        "report": False,
    } | status
    awarded = currency if values["awarded"] else None
    return Grant("call-1", 2027, country, **values, awarded_currency=awarded)  # type: ignore[arg-type]


def test_a_person_in_two_years_counts_once_in_the_total_and_once_in_each_year() -> None:
    both = Unit((course("PE", PE, 2026), course("PE", PE, 2027)))
    data = Microdata.of([both, Unit((course("CL", CL, 2027),))], KEY)
    total, by_year = beneficiaries(data, Filters(), "year")
    assert total.exact == 2
    assert {key: cell.exact for key, cell in by_year.items()} == {"2026": 1, "2027": 2}


def test_exact_and_protected_figures_are_sums_over_the_same_classes() -> None:
    units = [Unit((course("PE", PE),)) for _ in range(4)] + [Unit((course("CL", CL),)) for _ in range(2)]
    data = Microdata.of(units, KEY)
    total, by_country = beneficiaries(data, Filters(), "country")
    assert (total.exact, by_country["PE"].exact, by_country["CL"].exact) == (6, 4, 2)
    assert total.protected == by_country["PE"].protected + by_country["CL"].protected
    for micro in data.classes:
        assert micro.protected == protected_count(
            KEY, class_key(micro.beneficiary, micro.records), micro.count
        )


def test_a_withdrawn_application_counts_as_withdrawn_and_not_as_eligible() -> None:
    data = Microdata.of([Unit((grant("PE", withdrawn=True),)), Unit((grant("PE"),))], KEY)
    cell = grants(data, Filters(), "call")["call-1"]
    assert {
        name: cell.counts[name].exact for name in ("applications", "eligible", "ineligible", "withdrawn")
    } == {
        "applications": 2,
        "eligible": 1,
        "ineligible": 0,
        "withdrawn": 1,
    }


def test_awarded_counts_every_award_and_net_awarded_those_not_declined() -> None:
    units = [
        Unit((grant("PE", "USD", awarded=True, declined=True),), (Decimal(1800),)),
        Unit((grant("PE", "USD", awarded=True, waitlisted=True),), (Decimal(1500),)),
        Unit((grant("PE", waitlisted=True),)),
    ]
    cell = grants(Microdata.of(units, KEY), Filters(), "call")["call-1"]
    counts = {
        name: cell.counts[name].exact
        for name in ("awarded", "net_awarded", "declined", "waitlisted", "on_waitlist")
    }
    assert counts == {"awarded": 2, "net_awarded": 1, "declined": 1, "waitlisted": 2, "on_waitlist": 1}
    assert cell.amounts["amount_awarded"]["USD"].exact == Decimal(3300)
    assert cell.amounts["amount_net_awarded"]["USD"].exact == Decimal(1500)
    # As published: the protected number of grants times the call's mean grant (1,650).
    assert cell.amounts["amount_awarded"]["USD"].protected == cell.counts["awarded"].protected * Decimal(1650)


def test_institutions_reached_directly_are_allowed_up_to_the_least_number_of_people_published() -> None:
    units = [Unit((course("PE", PE),)) for _ in range(5)]
    data = Microdata.of(units, KEY)
    [micro] = data.classes
    assert institution_allowance(data) == (
        {("PE", "museum"): micro.protected - 2} if micro.protected > 2 else {}
    )


def test_focal_points_see_their_country_exactly_and_coordinators_everything() -> None:
    peru = Viewer(country="PE")
    assert peru.exact_for("PE")
    assert not peru.exact_for("CL")
    assert not peru.exact_for(None)
    assert Viewer(everything=True).exact_for(None)
    assert Viewer.public().is_public


def test_the_headline_says_the_figures_as_published_never_more_than_one_less() -> None:
    assert headline(68, 161, "en") == "68 museum professionals benefited, and 161 institutions"
    assert headline(1200, 30, "en") == "1,200 museum professionals benefited, and 30 institutions"


def test_the_headline_is_said_in_the_three_languages() -> None:
    assert headline(1234, 456, "es") == "1.234 profesionales de museos se han beneficiado y 456 instituciones"
    assert headline(1234, 456, "pt") == "1.234 profissionais de museus beneficiados e 456 instituições"
    assert headline(1234, 456, "en") == "1,234 museum professionals benefited, and 456 institutions"


def test_the_headline_says_one_in_the_singular() -> None:
    assert headline(1, 1, "es") == "1 profesional de museos se ha beneficiado y 1 institución"
    assert headline(1, 1, "pt") == "1 profissional de museus beneficiado e 1 instituição"
    assert headline(1, 1, "en") == "1 museum professional benefited, and 1 institution"
