"""Assigning evaluators: never of the applicant's country, the configured number each, work spread evenly, reproducible."""

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from ibermuseos_applications.domain.assignment import ToAssign, assign
from ibermuseos_applications.domain.calls import PanelMember
from ibermuseos_kernel.errors import Invalid

PANEL = [
    PanelMember("ev-br", "BR"),
    PanelMember("ev-cu", "CU"),
    PanelMember("ev-ec", "EC"),
    PanelMember("ev-es", "ES"),
    PanelMember("ev-pt", "PT"),
    PanelMember("ev-uy", "UY"),
]
START = datetime(2027, 3, 1, tzinfo=UTC)


def applications(countries: list[str]) -> list[ToAssign]:
    return [
        ToAssign(uuid.UUID(int=n + 1), f"applicant-{n}", frozenset({country}), START + timedelta(minutes=n))
        for n, country in enumerate(countries)
    ]


COUNTRIES = [
    "BR",
    "UY",
    "ES",
    "MX",
    "AR",
    "BR",
    "PT",
    "CU",
    "EC",
    "CL",
    "BR",
    "UY",
    "MX",
    "PE",
    "CO",
    "ES",
    "AR",
]


def test_no_evaluator_of_the_applicants_or_institutions_country_is_assigned() -> None:
    items = applications(COUNTRIES)
    items.append(ToAssign(uuid.uuid4(), "x", frozenset({"MX", "UY"}), START))

    chosen = assign(items, PANEL, 3)

    for item in items:
        assert not {m.country for m in chosen[item.application_id]} & item.conflicting_countries


def test_an_evaluator_never_evaluates_their_own_application() -> None:
    # Five of a panel of six free of conflicts: with one application the hash tie-break would leave the
    # applicant out by chance one time in six, so several fixed applications make the rule the reason.
    items = [ToAssign(uuid.UUID(int=n + 1), "ev-es", frozenset({"MX"}), START) for n in range(12)]

    chosen = assign(items, PANEL, 5)

    for item in items:
        assert {m.evaluator_id for m in chosen[item.application_id]} == {
            "ev-br",
            "ev-cu",
            "ev-ec",
            "ev-pt",
            "ev-uy",
        }


def test_every_application_gets_the_configured_number_of_distinct_evaluators() -> None:
    items = applications(COUNTRIES)

    chosen = assign(items, PANEL, 2)

    assert set(chosen) == {item.application_id for item in items}
    assert all(len({m.evaluator_id for m in members}) == 2 for members in chosen.values())


def test_the_work_is_spread_evenly_across_the_panel() -> None:
    chosen = assign(applications(["MX"] * 30), PANEL, 2)

    load = Counter(m.evaluator_id for members in chosen.values() for m in members)
    assert set(load.values()) == {10}


def test_the_same_applications_and_panel_give_the_same_assignment() -> None:
    first = assign(applications(COUNTRIES), PANEL, 2)
    second = assign(list(reversed(applications(COUNTRIES))), list(reversed(PANEL)), 2)

    assert {k: sorted(m.evaluator_id for m in v) for k, v in first.items()} == {
        k: sorted(m.evaluator_id for m in v) for k, v in second.items()
    }


def test_assignments_already_made_count_in_the_balance() -> None:
    chosen = assign(
        applications(["MX", "MX"]), PANEL, 2, load={"ev-br": 5, "ev-cu": 5, "ev-ec": 5, "ev-es": 5}
    )

    assert {m.evaluator_id for members in chosen.values() for m in members} == {"ev-pt", "ev-uy"}


def test_every_application_the_panel_cannot_cover_is_listed() -> None:
    small = [PanelMember("ev-br", "BR"), PanelMember("ev-uy", "UY"), PanelMember("ev-es", "ES")]

    with pytest.raises(Invalid) as refused:
        assign(applications(["BR", "MX", "UY", "ES"]), small, 3)

    assert len(refused.value.issues) == 3
