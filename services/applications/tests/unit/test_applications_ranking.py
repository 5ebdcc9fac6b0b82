"""The ranking and its documented tie rule, the award proposal within the budget, and the waitlist."""

import random
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from ibermuseos_applications.domain import ranking
from ibermuseos_applications.domain.applications import DraftDecision, Outcome, Status
from ibermuseos_kernel.errors import Conflict


def scores(relevance: str, impact: str, budget: str) -> dict[str, str]:
    return {"relevance": relevance, "impact": impact, "budget": budget}


def test_applications_rank_by_the_mean_of_the_evaluators_weighted_scores(build) -> None:
    call = build.call()
    low = build.evaluated(call, [scores("5", "5", "5"), scores("6", "6", "6")])
    high = build.evaluated(call, [scores("9", "8", "7"), scores("7", "7", "7")])
    middle = build.evaluated(call, [scores("8", "5", "2")])

    ranked = ranking.rank(call.terms, [low, middle, high], build.evaluations)

    assert [entry.application for entry in ranked] == [high, middle, low]
    assert [entry.position for entry in ranked] == [1, 2, 3]


def test_only_evaluated_applications_are_ranked(build) -> None:
    call = build.call()
    submitted = build.submitted(call)

    assert ranking.rank(call.terms, [submitted], build.evaluations) == []


def test_a_tie_goes_to_the_higher_score_on_the_heaviest_criterion(build) -> None:
    call = build.call()
    # Both weigh (3·r + 2·i + 1·b) / 6 = 37/6.
    practical = build.evaluated(call, [scores("5", "7", "8")])
    relevant = build.evaluated(call, [scores("7", "4", "8")])

    ranked = ranking.rank(call.terms, [practical, relevant], build.evaluations)

    assert [entry.application for entry in ranked] == [relevant, practical]
    assert ranked[0].average == ranked[1].average


def test_then_to_the_next_heaviest_criterion(build) -> None:
    call = build.call()
    first = build.evaluated(call, [scores("6", "7", "4")])
    second = build.evaluated(call, [scores("6", "6", "6")])

    assert [e.application for e in ranking.rank(call.terms, [second, first], build.evaluations)] == [
        first,
        second,
    ]


def test_then_to_the_lower_requested_amount(build) -> None:
    call = build.call()
    dear = build.evaluated(call, [scores("6", "6", "6")], amount="1800.00")
    cheap = build.evaluated(call, [scores("6", "6", "6")], amount="1200.00")

    assert [e.application for e in ranking.rank(call.terms, [dear, cheap], build.evaluations)] == [
        cheap,
        dear,
    ]


def test_then_to_the_earlier_submission_then_the_application_id(build) -> None:
    call = build.call()
    later = build.evaluated(call, [scores("6", "6", "6")], at=build.now + timedelta(hours=1))
    earlier = build.evaluated(call, [scores("6", "6", "6")])
    twin = build.evaluated(call, [scores("6", "6", "6")])

    ranked = [e.application for e in ranking.rank(call.terms, [later, twin, earlier], build.evaluations)]

    assert ranked[2] is later
    assert [str(a.id) for a in ranked[:2]] == sorted([str(earlier.id), str(twin.id)])


def test_the_proposal_fills_the_budget_in_ranking_order_passing_over_what_does_not_fit(build) -> None:
    call = build.call(budget="4000.00")
    apps = [
        build.evaluated(call, [scores(s, s, s)], amount=amount)
        for s, amount in [
            ("9", "1800.00"),
            ("8", "1500.00"),
            ("7", "1000.00"),
            ("6", "700.00"),
            ("5", "900.00"),
        ]
    ]

    drafts = ranking.propose(
        ranking.rank(call.terms, apps, build.evaluations),
        budget=Decimal(4000),
        max_awards_per_country=None,
        waitlist_length=5,
    )

    assert [drafts[a.id].outcome for a in apps] == [
        Outcome.AWARD,  # 1800
        Outcome.AWARD,  # 3300
        Outcome.WAITLIST,  # 1000 does not fit the 700 left
        Outcome.AWARD,  # 4000
        Outcome.WAITLIST,
    ]
    assert drafts[apps[0].id].amount == Decimal("1800.00")


def test_the_proposal_keeps_to_the_maximum_of_awards_per_country(build) -> None:
    call = build.call()
    brazilians = [build.evaluated(call, [scores("9", "9", "9")], country="BR") for _ in range(3)]
    peruvian = build.evaluated(call, [scores("5", "5", "5")], country="PE")

    drafts = ranking.propose(
        ranking.rank(call.terms, [*brazilians, peruvian], build.evaluations),
        budget=Decimal(10000),
        max_awards_per_country=2,
        waitlist_length=0,
    )

    assert Counter(d.outcome for a, d in drafts.items() if a != peruvian.id) == {
        Outcome.AWARD: 2,
        Outcome.REJECT: 1,
    }
    assert drafts[peruvian.id].outcome is Outcome.AWARD


def test_the_waitlist_has_its_length_and_the_rest_are_rejected(build) -> None:
    call = build.call(budget="2000.00")
    apps = [build.evaluated(call, [scores(str(9 - n), "5", "5")]) for n in range(5)]

    drafts = ranking.propose(
        ranking.rank(call.terms, apps, build.evaluations),
        budget=Decimal(2000),
        max_awards_per_country=None,
        waitlist_length=2,
    )

    assert [drafts[a.id].outcome for a in apps] == [
        Outcome.AWARD,
        Outcome.WAITLIST,
        Outcome.WAITLIST,
        Outcome.REJECT,
        Outcome.REJECT,
    ]


def test_no_proposal_ever_exceeds_the_budget(build) -> None:
    generator = random.Random(7)
    call = build.call(budget="10000.00")
    apps = [
        build.evaluated(
            call,
            [
                scores(
                    str(generator.randint(0, 10)),
                    str(generator.randint(0, 10)),
                    str(generator.randint(0, 10)),
                )
            ],
            amount=f"{generator.randint(100, 1999)}.{generator.randint(0, 99):02d}",
            country=generator.choice(["AR", "BR", "CL", "CO", "PE"]),
        )
        for _ in range(40)
    ]
    ranked = ranking.rank(call.terms, apps, build.evaluations)
    for cap in (None, 1, 2, 5):
        for budget in (Decimal(0), Decimal("999.99"), Decimal(5000), Decimal(10000)):
            drafts = ranking.propose(ranked, budget=budget, max_awards_per_country=cap, waitlist_length=3)
            for application in apps:
                application.draft = drafts[application.id]
            assert ranking.drafted_total(apps) <= budget


def test_a_drafted_adjustment_past_the_budget_is_refused(build) -> None:
    call = build.call(budget="2000.00")
    first, second = (build.evaluated(call, [scores("5", "5", "5")]) for _ in range(2))
    first.set_draft(DraftDecision(Outcome.AWARD, Decimal(1500)))
    second.set_draft(DraftDecision(Outcome.AWARD, Decimal(600)))

    with pytest.raises(Conflict, match=r"2,100\.00 USD") as exceeded:
        ranking.check_within_budget([first, second], budget=Decimal(2000), currency="USD")
    assert exceeded.value.code == "budget_exceeded"


def test_the_next_on_the_waitlist_is_the_first_whose_request_fits_and_whose_country_has_room(build) -> None:
    call = build.call()
    first, second, third = (
        build.evaluated(call, [scores("5", "5", "5")], country=country, amount=amount)
        for country, amount in [("BR", "1900.00"), ("PE", "1200.00"), ("CL", "800.00")]
    )
    for position, application in enumerate([first, second, third], start=1):
        application.put_on_waitlist(position=position, now=build.now)

    def next_one(remaining: str, granted: dict[str, int], cap: int | None):
        return ranking.next_from_waitlist(
            [third, second, first],
            remaining=Decimal(remaining),
            granted_per_country=Counter(granted),
            max_awards_per_country=cap,
        )

    assert next_one("2000", {}, None) is first
    assert next_one("1500", {}, None) is second
    assert next_one("1500", {"PE": 2}, 2) is third
    assert next_one("700", {}, None) is None
    first.status = Status.WITHDRAWN
    assert next_one("2000", {}, None) is second
