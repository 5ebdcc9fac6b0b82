"""The waitlist ends: its term holds together with the call's other dates, it closes once (at its term or by a
coordinator) after the results, everyone still on it is rejected with the reason, and nobody is promoted after."""

from datetime import timedelta
from decimal import Decimal

import pytest
from ibermuseos_applications.domain.applications import Status
from ibermuseos_applications.domain.calls import Call, PanelMember
from ibermuseos_contracts.applications import ApplicationRejectedV1, RejectionReason
from ibermuseos_kernel.errors import Conflict, Invalid

CLOSES_AT = "2027-03-31T23:59:00-06:00"


def released(build, **terms) -> Call:
    call = build.closed(build.call(**terms))
    call.release_results(build.now)
    return call


def test_the_waitlist_term_must_come_after_the_call_closes_and_the_scoring_deadline_every_problem_listed(
    build,
) -> None:
    with pytest.raises(Invalid) as refused:
        build.call(
            scoring_deadline="2027-04-30T00:00:00Z",
            waitlist_closes_at="2027-03-01T00:00:00Z",
        )

    assert sorted((i.field, i.problem) for i in refused.value.issues) == [
        ("waitlist_closes_at", "the waitlist can only close after the call closes"),
        ("waitlist_closes_at", "the waitlist can only close after the scoring deadline"),
    ]
    with pytest.raises(Invalid) as at_the_close:
        build.call(waitlist_closes_at=CLOSES_AT)
    assert [(i.field, i.problem) for i in at_the_close.value.issues] == [
        ("waitlist_closes_at", "the waitlist can only close after the call closes")
    ]


def test_a_waitlist_term_after_the_results_could_be_released_is_accepted(build) -> None:
    call = build.call(scoring_deadline="2027-04-30T00:00:00Z", waitlist_closes_at="2027-06-30T00:00:00Z")

    assert call.terms.waitlist_closes_at is not None
    assert call.waitlist_open


def test_the_waitlist_closes_by_itself_only_once_its_term_passed_and_the_results_are_out(build) -> None:
    term = build.now + timedelta(days=90)
    call = build.closed(build.call(waitlist_closes_at=term.isoformat()))
    assert not call.is_waitlist_due_to_close(term)
    call.release_results(build.now)

    assert not call.is_waitlist_due_to_close(term - timedelta(seconds=1))
    with pytest.raises(Conflict) as early:
        call.close_waitlist(term - timedelta(seconds=1))
    assert early.value.code == "waitlist_term_not_passed"
    assert call.is_waitlist_due_to_close(term)

    call.close_waitlist(term)

    assert call.waitlist_closed_at == term
    assert not call.waitlist_open
    assert not call.is_waitlist_due_to_close(term + timedelta(days=1))


def test_a_coordinator_closes_the_waitlist_early_once_and_only_after_the_results(build) -> None:
    call = build.closed(build.call())
    with pytest.raises(Conflict) as before_results:
        call.close_waitlist(build.now, early=True)
    assert before_results.value.code == "results_not_released"

    call.release_results(build.now)
    call.close_waitlist(build.now, early=True)
    with pytest.raises(Conflict) as twice:
        call.close_waitlist(build.now, early=True)

    assert twice.value.code == "waitlist_closed"
    assert call.waitlist_closed_at == build.now


def test_a_call_without_a_term_never_closes_its_waitlist_by_itself(build) -> None:
    call = released(build)

    assert not call.is_waitlist_due_to_close(build.now + timedelta(days=3650))


def test_whoever_is_still_waitlisted_is_rejected_with_the_reason_waitlist_closed(build) -> None:
    call = build.call()
    application = build.evaluated(call, [{"relevance": "8", "impact": "8", "budget": "8"}])
    build.closed(call)
    application.put_on_waitlist(position=1, now=build.now)
    application.pull_events()
    later = build.now + timedelta(days=30)

    application.reject_from_waitlist(later)

    assert application.status is Status.REJECTED
    assert application.rejected_as_waitlist_closed
    assert application.decided_at == build.now  # the release of the results, as announced
    (event,) = application.pull_events()
    assert isinstance(event, ApplicationRejectedV1)
    assert (event.reason, event.rejected_at, event.applicant_id) == (
        RejectionReason.WAITLIST_CLOSED,
        later,
        application.applicant_id,
    )


def test_only_a_waitlisted_application_is_rejected_as_the_waitlist_closes(build) -> None:
    call = build.call()
    awarded = build.evaluated(call, [{"relevance": "8", "impact": "8", "budget": "8"}])
    build.closed(call)
    awarded.award(amount=Decimal(1500), call=call, now=build.now)

    with pytest.raises(Conflict):
        awarded.reject_from_waitlist(build.now)
    assert awarded.status is Status.AWARDED


def test_a_rejection_at_the_release_of_the_results_carries_no_reason(build) -> None:
    call = build.call()
    application = build.evaluated(call, [{"relevance": "2", "impact": "2", "budget": "2"}])
    build.closed(call)

    application.reject(build.now)

    (event,) = application.pull_events()
    assert isinstance(event, ApplicationRejectedV1)
    assert event.reason is None
    assert not application.rejected_as_waitlist_closed


def test_an_evaluator_registered_with_an_unknown_zone_is_refused_listing_it(build) -> None:
    call = build.call()
    members = [
        PanelMember("ev-es", "ES", timezone="Europe/Madrid"),
        PanelMember("ev-pt", "PT", timezone="Europe/Atlantis"),
    ]

    with pytest.raises(Invalid) as refused:
        call.register_panel(members, evaluation_started=False)
    with pytest.raises(Invalid) as one:
        call.add_panel_member(PanelMember("ev-uy", "UY", timezone="Mars/Olympus"))

    assert [(i.field, i.problem) for i in refused.value.issues] == [
        ("evaluators.1.timezone", "'Europe/Atlantis' is not an IANA time zone")
    ]
    assert [(i.field, i.problem) for i in one.value.issues] == [
        ("timezone", "'Mars/Olympus' is not an IANA time zone")
    ]
    assert call.panel == []


def test_an_assignment_carries_the_evaluators_zone_when_registered(build) -> None:
    call = build.call(evaluators_per_application=1)
    application = build.submitted(call, country="BR")
    application.pull_events()
    build.closed(call)

    build.evaluation(application).assign(
        [PanelMember("ev-es", "ES", timezone="Europe/Madrid")],
        application=application,
        terms=call.terms,
        now=build.now,
    )

    (event,) = build.evaluation(application).pull_events()
    assert event.evaluator_timezone == "Europe/Madrid"
