"""Rules of one application through its life: draft, submission, screening, evaluation, grant, report."""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from ibermuseos_applications.domain.applications import (
    DraftDecision,
    Outcome,
    ReachedInstitution,
    Replication,
    Report,
    Status,
)
from ibermuseos_applications.domain.calls import PanelMember
from ibermuseos_applications.domain.documents import DocumentRef
from ibermuseos_applications.domain.eligibility import History
from ibermuseos_applications.domain.forms import Form, FormPatch
from ibermuseos_applications.domain.values import DocumentKind
from ibermuseos_contracts.applications import (
    ApplicationDeclaredEligibleV1,
    ApplicationDeclaredIneligibleV1,
    ApplicationScoredV1,
    ApplicationSubmittedV1,
    GrantAcceptedV1,
    GrantAwardedV1,
    GrantDeclinedV1,
    GrantReportSubmittedV1,
    InformationProvidedV1,
    InformationRequestedV1,
)
from ibermuseos_contracts.common import Institution
from ibermuseos_kernel.errors import Conflict, Invalid, NotFound


def document(build, kind: DocumentKind = DocumentKind.CV) -> DocumentRef:
    return DocumentRef(uuid.uuid4(), kind, "cv.pdf", "application/pdf", 1000, "0" * 64, build.now)


def test_submission_lists_every_missing_field_at_once(build) -> None:
    call = build.call(required_documents=["cv"])
    application = build.draft(call)
    application.form = Form()

    with pytest.raises(Invalid) as refused:
        application.submit(call=call, history=History(), now=build.now)

    fields = [issue.field for issue in refused.value.issues]
    assert fields == [
        "applicant.name",
        "applicant.email",
        "applicant.preferred_language",
        "applicant.role",
        "applicant.country_of_residence",
        "institution.name",
        "institution.type",
        "institution.city",
        "institution.country",
        "activity.title",
        "activity.organiser",
        "activity.kind",
        "activity.host_country",
        "activity.host_city",
        "activity.starts_on",
        "activity.ends_on",
        "activity.modality",
        "budget",
        "motivation",
        "replication_commitment",
        "documents",
    ]
    assert application.status is Status.DRAFT
    assert application.pull_events() == []


def test_an_activity_that_ends_before_it_starts_is_refused_even_in_a_draft(build) -> None:
    application = build.draft(build.call())

    with pytest.raises(Invalid) as refused:
        application.edit(FormPatch.model_validate({"activity": {"ends_on": "2027-05-01"}}))

    assert [issue.field for issue in refused.value.issues] == ["activity.ends_on"]
    assert application.form.activity.ends_on == date(2027, 5, 21)


def test_a_draft_is_edited_field_by_field(build) -> None:
    application = build.draft(build.call())

    application.edit(
        FormPatch.model_validate({"activity": {"host_city": "Oaxaca"}, "budget": {"lodging": "200"}})
    )

    assert application.form.activity.host_city == "Oaxaca"
    assert application.form.activity.title == "Conservação preventiva"
    assert application.requested == Decimal("1700.00")


def test_a_submitted_application_no_longer_changes(build) -> None:
    application = build.submitted(build.call())

    with pytest.raises(Conflict):
        application.edit(FormPatch.model_validate({"motivation": "other"}))


def test_submission_publishes_the_application_then_its_eligibility(build) -> None:
    application = build.draft(build.call())

    application.submit(call=build.call(), history=History(), now=build.now)

    submitted, eligible = application.pull_events()
    assert isinstance(submitted, ApplicationSubmittedV1)
    assert submitted.applicant.preferred_language == "pt-BR"
    assert submitted.requested.amount == Decimal("1500.00")
    assert isinstance(eligible, ApplicationDeclaredEligibleV1)
    assert application.status is Status.ELIGIBLE


def test_an_ineligible_submission_is_declared_with_every_reason(build) -> None:
    application = build.draft(build.call(), amount="5000.00")

    application.submit(call=build.call(), history=History(), now=build.now)

    _, ineligible = application.pull_events()
    assert isinstance(ineligible, ApplicationDeclaredIneligibleV1)
    assert [reason.code for reason in ineligible.reasons] == ["amount_over_cap"]
    assert application.status is Status.INELIGIBLE


def test_submission_after_the_deadline_is_refused(build) -> None:
    call = build.call()
    application = build.draft(call)

    with pytest.raises(Conflict) as refused:
        application.submit(call=call, history=History(), now=call.terms.closes_at)

    assert refused.value.code == "call_closed"
    assert application.status is Status.DRAFT


def test_a_draft_cannot_be_started_in_a_closed_call(build) -> None:
    call = build.closed(build.call())

    with pytest.raises(Conflict):
        build.draft(call)


def test_the_call_can_require_documents_of_some_kinds(build) -> None:
    call = build.call(required_documents=["cv", "institution_endorsement"])
    application = build.draft(call)
    application.attach(document(build, DocumentKind.CV), max_documents=5)

    with pytest.raises(Invalid) as refused:
        application.submit(call=call, history=History(), now=build.now)

    assert [issue.problem for issue in refused.value.issues] == [
        "the call requires a document of kind 'institution_endorsement'"
    ]


def test_the_number_of_documents_is_bounded(build) -> None:
    application = build.draft(build.call())
    application.attach(document(build), max_documents=2)
    application.attach(document(build), max_documents=2)

    with pytest.raises(Invalid):
        application.attach(document(build), max_documents=2)


def test_documents_are_added_only_to_a_draft_or_to_answer_a_question(build) -> None:
    call = build.call()
    application = build.submitted(call)

    with pytest.raises(Conflict):
        application.attach(document(build), max_documents=5)
    application.request_information(
        call=call, request_id=uuid.uuid4(), question="Which course?", asked_by="coord", now=build.now
    )
    application.attach(document(build), max_documents=5)

    assert application.documents[0].request_id == application.information_requests[0].id
    with pytest.raises(Conflict):
        application.detach(application.documents[0].id)


def test_a_missing_document_is_not_found(build) -> None:
    with pytest.raises(NotFound):
        build.draft(build.call()).document(uuid.uuid4())


def test_information_requested_and_answered_returns_to_screening_and_keeps_the_exchange(build) -> None:
    call = build.call()
    application = build.submitted(call)
    application.pull_events()
    request_id = uuid.uuid4()

    application.request_information(
        call=call,
        request_id=request_id,
        question="Is the course accredited?",
        asked_by="coord",
        now=build.now,
    )
    assert application.status is Status.INFORMATION_REQUESTED
    application.provide_information(answer="Yes, by the university.", now=build.now + timedelta(days=1))

    assert application.status is Status.SCREENING
    [request] = application.information_requests
    assert (request.question, request.answer) == ("Is the course accredited?", "Yes, by the university.")
    requested, provided = application.pull_events()
    assert isinstance(requested, InformationRequestedV1)
    assert isinstance(provided, InformationProvidedV1)
    assert provided.request_id == request_id


def test_after_an_answer_the_coordinator_decides_eligibility(build) -> None:
    call = build.call()
    application = build.submitted(call)
    application.request_information(
        call=call, request_id=uuid.uuid4(), question="?", asked_by="c", now=build.now
    )
    application.provide_information(answer="!", now=build.now)
    application.pull_events()

    application.declare_eligible(call=call, now=build.now)

    [eligible] = application.pull_events()
    assert isinstance(eligible, ApplicationDeclaredEligibleV1)
    assert not eligible.overridden


def test_a_coordinator_overrides_an_automatic_ineligibility(build) -> None:
    call = build.call()
    application = build.submitted(call, amount="2100.00")
    application.pull_events()

    application.declare_eligible(call=call, now=build.now)

    [eligible] = application.pull_events()
    assert eligible.overridden
    assert application.status is Status.ELIGIBLE
    assert application.reasons == []


def test_screening_decisions_stop_once_the_results_are_released(build) -> None:
    call = build.closed(build.call())
    application = build.submitted(build.call(), amount="2100.00")
    call.release_results(build.now)

    with pytest.raises(Conflict):
        application.declare_eligible(call=call, now=build.now)


def test_the_applicant_withdraws_until_a_decision(build) -> None:
    call = build.call()
    application = build.evaluated(call, [{"relevance": "5", "impact": "5", "budget": "5"}])

    application.award(amount=Decimal(1500), call=call, now=build.now)

    with pytest.raises(Conflict):
        application.withdraw(build.now)


def test_a_waitlisted_applicant_can_leave_the_waitlist(build) -> None:
    call = build.call()
    application = build.evaluated(call, [{"relevance": "5", "impact": "5", "budget": "5"}])
    application.put_on_waitlist(position=1, now=build.now)

    application.withdraw(build.now)

    assert application.status is Status.WITHDRAWN


def test_an_evaluator_of_the_applicants_country_is_never_assigned(build) -> None:
    call = build.call()
    application = build.submitted(call, country="BR")

    with pytest.raises(Conflict):
        build.evaluation(application).assign(
            [PanelMember("ev-br", "BR"), PanelMember("ev-es", "ES")],
            application=application,
            terms=call.terms,
            now=build.now,
        )


def test_scores_need_every_criterion_within_the_scale_each_with_a_comment(build) -> None:
    call = build.call()
    application = build.submitted(call)
    build.evaluation(application).assign(
        [PanelMember("ev-es", "ES"), PanelMember("ev-uy", "UY")],
        application=application,
        terms=call.terms,
        now=build.now,
    )

    with pytest.raises(Invalid) as refused:
        build.evaluation(application).score(
            application=application,
            terms=call.terms,
            evaluator_id="ev-es",
            scores={"relevance": Decimal(11), "impact": Decimal(5), "style": Decimal(3)},
            comments={"relevance": "good", "impact": " "},
            now=build.now,
        )

    assert [issue.field for issue in refused.value.issues] == [
        "scores.relevance",
        "scores.impact.comment",
        "scores.budget",
        "scores.budget.comment",
        "scores.style",
    ]


def test_only_an_assigned_evaluator_scores_and_only_once(build) -> None:
    call = build.call()
    application = build.submitted(call)
    build.evaluation(application).assign(
        [PanelMember("ev-es", "ES"), PanelMember("ev-uy", "UY")],
        application=application,
        terms=call.terms,
        now=build.now,
    )
    given = {"relevance": Decimal(8), "impact": Decimal(6), "budget": Decimal(5)}
    comments = dict.fromkeys(given, "ok")

    with pytest.raises(NotFound):
        build.evaluation(application).score(
            application=application,
            terms=call.terms,
            evaluator_id="ev-pt",
            scores=given,
            comments=comments,
            now=build.now,
        )
    build.evaluation(application).score(
        application=application,
        terms=call.terms,
        evaluator_id="ev-es",
        scores=given,
        comments=comments,
        now=build.now,
    )
    with pytest.raises(Conflict):
        build.evaluation(application).score(
            application=application,
            terms=call.terms,
            evaluator_id="ev-es",
            scores=given,
            comments=comments,
            now=build.now,
        )


def test_the_weighted_score_weighs_each_criterion_and_the_application_is_evaluated_when_all_scored(
    build,
) -> None:
    call = build.call()
    application = build.submitted(call)
    build.evaluation(application).assign(
        [PanelMember("ev-es", "ES"), PanelMember("ev-uy", "UY")],
        application=application,
        terms=call.terms,
        now=build.now,
    )
    build.evaluation(application).pull_events()

    build.evaluation(application).score(
        application=application,
        terms=call.terms,
        evaluator_id="ev-es",
        scores={"relevance": Decimal(8), "impact": Decimal(6), "budget": Decimal(5)},
        comments={"relevance": "a", "impact": "b", "budget": "c"},
        now=build.now,
    )
    assert application.status is Status.UNDER_EVALUATION
    build.evaluation(application).score(
        application=application,
        terms=call.terms,
        evaluator_id="ev-uy",
        scores={"relevance": Decimal(10), "impact": Decimal(10), "budget": Decimal(10)},
        comments={"relevance": "a", "impact": "b", "budget": "c"},
        now=build.now,
    )

    first, _ = build.evaluation(application).pull_events()
    assert isinstance(first, ApplicationScoredV1)
    assert first.weighted_score == pytest.approx((8 * 3 + 6 * 2 + 5) / 6)
    assert application.status is Status.EVALUATED
    assert float(build.evaluation(application).average(call.terms) or 0) == pytest.approx(
        ((8 * 3 + 6 * 2 + 5) / 6 + 10) / 2
    )


def test_an_award_commits_the_budget_and_never_exceeds_it(build) -> None:
    call = build.call(budget="2000.00")
    first = build.evaluated(call, [{"relevance": "5", "impact": "5", "budget": "5"}])
    second = build.evaluated(call, [{"relevance": "5", "impact": "5", "budget": "5"}])
    first.award(amount=Decimal(1500), call=call, now=build.now)

    with pytest.raises(Conflict) as exceeded:
        second.award(amount=Decimal(1500), call=call, now=build.now)
    assert exceeded.value.code == "budget_exceeded"

    assert second.status is Status.EVALUATED
    assert call.committed == Decimal(1500)
    [awarded] = first.pull_events()
    assert isinstance(awarded, GrantAwardedV1)
    assert awarded.accept_by == build.now + timedelta(days=14)


def test_a_grant_is_accepted_by_its_deadline_and_the_report_falls_due_after_the_activity(build) -> None:
    call = build.call(report_due_days=30)
    application = build.evaluated(call, [{"relevance": "5", "impact": "5", "budget": "5"}])
    application.award(amount=Decimal(1500), call=call, now=build.now)
    application.pull_events()

    with pytest.raises(Conflict):
        application.accept(call=call, now=build.now + timedelta(days=15))
    application.accept(call=call, now=build.now + timedelta(days=13))

    [accepted] = application.pull_events()
    assert isinstance(accepted, GrantAcceptedV1)
    assert accepted.report_due_on == date(2027, 5, 21) + timedelta(days=30)


def test_a_declined_grant_frees_its_amount(build) -> None:
    call = build.call()
    application = build.evaluated(call, [{"relevance": "5", "impact": "5", "budget": "5"}])
    application.award(amount=Decimal(1500), call=call, now=build.now)
    application.pull_events()

    application.decline(call=call, now=build.now)

    assert call.committed == 0
    [declined] = application.pull_events()
    assert isinstance(declined, GrantDeclinedV1)
    assert not declined.lapsed


def test_an_award_lapses_only_after_its_deadline(build) -> None:
    call = build.call()
    application = build.evaluated(call, [{"relevance": "5", "impact": "5", "budget": "5"}])
    application.award(amount=Decimal(1500), call=call, now=build.now)
    application.pull_events()

    with pytest.raises(Conflict):
        application.decline(call=call, now=build.now + timedelta(days=14), lapsed=True)
    application.decline(call=call, now=build.now + timedelta(days=14, seconds=1), lapsed=True)

    [declined] = application.pull_events()
    assert declined.lapsed


def _accepted(build):
    call = build.call()
    application = build.evaluated(call, [{"relevance": "5", "impact": "5", "budget": "5"}])
    application.award(amount=Decimal(1500), call=call, now=build.now)
    application.accept(call=call, now=build.now)
    application.pull_events()
    return call, application


def _at(day: str) -> datetime:
    """Noon in Mexico City on `day` (the call's time zone decides which day it is)."""
    return datetime.fromisoformat(f"{day}T18:00:00+00:00")


def test_the_report_comes_after_the_activity(build) -> None:
    call, application = _accepted(build)
    report = Report(attended=True, learned="A lot", replications=[])

    with pytest.raises(Conflict):
        application.submit_report(call=call, report=report, now=_at("2027-05-20"))
    application.submit_report(call=call, report=report, now=_at("2027-05-21"))

    assert application.status is Status.REPORTED


def test_replications_are_held_after_the_activity_started_not_in_the_future_and_name_their_institutions(
    build,
) -> None:
    call, application = _accepted(build)
    museum = ReachedInstitution(name="Museu da Maré", type="museum", city="Rio de Janeiro", country="BR")
    report = Report(
        attended=True,
        learned="A lot",
        replications=[
            Replication(held_on=date(2027, 5, 1), colleagues_trained=3, institutions=[museum]),
            Replication(held_on=date(2027, 7, 1), colleagues_trained=3, institutions=[]),
        ],
    )

    with pytest.raises(Invalid) as refused:
        application.submit_report(call=call, report=report, now=_at("2027-06-01"))

    assert [issue.field for issue in refused.value.issues] == [
        "replications.0.held_on",
        "replications.1.held_on",
        "replications.1.institutions",
    ]


def test_the_report_carries_the_replications_to_the_event(build) -> None:
    call, application = _accepted(build)
    museum = ReachedInstitution(name="Museu da Maré", type="museum", city="Rio de Janeiro", country="BR")

    application.submit_report(
        call=call,
        report=Report(
            attended=True,
            learned="A lot",
            replications=[
                Replication(held_on=date(2027, 6, 10), colleagues_trained=12, institutions=[museum])
            ],
        ),
        now=_at("2027-06-30"),
    )

    [reported] = application.pull_events()
    assert isinstance(reported, GrantReportSubmittedV1)
    assert reported.replications[0].colleagues_trained == 12
    assert reported.replications[0].institutions == [Institution(**museum.model_dump())]


def test_decisions_are_drafted_only_on_evaluated_applications(build) -> None:
    application = build.submitted(build.call())

    with pytest.raises(Conflict):
        application.set_draft(DraftDecision(Outcome.AWARD, Decimal(1)))
