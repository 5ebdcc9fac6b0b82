"""The eligibility rules each call configures, checked automatically at submission."""

import pytest
from ibermuseos_applications.domain.eligibility import History


def test_a_form_within_every_rule_is_eligible(build) -> None:
    application = build.submitted(build.call())

    assert application.reasons == []


def test_every_broken_rule_is_a_reason_explained_in_the_three_languages(build) -> None:
    application = build.submitted(
        build.call(),
        country="FR",
        host="US",
        amount="2500.00",
        activity__kind="other",
        activity__starts_on="2026-12-01",
        replication_commitment=False,
    )

    codes = [reason.code for reason in application.reasons]
    assert codes == [
        "residence_not_eligible",
        "host_country_not_eligible",
        "activity_kind_not_eligible",
        "activity_outside_window",
        "amount_over_cap",
        "no_replication_commitment",
    ]
    for reason in application.reasons:
        assert len({reason.explanation.es, reason.explanation.pt, reason.explanation.en}) == 3
    over_cap = application.reasons[4].explanation
    assert "2,500.00 USD" in over_cap.en
    assert "2,000.00 USD" in over_cap.pt


@pytest.mark.parametrize(
    ("changes", "eligible"),
    [
        ({"host": "BR"}, False),
        ({"activity__modality": "online"}, False),
        ({"activity__modality": "hybrid"}, True),
        ({}, True),
    ],
)
def test_mobility_means_another_country_and_not_online(build, changes, eligible) -> None:
    application = build.submitted(build.call(), country="BR", **changes)

    assert ("no_mobility" not in [r.code for r in application.reasons]) is eligible


def test_a_call_without_mobility_funds_activities_at_home(build) -> None:
    application = build.submitted(build.call(requires_mobility=False), country="BR", host="BR")

    assert application.reasons == []


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "eligible"),
    [
        ("2027-04-01", "2027-12-31", True),
        ("2027-03-31", "2027-04-10", False),
        ("2027-12-20", "2028-01-02", False),
    ],
)
def test_the_activity_takes_place_within_the_calls_window(build, starts_on, ends_on, eligible) -> None:
    application = build.submitted(build.call(), activity__starts_on=starts_on, activity__ends_on=ends_on)

    assert (application.reasons == []) is eligible


def test_the_amount_may_reach_the_cap_but_not_exceed_it(build) -> None:
    at_cap = build.submitted(build.call(), amount="2000.00")
    over = build.submitted(build.call(), amount="2000.01")

    assert at_cap.reasons == []
    assert [r.code for r in over.reasons] == ["amount_over_cap"]


def test_a_second_application_with_the_same_email_is_ineligible(build) -> None:
    application = build.submitted(build.call(), history=History(other_applications_same_email=1))

    assert [r.code for r in application.reasons] == ["duplicate_application"]


@pytest.mark.parametrize(
    ("awarded_in", "eligible"), [(2026, False), (2025, False), (2024, True), (2027, True)]
)
def test_people_awarded_in_the_last_calls_are_ineligible_when_the_call_says_so(
    build, awarded_in, eligible
) -> None:
    call = build.call(not_awarded_in_last_calls=2)

    application = build.submitted(call, history=History(awarded_in_years=frozenset({awarded_in})))

    assert (application.reasons == []) is eligible


def test_past_awards_do_not_matter_when_the_call_sets_no_such_rule(build) -> None:
    application = build.submitted(build.call(), history=History(awarded_in_years=frozenset({2026})))

    assert application.reasons == []


def test_a_call_may_not_require_the_replication_commitment(build) -> None:
    application = build.submitted(
        build.call(requires_replication_commitment=False), replication_commitment=False
    )

    assert application.reasons == []
