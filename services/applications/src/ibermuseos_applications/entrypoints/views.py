"""What the API returns, shaped by who is looking: applicants, focal points, coordinators, evaluators, the public."""

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Annotated
from uuid import UUID

from ibermuseos_contracts.applications import DeclineGround, Reason, RejectionReason
from ibermuseos_contracts.types import Localized, Money
from ibermuseos_kernel.caller import Caller
from pydantic import BaseModel, ConfigDict, Field

from ..application.queries import ApplicationView, AssignmentSummary, EvaluationView, Standing
from ..domain.applications import Application, Replication, Status
from ..domain.calls import Call, CallStatus, CallTerms, Criterion
from ..domain.evaluations import Assignment, Release
from ..domain.forms import ActivityForm, BudgetForm, Form, InstitutionForm
from ..domain.values import DocumentKind

RELEASED = frozenset(
    {Status.AWARDED, Status.WAITLISTED, Status.REJECTED, Status.ACCEPTED, Status.DECLINED, Status.REPORTED}
)


def _score(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 4)


# ------------------------------------------------------------------------------ calls


class PanelMemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    evaluator_id: str
    country: str
    name: str | None = None
    email: str | None = None
    preferred_language: str | None = None
    timezone: str | None = None


class CallOut(BaseModel):
    id: UUID
    status: CallStatus
    accepting_applications: bool
    terms: CallTerms
    committed: Money | None = Field(default=None, description="Awarded and not declined (coordinators only)")
    remaining: Money | None = None
    max_awards_per_country: int | None = None
    panel: list[PanelMemberOut] | None = None
    created_at: datetime | None = None
    published_at: datetime | None
    closed_at: datetime | None
    results_released_at: datetime | None
    waitlist_closed_at: datetime | None = Field(
        default=None, description="When the waitlist closed: nobody is promoted from it afterwards"
    )


def call_out(call: Call, now: datetime, *, full: bool) -> CallOut:
    """Coordinators see the budget's use and the panel; everyone else the public terms."""
    terms = call.terms
    accepting = call.status is CallStatus.OPEN and terms.opens_at <= now < terms.closes_at
    extra = {}
    if full:
        extra = {
            "committed": Money(amount=call.committed, currency=terms.currency),
            "remaining": Money(amount=call.remaining, currency=terms.currency),
            "max_awards_per_country": call.max_awards_per_country,
            "panel": [PanelMemberOut.model_validate(member) for member in call.panel],
            "created_at": call.created_at,
        }
    return CallOut(
        id=call.id,
        status=call.status,
        accepting_applications=accepting,
        terms=terms,
        published_at=call.published_at,
        closed_at=call.closed_at,
        results_released_at=call.results_released_at,
        waitlist_closed_at=call.waitlist_closed_at,
        **extra,
    )


class OpenCallOut(BaseModel):
    """An open call as member countries' web sites show it, in the three languages."""

    id: UUID
    year: int
    title: Localized
    rules: Localized
    opens_at: datetime
    closes_at: datetime
    timezone: str
    accepting_applications: bool
    budget: Money
    max_per_grant: Money
    eligible_residence_countries: list[str]
    eligible_host_countries: list[str]
    eligible_activity_kinds: list[str]
    activities_from: date
    activities_until: date
    requires_mobility: bool
    requires_replication_commitment: bool
    not_awarded_in_last_calls: int
    required_documents: list[DocumentKind]
    criteria: list[Criterion]


def open_call_out(call: Call, now: datetime) -> OpenCallOut:
    terms = call.terms
    return OpenCallOut(
        id=call.id,
        year=terms.year,
        title=terms.title,
        rules=terms.rules,
        opens_at=terms.opens_at,
        closes_at=terms.closes_at,
        timezone=terms.timezone,
        accepting_applications=terms.opens_at <= now < terms.closes_at,
        budget=Money(amount=terms.budget, currency=terms.currency),
        max_per_grant=Money(amount=terms.max_per_grant, currency=terms.currency),
        eligible_residence_countries=terms.eligible_residence_countries,
        eligible_host_countries=terms.eligible_host_countries,
        eligible_activity_kinds=[kind.value for kind in terms.eligible_activity_kinds],
        activities_from=terms.activities_from,
        activities_until=terms.activities_until,
        requires_mobility=terms.requires_mobility,
        requires_replication_commitment=terms.requires_replication_commitment,
        not_awarded_in_last_calls=terms.not_awarded_in_last_calls,
        required_documents=terms.required_documents,
        criteria=terms.criteria,
    )


# ------------------------------------------------------------------------------ applications


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    kind: DocumentKind
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    request_id: UUID | None


class EligibilityOut(BaseModel):
    eligible: bool | None
    reasons: list[Reason]
    overridden: bool


class InformationRequestOut(BaseModel):
    id: UUID
    question: str
    asked_at: datetime
    asked_by: str | None = None
    answer: str | None
    answered_at: datetime | None


class ReleaseOut(BaseModel):
    """How an evaluator stopped having the assignment: declined by them or reassigned by a coordinator."""

    kind: Release
    at: datetime
    by: str | None
    ground: DeclineGround | None
    reason: str | None


class AssignmentOut(BaseModel):
    evaluator_id: str
    evaluator_country: str
    assigned_at: datetime
    scored_at: datetime | None
    scores: dict[str, Decimal] | None
    comments: dict[str, str] | None
    weighted_score: float | None
    replaces: str | None = None
    released: ReleaseOut | None = Field(
        default=None, description="Set when the assignment is no longer theirs"
    )


def assignment_out(a: Assignment, terms: CallTerms) -> AssignmentOut:
    return AssignmentOut(
        evaluator_id=a.evaluator_id,
        evaluator_country=a.evaluator_country,
        assigned_at=a.assigned_at,
        scored_at=a.scored_at,
        scores=a.scores,
        comments=a.comments,
        weighted_score=_score(a.weighted(terms)) if a.done else None,
        replaces=a.replaces,
        released=None
        if a.release is None or a.released_at is None
        else ReleaseOut(
            kind=a.release,
            at=a.released_at,
            by=a.released_by,
            ground=a.release_ground,
            reason=a.release_reason,
        ),
    )


class EvaluationSummaryOut(BaseModel):
    assignments: list[AssignmentOut]
    average_score: float | None


class DraftOut(BaseModel):
    outcome: str
    amount: Decimal | None
    adjusted: bool


class DecisionOut(BaseModel):
    """The released decision and, for a grant, its terms."""

    outcome: Status
    amount: Money | None = None
    awarded_at: datetime | None = None
    accept_by: datetime | None = None
    from_waitlist: bool = False
    waitlist_position: int | None = None
    decided_at: datetime | None = None
    answered_at: datetime | None = None
    report_due_on: date | None = None
    average_score: float | None = None
    rejection_reason: RejectionReason | None = Field(
        default=None, description="waitlist_closed: still on the waitlist when it closed"
    )


class ReportOut(BaseModel):
    attended: bool
    learned: str
    replications: list[Replication]
    reported_at: datetime | None


class ApplicationOut(BaseModel):
    id: UUID
    call_id: UUID
    call_year: int
    applicant_id: str
    status: Status
    form: Form
    requested: Money
    documents: list[DocumentOut]
    eligibility: EligibilityOut | None
    information_requests: list[InformationRequestOut]
    decision: DecisionOut | None
    report: ReportOut | None
    created_at: datetime
    submitted_at: datetime | None
    withdrawn_at: datetime | None
    evaluation: EvaluationSummaryOut | None = Field(default=None, description="Coordinators only")
    draft_decision: DraftOut | None = Field(default=None, description="Coordinators only, until released")


def _eligibility(application: Application) -> EligibilityOut | None:
    if application.status is Status.DRAFT:
        return None
    pending = application.status in (Status.INFORMATION_REQUESTED, Status.SCREENING)
    eligible = None if pending else not application.reasons and application.status is not Status.INELIGIBLE
    return EligibilityOut(eligible=eligible, reasons=application.reasons, overridden=application.overridden)


def application_out(view: ApplicationView, caller: Caller) -> ApplicationOut:
    """The applicant and focal points see the application and its released decision; coordinators also the
    evaluators' scores and the drafted decision."""
    application, terms, evaluation = view.application, view.call.terms, view.evaluation
    full = caller.is_coordinator
    decision = None
    if application.status in RELEASED or (application.status is Status.WITHDRAWN and application.decided_at):
        decision = DecisionOut(
            outcome=application.status,
            amount=None
            if application.amount is None
            else Money(amount=application.amount, currency=terms.currency),
            awarded_at=application.awarded_at,
            accept_by=application.accept_by,
            from_waitlist=application.from_waitlist,
            waitlist_position=application.waitlist_position
            if application.status is Status.WAITLISTED
            else None,
            decided_at=application.decided_at,
            answered_at=application.answered_at,
            report_due_on=application.report_due_on,
            average_score=_score(evaluation.average(terms)),
            rejection_reason=RejectionReason.WAITLIST_CLOSED
            if application.rejected_as_waitlist_closed
            else None,
        )
    summary = None
    draft = None
    if full and evaluation.assignments:
        summary = EvaluationSummaryOut(
            assignments=[assignment_out(a, terms) for a in evaluation.assignments],
            average_score=_score(evaluation.average(terms)),
        )
    if full and application.draft is not None:
        draft = DraftOut(
            outcome=application.draft.outcome.value,
            amount=application.draft.amount,
            adjusted=application.draft.adjusted,
        )
    report = application.report
    return ApplicationOut(
        id=application.id,
        call_id=application.call_id,
        call_year=application.call_year,
        applicant_id=application.applicant_id,
        status=application.status,
        form=application.form,
        requested=Money(amount=application.requested, currency=terms.currency),
        documents=[DocumentOut.model_validate(d) for d in application.documents],
        eligibility=_eligibility(application),
        information_requests=[
            InformationRequestOut(
                id=r.id,
                question=r.question,
                asked_at=r.asked_at,
                asked_by=r.asked_by if full else None,
                answer=r.answer,
                answered_at=r.answered_at,
            )
            for r in application.information_requests
        ],
        decision=decision,
        report=None
        if report is None
        else ReportOut(
            attended=report.attended,
            learned=report.learned,
            replications=report.replications,
            reported_at=application.reported_at,
        ),
        created_at=application.created_at,
        submitted_at=application.submitted_at,
        withdrawn_at=application.withdrawn_at,
        evaluation=summary,
        draft_decision=draft,
    )


class ApplicationSummaryOut(BaseModel):
    id: UUID
    call_id: UUID
    call_year: int
    status: Status
    applicant_name: str | None
    country_of_residence: str | None
    institution: str | None
    activity: str | None
    requested: Decimal
    created_at: datetime
    submitted_at: datetime | None


def summary_out(application: Application) -> ApplicationSummaryOut:
    form = application.form
    return ApplicationSummaryOut(
        id=application.id,
        call_id=application.call_id,
        call_year=application.call_year,
        status=application.status,
        applicant_name=form.applicant.name,
        country_of_residence=form.applicant.country_of_residence,
        institution=form.institution.name,
        activity=form.activity.title,
        requested=application.requested,
        created_at=application.created_at,
        submitted_at=application.submitted_at,
    )


# ------------------------------------------------------------------------------ evaluations


class BlindApplicant(BaseModel):
    """Evaluators read the application without the applicant's name, e-mail or gender."""

    role: str | None
    country_of_residence: str | None


class ScoreOut(BaseModel):
    evaluator: str = Field(description="'you', or an anonymous label for another evaluator")
    scores: dict[str, Decimal]
    comments: dict[str, str]
    weighted_score: float
    scored_at: datetime


class EvaluationOut(BaseModel):
    application_id: UUID
    call_id: UUID
    status: str = Field(description="to_score or scored")
    applicant: BlindApplicant
    institution: InstitutionForm
    activity: ActivityForm
    budget: BudgetForm
    requested: Money
    motivation: str | None
    replication_commitment: bool | None
    documents: list[DocumentOut]
    criteria: list[Criterion]
    score_scale: int
    your_score: ScoreOut | None
    other_scores: list[ScoreOut] | None = Field(
        description="The other evaluators' scores: hidden (null) until you have submitted yours"
    )


def evaluation_out(view: EvaluationView) -> EvaluationOut:
    application, terms, evaluator_id = view.application, view.call.terms, view.evaluator_id
    mine = view.evaluation.assignment_of(evaluator_id)
    active = view.evaluation.active_assignments
    others = [a for a in active if a.evaluator_id != evaluator_id]

    def score(label: str, assignment_index: int) -> ScoreOut | None:
        assignment = active[assignment_index]
        if assignment.scores is None or assignment.comments is None or assignment.scored_at is None:
            return None
        return ScoreOut(
            evaluator=label,
            scores=assignment.scores,
            comments=assignment.comments,
            weighted_score=round(float(assignment.weighted(terms)), 4),
            scored_at=assignment.scored_at,
        )

    indices = {a.evaluator_id: index for index, a in enumerate(active)}
    other_scores = None
    if mine.done:
        labelled = [score(f"evaluator {n}", indices[a.evaluator_id]) for n, a in enumerate(others, start=1)]
        other_scores = [s for s in labelled if s is not None]
    form = application.form
    return EvaluationOut(
        application_id=application.id,
        call_id=application.call_id,
        status="scored" if mine.done else "to_score",
        applicant=BlindApplicant(
            role=form.applicant.role, country_of_residence=form.applicant.country_of_residence
        ),
        institution=form.institution,
        activity=form.activity,
        budget=form.budget,
        requested=Money(amount=application.requested, currency=terms.currency),
        motivation=form.motivation,
        replication_commitment=form.replication_commitment,
        documents=[DocumentOut.model_validate(d) for d in application.documents],
        criteria=terms.criteria,
        score_scale=terms.score_scale,
        your_score=score("you", indices[evaluator_id]),
        other_scores=other_scores,
    )


class AssignmentSummaryOut(BaseModel):
    application_id: UUID
    call_id: UUID
    status: str = Field(description="to_score or scored")
    activity: str | None
    country_of_residence: str | None
    assigned_at: datetime


def assignment_summary_out(summary: AssignmentSummary) -> AssignmentSummaryOut:
    return AssignmentSummaryOut(
        application_id=summary.application_id,
        call_id=summary.call_id,
        status="scored" if summary.scored else "to_score",
        activity=summary.activity,
        country_of_residence=summary.country_of_residence,
        assigned_at=summary.assigned_at,
    )


# ------------------------------------------------------------------------------ decisions


class RankedOut(BaseModel):
    position: int
    application_id: UUID
    applicant_name: str | None
    country_of_residence: str
    requested: Decimal
    average_score: float
    criterion_averages: dict[str, float]
    submitted_at: datetime | None
    draft_decision: DraftOut | None


class StandingOut(BaseModel):
    call_id: UUID
    status: CallStatus
    currency: str
    budget: Decimal
    committed: Decimal
    drafted_awards: Decimal
    max_awards_per_country: int | None
    tie_rule: str
    ranking: list[RankedOut]
    pending: list[Annotated[UUID, Field(description="applications not evaluated yet")]]


TIE_RULE = (
    "mean weighted score; then the mean score on the heaviest criterion, then the next heaviest; "
    "then the lower requested amount; then the earlier submission; then the application id"
)


def standing_out(standing: Standing) -> StandingOut:
    call = standing.call
    criteria = call.terms.criterion_order()
    return StandingOut(
        call_id=call.id,
        status=call.status,
        currency=call.terms.currency,
        budget=call.terms.budget,
        committed=call.committed,
        drafted_awards=standing.drafted_total,
        max_awards_per_country=call.max_awards_per_country,
        tie_rule=TIE_RULE,
        ranking=[
            RankedOut(
                position=entry.position,
                application_id=entry.application.id,
                applicant_name=entry.application.form.applicant.name,
                country_of_residence=entry.application.country,
                requested=entry.application.requested,
                average_score=round(float(entry.average), 4),
                criterion_averages={
                    c.id: round(float(entry.evaluation.criterion_average(c.id)), 4) for c in criteria
                },
                submitted_at=entry.application.submitted_at,
                draft_decision=None
                if entry.application.draft is None
                else DraftOut(
                    outcome=entry.application.draft.outcome.value,
                    amount=entry.application.draft.amount,
                    adjusted=entry.application.draft.adjusted,
                ),
            )
            for entry in standing.ranking
        ],
        pending=[application.id for application in standing.pending],
    )


# ------------------------------------------------------------------------------ audit


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor: str
    action: str
    call_id: UUID | None
    application_id: UUID | None
    justification: str | None
    details: dict[str, object]
