"""Rules of a call: its terms, its deadline, its budget and its panel."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from ibermuseos_applications.domain.calls import CallStatus, PanelMember
from ibermuseos_contracts.applications import CallClosedV1, CallOpenedV1
from ibermuseos_kernel.errors import Conflict, Invalid
from pydantic import ValidationError


def test_terms_that_do_not_hold_together_list_every_problem(build) -> None:
    with pytest.raises(Invalid) as refused:
        build.call(
            closes_at="2027-01-01T00:00:00Z",
            max_per_grant="20000.00",
            activities_until="2027-01-01",
            eligible_host_countries=["MX", "MX"],
            criteria=[
                {"id": "a", "name": {"es": "a", "pt": "a", "en": "a"}, "weight": "1"},
                {"id": "a", "name": {"es": "b", "pt": "b", "en": "b"}, "weight": "1"},
            ],
        )

    assert {issue.field for issue in refused.value.issues} == {
        "closes_at",
        "max_per_grant",
        "activities_until",
        "eligible_host_countries",
        "criteria",
    }


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus", "America", "Etc", "../../../../etc/passwd", "Europe/Madrid\n"]
)
def test_terms_name_a_time_zone_of_the_zone_database(build, zone: str) -> None:
    with pytest.raises(ValidationError) as refused:
        build.terms(timezone=zone)

    assert [problem["loc"] for problem in refused.value.errors()] == [("timezone",)]


def test_publishing_opens_the_call_and_announces_its_terms(build) -> None:
    call = build.call(published=False)

    call.publish(build.now)

    assert call.status is CallStatus.OPEN
    [opened] = call.pull_events()
    assert isinstance(opened, CallOpenedV1)
    assert opened.budget.amount == Decimal("10000.00")
    assert opened.closes_at == call.terms.closes_at


def test_a_published_call_keeps_its_terms(build) -> None:
    call = build.call()

    with pytest.raises(Conflict):
        call.revise(build.terms(budget="99999.00"))


def test_a_call_cannot_be_published_after_its_deadline(build) -> None:
    call = build.call(published=False)

    with pytest.raises(Invalid):
        call.publish(call.terms.closes_at)


def test_applications_are_refused_after_the_deadline_even_before_the_call_is_closed(build) -> None:
    call = build.call()
    assert call.status is CallStatus.OPEN

    with pytest.raises(Conflict) as refused:
        call.check_accepting(call.terms.closes_at)

    assert refused.value.code == "call_closed"
    assert "2027-03-31 23:59 (America/Mexico_City)" in refused.value.title


def test_applications_are_accepted_until_the_last_moment_before_the_deadline(build) -> None:
    call = build.call()

    call.check_accepting(call.terms.closes_at - timedelta(microseconds=1))


def test_applications_are_refused_before_the_call_opens(build) -> None:
    call = build.call(opens_at="2027-03-15T00:00:00Z")

    with pytest.raises(Conflict) as refused:
        call.check_accepting(datetime(2027, 3, 14, tzinfo=UTC))

    assert refused.value.code == "call_not_open_yet"


def test_a_call_closes_by_itself_only_once_its_deadline_has_passed(build) -> None:
    call = build.call()

    assert not call.is_due_to_close(call.terms.closes_at - timedelta(seconds=1))
    with pytest.raises(Conflict):
        call.close(now=call.terms.closes_at - timedelta(seconds=1), applications_submitted=3)
    assert call.is_due_to_close(call.terms.closes_at)

    call.close(now=call.terms.closes_at + timedelta(minutes=5), applications_submitted=3)

    [closed] = call.pull_events()
    assert isinstance(closed, CallClosedV1)
    assert closed.closed_at == call.terms.closes_at
    assert closed.applications_submitted == 3


def test_a_coordinator_can_close_a_call_early(build) -> None:
    call = build.call()

    call.close(now=build.now, applications_submitted=0, early=True)

    assert call.status is CallStatus.CLOSED
    assert call.closed_at == build.now


def test_the_budget_is_never_exceeded(build) -> None:
    call = build.call(budget="3000.00")
    call.commit(Decimal("2000.00"))

    with pytest.raises(Conflict) as exceeded:
        call.commit(Decimal("1000.01"))
    assert exceeded.value.code == "budget_exceeded"

    call.commit(Decimal("1000.00"))
    assert call.remaining == 0


def test_a_freed_amount_returns_to_the_budget(build) -> None:
    call = build.call(budget="3000.00")
    call.commit(Decimal("2000.00"))

    call.free(Decimal("2000.00"))

    assert call.remaining == Decimal("3000.00")


def test_the_panel_has_enough_distinct_evaluators(build) -> None:
    call = build.call(evaluators_per_application=3)

    with pytest.raises(Invalid) as refused:
        call.register_panel([PanelMember("a", "ES"), PanelMember("a", "UY")], evaluation_started=False)

    assert [issue.problem for issue in refused.value.issues] == [
        "lists an evaluator twice",
        "the call needs 3 evaluators per application",
    ]


def test_the_panel_is_fixed_once_evaluation_started(build) -> None:
    call = build.call()

    with pytest.raises(Conflict):
        call.register_panel([PanelMember("a", "ES"), PanelMember("b", "UY")], evaluation_started=True)


def test_evaluation_starts_only_after_the_call_closed(build) -> None:
    call = build.call()

    with pytest.raises(Conflict):
        call.check_evaluation_may_start()
    build.closed(call)
    call.check_evaluation_may_start()
