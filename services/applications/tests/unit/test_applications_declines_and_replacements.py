"""Declines and replacements on the technical panel: who may take an application over, load balance, the
events that tell the evaluators, and the ranking waiting for the call's number of evaluators."""

from datetime import timedelta
from decimal import Decimal

import pytest
from ibermuseos_applications.domain import ranking
from ibermuseos_applications.domain.applications import Application, Status
from ibermuseos_applications.domain.assignment import Round, assign, replacement
from ibermuseos_applications.domain.calls import Call, PanelMember
from ibermuseos_applications.domain.evaluations import Release
from ibermuseos_contracts.applications import (
    DeclineGround,
    EvaluationAssignedV1,
    EvaluationDeclinedV1,
    EvaluationReassignedV1,
)
from ibermuseos_contracts.privacy import Pseudonymiser, to_public
from ibermuseos_kernel.errors import Conflict, Invalid, NotFound

ES = PanelMember("ev-es", "ES", "Elena Ruiz", "elena@panel.example", "es")
PT = PanelMember("ev-pt", "PT", "Paulo Lima", "paulo@panel.example", "pt-PT")
UY = PanelMember("ev-uy", "UY")
BR = PanelMember("ev-br", "BR")
CU = PanelMember("ev-cu", "CU")
SCORES = {"relevance": Decimal(8), "impact": Decimal(6), "budget": Decimal(5)}
COMMENTS = dict.fromkeys(SCORES, "fundamentado")


def under_evaluation(build, call: Call, *members: PanelMember, **form) -> Application:
    application = build.submitted(call, **form)
    evaluation = build.evaluation(application)
    evaluation.assign(list(members or (ES, PT)), application=application, terms=call.terms, now=build.now)
    application.pull_events()
    evaluation.pull_events()
    return application


def travels(build, application: Application, evaluator_id: str) -> None:
    """The evaluator gives the assignment back: they are away."""
    build.evaluation(application).decline(
        application=application,
        evaluator_id=evaluator_id,
        ground=DeclineGround.UNAVAILABLE,
        reason="Viaje",
        now=build.now,
    )


def score(build, application: Application, call: Call, evaluator_id: str) -> None:
    build.evaluation(application).score(
        application=application,
        terms=call.terms,
        evaluator_id=evaluator_id,
        scores=SCORES,
        comments=COMMENTS,
        now=build.now,
    )


def test_an_evaluator_who_declines_no_longer_has_the_assignment_and_the_reason_is_kept(build) -> None:
    call = build.call()
    application = under_evaluation(build, call)

    build.evaluation(application).decline(
        application=application,
        evaluator_id="ev-es",
        ground=DeclineGround.CONFLICT_OF_INTEREST,
        reason="Conozco a la postulante",
        now=build.now,
    )

    [declined] = [a for a in build.evaluation(application).assignments if a.evaluator_id == "ev-es"]
    assert (declined.release, declined.release_ground, declined.release_reason, declined.released_by) == (
        Release.DECLINED,
        DeclineGround.CONFLICT_OF_INTEREST,
        "Conozco a la postulante",
        "ev-es",
    )
    assert [a.evaluator_id for a in build.evaluation(application).active_assignments] == ["ev-pt"]
    with pytest.raises(NotFound):
        build.evaluation(application).assignment_of("ev-es")
    [event] = build.evaluation(application).pull_events()
    assert isinstance(event, EvaluationDeclinedV1)
    assert event.ground is DeclineGround.CONFLICT_OF_INTEREST


def test_the_declined_reason_and_the_coordinators_justification_never_reach_the_public_topic(build) -> None:
    call = build.call()
    application = under_evaluation(build, call)
    build.evaluation(application).decline(
        application=application,
        evaluator_id="ev-es",
        ground=DeclineGround.UNAVAILABLE,
        reason="Licencia médica",
        now=build.now,
    )
    build.evaluation(application).take_from(
        application=application,
        evaluator_id="ev-pt",
        justification="No responde",
        by="coordinator",
        now=build.now,
    )
    declined, reassigned = build.evaluation(application).pull_events()
    assert isinstance(reassigned, EvaluationReassignedV1)
    pseudonymise = Pseudonymiser(b"0123456789abcdef0123")

    public_declined = to_public(declined, pseudonymise).model_dump()
    public_reassigned = to_public(reassigned, pseudonymise).model_dump()

    assert "reason" not in public_declined
    assert public_declined["ground"] == "unavailable"
    assert public_declined["evaluator_id"].startswith("p-")
    assert "justification" not in public_reassigned
    assert public_reassigned["reassigned_by"].startswith("p-")


def test_a_scored_assignment_can_be_neither_declined_nor_taken_away(build) -> None:
    call = build.call()
    application = under_evaluation(build, call)
    score(build, application, call, "ev-es")

    with pytest.raises(Conflict) as declined:
        build.evaluation(application).decline(
            application=application,
            evaluator_id="ev-es",
            ground=DeclineGround.UNAVAILABLE,
            reason="Tarde",
            now=build.now,
        )
    with pytest.raises(Conflict) as taken:
        build.evaluation(application).take_from(
            application=application,
            evaluator_id="ev-es",
            justification="Cambio",
            by="coordinator",
            now=build.now,
        )

    assert declined.value.code == taken.value.code == "already_scored"


def test_the_replacement_is_never_of_the_applicants_country(build) -> None:
    call = build.call()
    application = under_evaluation(build, call, ES, PT, country="BR")
    travels(build, application, "ev-es")

    chosen = replacement(build.evaluation(application).to_assign(call.terms), [ES, PT, BR], load={})

    assert chosen is None


def test_the_replacement_is_never_someone_who_declined_or_already_scored_it(build) -> None:
    call = build.call()
    application = under_evaluation(build, call, ES, PT)
    score(build, application, call, "ev-pt")
    travels(build, application, "ev-es")

    assert replacement(build.evaluation(application).to_assign(call.terms), [ES, PT], load={}) is None
    assert replacement(build.evaluation(application).to_assign(call.terms), [ES, PT, UY], load={}) == UY
    with pytest.raises(Conflict):
        build.evaluation(application).assign([ES], application=application, terms=call.terms, now=build.now)


def test_the_replacement_is_the_least_loaded_eligible_member_of_the_panel(build) -> None:
    call = build.call()
    application = under_evaluation(build, call, ES, PT)
    travels(build, application, "ev-es")

    chosen = replacement(
        build.evaluation(application).to_assign(call.terms), [ES, PT, UY, CU], load={"ev-uy": 4, "ev-cu": 2}
    )

    assert chosen == CU


def test_the_newcomer_is_told_whom_they_replace_and_by_when_to_score(build) -> None:
    deadline = build.terms().closes_at + timedelta(days=20)
    call = build.call(scoring_deadline=deadline.isoformat())
    application = under_evaluation(build, call)
    travels(build, application, "ev-es")
    build.evaluation(application).pull_events()

    build.evaluation(application).assign(
        [UY], application=application, terms=call.terms, now=build.now, replaces="ev-es"
    )

    [event] = build.evaluation(application).pull_events()
    assert isinstance(event, EvaluationAssignedV1)
    assert (event.evaluator_id, event.replaces, event.score_by, event.round_assignments) == (
        "ev-uy",
        "ev-es",
        deadline,
        1,
    )
    assert application.status is Status.UNDER_EVALUATION


def test_ranking_waits_for_the_calls_number_of_evaluators_after_a_decline(build) -> None:
    call = build.call()
    application = under_evaluation(build, call, ES, PT)
    score(build, application, call, "ev-pt")
    travels(build, application, "ev-es")
    assert build.evaluation(application).vacancies(call.terms) == 1

    assert application.status is Status.UNDER_EVALUATION
    assert ranking.rank(call.terms, [application], build.evaluations) == []

    build.evaluation(application).assign(
        [UY], application=application, terms=call.terms, now=build.now, replaces="ev-es"
    )
    score(build, application, call, "ev-uy")

    assert application.status is Status.EVALUATED
    assert [entry.application for entry in ranking.rank(call.terms, [application], build.evaluations)] == [
        application
    ]
    assert build.evaluation(application).vacancies(call.terms) == 0
    assert len(build.evaluation(application).active_assignments) == 2


def test_an_assignment_round_fills_only_the_missing_evaluators_and_never_with_who_had_it(build) -> None:
    call = build.call()
    application = under_evaluation(build, call, ES, PT)
    travels(build, application, "ev-es")

    chosen = assign(
        [build.evaluation(application).to_assign(call.terms)], [ES, PT, UY, CU], 2, load={"ev-cu": 1}
    )

    assert chosen[application.id] == [UY]


def test_an_assignment_round_tells_each_evaluator_how_many_applications_it_gave_them(build) -> None:
    call = build.call()
    applications = [build.submitted(call, country="AR") for _ in range(3)]
    chosen = assign([build.evaluation(a).to_assign(call.terms) for a in applications], [ES, PT, UY], 2)
    assignment_round = Round.of(chosen)

    for application in applications:
        build.evaluation(application).assign(
            chosen[application.id],
            application=application,
            terms=call.terms,
            now=build.now,
            assignment_round=assignment_round,
        )
    events = [
        e
        for a in applications
        for e in build.evaluation(a).pull_events()
        if isinstance(e, EvaluationAssignedV1)
    ]

    assert len(events) == 6
    assert {e.round_id for e in events} == {assignment_round.id}
    per_evaluator = {e.evaluator_id: e.round_assignments for e in events}
    assert per_evaluator == {m: sum(1 for e in events if e.evaluator_id == m) for m in per_evaluator}
    assert sum(per_evaluator.values()) == 6


def test_the_evaluators_contact_travels_privately_and_only_their_pseudonym_publicly(build) -> None:
    call = build.call()
    application = build.submitted(call)
    build.evaluation(application).pull_events()
    build.evaluation(application).assign([ES, PT], application=application, terms=call.terms, now=build.now)
    first, _ = build.evaluation(application).pull_events()
    assert isinstance(first, EvaluationAssignedV1)
    assert (first.evaluator_name, first.evaluator_email, first.evaluator_language) == (
        "Elena Ruiz",
        "elena@panel.example",
        "es",
    )

    public = to_public(first, Pseudonymiser(b"0123456789abcdef0123")).model_dump()

    assert not {"evaluator_name", "evaluator_email", "evaluator_language"} & set(public)
    assert public["evaluator_id"].startswith("p-")
    assert "Elena" not in str(public)


def test_a_coordinator_takes_an_assignment_away_with_a_justification(build) -> None:
    call = build.call()
    application = under_evaluation(build, call)

    build.evaluation(application).take_from(
        application=application,
        evaluator_id="ev-pt",
        justification="Sin respuesta en 3 semanas",
        by="coord",
        now=build.now,
    )

    [taken] = [a for a in build.evaluation(application).assignments if a.evaluator_id == "ev-pt"]
    assert (taken.release, taken.released_by, taken.release_reason) == (
        Release.REASSIGNED,
        "coord",
        "Sin respuesta en 3 semanas",
    )
    with pytest.raises(NotFound):
        build.evaluation(application).take_from(
            application=application, evaluator_id="ev-pt", justification="otra vez", by="coord", now=build.now
        )


def test_a_scoring_deadline_must_fall_after_the_call_closes(build) -> None:
    terms = build.terms(scoring_deadline=build.terms().closes_at.isoformat())

    assert [issue.field for issue in terms.issues()] == ["scoring_deadline"]


def test_the_panel_grows_during_evaluation_but_never_lists_an_evaluator_twice(build) -> None:
    call = build.closed(build.call())
    build.panel(call, "ES", "PT")

    call.add_panel_member(UY)
    with pytest.raises(Invalid) as twice:
        call.add_panel_member(PanelMember("ev-uy", "AR"))

    assert [m.evaluator_id for m in call.panel][-1] == "ev-uy"
    assert [issue.problem for issue in twice.value.issues] == ["is already on the panel"]
