"""An application to a grant call, from the applicant's draft to their report after the grant."""

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Self
from uuid import UUID

from ibermuseos_contracts import applications as events
from ibermuseos_contracts.applications import Reason, RejectionReason, ReplicationActivity
from ibermuseos_contracts.common import Institution
from ibermuseos_contracts.types import Money
from ibermuseos_kernel.caller import Caller
from ibermuseos_kernel.errors import Conflict, Invalid, Issue, NotFound
from ibermuseos_kernel.events import RecordsEvents
from ibermuseos_kernel.fields import Day, Strict
from pydantic import ConfigDict, Field

from . import eligibility
from .calls import Call, CallStatus
from .documents import DocumentRef
from .forms import Form, FormPatch
from .values import LongText, ShortText


class Status(StrEnum):
    DRAFT = "draft"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    INFORMATION_REQUESTED = "information_requested"
    SCREENING = "screening"
    """The applicant answered a request for information; a coordinator decides on eligibility."""
    UNDER_EVALUATION = "under_evaluation"
    EVALUATED = "evaluated"
    AWARDED = "awarded"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REPORTED = "reported"
    WITHDRAWN = "withdrawn"


WITHDRAWABLE = frozenset(
    {
        Status.ELIGIBLE,
        Status.INELIGIBLE,
        Status.INFORMATION_REQUESTED,
        Status.SCREENING,
        Status.UNDER_EVALUATION,
        Status.EVALUATED,
        Status.WAITLISTED,
    }
)
"""Until a decision: an award is declined rather than withdrawn; the waitlist can be left."""

SCREENABLE = frozenset({Status.ELIGIBLE, Status.INELIGIBLE, Status.SCREENING})
"""Where a coordinator may still ask for information or change the eligibility decision."""

GRANTED = frozenset({Status.AWARDED, Status.ACCEPTED, Status.REPORTED})
"""Statuses holding an amount of the call's budget."""


class Outcome(StrEnum):
    """A drafted decision on an evaluated application, internal until the results are released."""

    AWARD = "award"
    WAITLIST = "waitlist"
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class DraftDecision:
    outcome: Outcome
    amount: Decimal | None = None
    """The amount to award (award only): the requested amount unless the coordinator adjusted it."""
    adjusted: bool = False


@dataclass
class InformationRequest:
    id: UUID
    question: str
    asked_by: str
    asked_at: datetime
    answer: str | None = None
    answered_at: datetime | None = None


class ReachedInstitution(Institution):
    """An institution a replication reached, as the grantee writes it (nothing beyond the known fields)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ShortText
    city: ShortText


class Replication(Strict):
    """A train-the-trainer activity the grantee held at home."""

    model_config = ConfigDict(frozen=True)

    held_on: Day
    colleagues_trained: Annotated[int, Field(ge=0, le=100_000)]
    institutions: Annotated[list[ReachedInstitution], Field(max_length=100)]


class Report(Strict):
    """What a grantee reports after the activity."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "attended": True,
                    "learned": "Conservación preventiva de colecciones en clima tropical.",
                    "replications": [
                        {
                            "held_on": "2027-08-20",
                            "colleagues_trained": 12,
                            "institutions": [
                                {
                                    "name": "Museo Regional de Cusco",
                                    "type": "museum",
                                    "city": "Cusco",
                                    "country": "PE",
                                }
                            ],
                        }
                    ],
                }
            ]
        },
    )

    attended: bool
    learned: LongText
    replications: Annotated[list[Replication], Field(max_length=50)] = Field(default_factory=list)


@dataclass
class Application(RecordsEvents):
    id: UUID
    call_id: UUID
    call_year: int
    applicant_id: str
    created_at: datetime
    form: Form
    status: Status = Status.DRAFT
    submitted_at: datetime | None = None
    documents: list[DocumentRef] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    """Why it is ineligible (the automatic check's or the coordinator's reasons)."""
    overridden: bool = False
    information_requests: list[InformationRequest] = field(default_factory=list)
    draft: DraftDecision | None = None
    amount: Decimal | None = None
    """The amount awarded."""
    awarded_at: datetime | None = None
    accept_by: datetime | None = None
    from_waitlist: bool = False
    waitlist_position: int | None = None
    rejected_as_waitlist_closed: bool = False
    """Rejected because it was still on the waitlist when the waitlist closed (its position is kept)."""
    decided_at: datetime | None = None
    """When the results were released for this application (award, waitlist or rejection)."""
    answered_at: datetime | None = None
    """When the grantee accepted or declined (or the acceptance lapsed)."""
    report_due_on: date | None = None
    report: Report | None = None
    reported_at: datetime | None = None
    withdrawn_at: datetime | None = None
    version: int = 0

    # ---------------------------------------------------------------- drafting

    @classmethod
    def start(cls, *, id: UUID, call: Call, applicant_id: str, form: Form, now: datetime) -> Self:
        """An applicant starts a draft while the call is published and open."""
        call.check_drafting(now)
        if issues := form.inconsistencies():
            raise Invalid("The application is not consistent", issues)
        return cls(
            id=id,
            call_id=call.id,
            call_year=call.terms.year,
            applicant_id=applicant_id,
            created_at=now,
            form=form,
        )

    def identify(self, applicant: Caller) -> None:
        """The applicant's name and e-mail are those their sign-in vouches for (the e-mail only when the identity
        provider verified it), never what a form says: nobody applies, or is written to, in someone else's name."""
        self.check_status(Status.DRAFT, "change its applicant")
        self.form = self.form.signed(name=applicant.name, email=applicant.email)

    def check_status(self, allowed: frozenset[Status] | Status, doing: str) -> None:
        allowed_set = allowed if isinstance(allowed, frozenset) else frozenset({allowed})
        if self.status not in allowed_set:
            raise Conflict(
                f"An application that is {self.status.value.replace('_', ' ')} cannot {doing}",
                code="wrong_status",
            )

    def edit(self, patch: FormPatch) -> None:
        """Only a draft can change; once submitted the application is what was screened."""
        self.check_status(Status.DRAFT, "be edited")
        form = self.form.merged(patch)
        if issues := form.inconsistencies():
            raise Invalid("The application is not consistent", issues)
        self.form = form

    def attach(self, document: DocumentRef, *, max_documents: int) -> None:
        """Documents are added to a draft, or to answer a request for information; their number is bounded."""
        self.check_status(frozenset({Status.DRAFT, Status.INFORMATION_REQUESTED}), "take documents")
        if len(self.documents) >= max_documents:
            raise Invalid(
                "Too many documents",
                [Issue("documents", f"an application has at most {max_documents} documents")],
            )
        if self.status is Status.INFORMATION_REQUESTED:
            document = dataclasses.replace(document, request_id=self.open_request().id)
        self.documents.append(document)

    def detach(self, document_id: UUID) -> DocumentRef:
        """A draft's documents can be removed; a submitted application's stay as they were screened."""
        self.check_status(Status.DRAFT, "lose documents")
        document = self.document(document_id)
        self.documents.remove(document)
        return document

    def discard(self) -> list[DocumentRef]:
        """Only a draft that was never submitted can be thrown away; its documents go with it."""
        self.check_status(Status.DRAFT, "be discarded")
        return list(self.documents)

    def purge_documents(self) -> list[DocumentRef]:
        """A draft that can no longer be submitted (its call closed long ago) loses its documents: personal data
        kept for nothing. The draft itself stays, for its applicant to see what they had written."""
        self.check_status(Status.DRAFT, "lose its documents to the retention period")
        purged, self.documents = self.documents, []
        return purged

    def document(self, document_id: UUID) -> DocumentRef:
        for document in self.documents:
            if document.id == document_id:
                return document
        raise NotFound("No such document")

    # ---------------------------------------------------------------- submission and screening

    def submit(self, *, call: Call, history: eligibility.History, now: datetime) -> None:
        """Submission checks everything at once (every problem listed), then screens eligibility automatically."""
        self.check_status(Status.DRAFT, "be submitted")
        call.check_accepting(now)
        issues = self.form.issues(call.terms, [document.kind for document in self.documents])
        if issues:
            raise Invalid("The application is not complete", issues)
        form = self.form
        self.status = Status.ELIGIBLE
        self.submitted_at = now
        self._record(
            events.ApplicationSubmittedV1(
                application_id=self.id,
                call_id=self.call_id,
                call_year=self.call_year,
                applicant=form.applicant_part(self.applicant_id),
                institution=form.institution_part(),
                activity=form.activity_part(),
                requested=Money(amount=self.requested, currency=call.terms.currency),
                replication_commitment=bool(form.replication_commitment),
                submitted_at=now,
            )
        )
        reasons = eligibility.check(call.terms, form, history)
        if reasons:
            self._declare_ineligible(reasons, now)
        else:
            self._declare_eligible(now, overridden=False)

    def _declare_eligible(self, now: datetime, *, overridden: bool) -> None:
        self.status = Status.ELIGIBLE
        self.overridden = overridden
        self._record(
            events.ApplicationDeclaredEligibleV1(
                application_id=self.id,
                call_id=self.call_id,
                applicant_id=self.applicant_id,
                overridden=overridden,
                declared_at=now,
            )
        )

    def _declare_ineligible(self, reasons: list[Reason], now: datetime) -> None:
        self.status = Status.INELIGIBLE
        self.reasons = reasons
        self.overridden = False
        self._record(
            events.ApplicationDeclaredIneligibleV1(
                application_id=self.id,
                call_id=self.call_id,
                applicant_id=self.applicant_id,
                reasons=reasons,
                declared_at=now,
            )
        )

    def _check_screening(self, call: Call, doing: str) -> None:
        if call.status is CallStatus.RESULTS_RELEASED:
            raise Conflict("The results of this call are released", code="results_released")
        self.check_status(SCREENABLE, doing)

    def declare_eligible(self, *, call: Call, now: datetime) -> None:
        """A coordinator overrides an automatic ineligibility, or decides after an answer (justified, audited)."""
        self._check_screening(call, "be declared eligible")
        if self.status is Status.ELIGIBLE:
            raise Conflict("The application is already eligible", code="already_eligible")
        overridden = self.status is Status.INELIGIBLE or bool(self.reasons)
        self.reasons = []
        self._declare_eligible(now, overridden=overridden)

    def declare_ineligible(self, *, call: Call, reasons: list[Reason], now: datetime) -> None:
        """A coordinator finds an application ineligible in screening (justified, audited)."""
        self._check_screening(call, "be declared ineligible")
        if self.status is Status.INELIGIBLE:
            raise Conflict("The application is already ineligible", code="already_ineligible")
        self._declare_ineligible(reasons, now)

    def request_information(
        self, *, call: Call, request_id: UUID, question: str, asked_by: str, now: datetime
    ) -> None:
        """A coordinator asks for clarification while screening; the exchange is kept."""
        self._check_screening(call, "be asked for information")
        self.information_requests.append(InformationRequest(request_id, question, asked_by, now))
        self.status = Status.INFORMATION_REQUESTED
        self._record(
            events.InformationRequestedV1(
                application_id=self.id,
                call_id=self.call_id,
                applicant_id=self.applicant_id,
                request_id=request_id,
                question=question,
                requested_at=now,
            )
        )

    def open_request(self) -> InformationRequest:
        for request in reversed(self.information_requests):
            if request.answer is None:
                return request
        raise Conflict("No request for information is waiting for an answer", code="no_open_request")

    def provide_information(self, *, answer: str, now: datetime) -> None:
        """The applicant answers; the application returns to screening."""
        self.check_status(Status.INFORMATION_REQUESTED, "take an answer")
        request = self.open_request()
        request.answer = answer
        request.answered_at = now
        self.status = Status.SCREENING
        self._record(
            events.InformationProvidedV1(
                application_id=self.id,
                call_id=self.call_id,
                applicant_id=self.applicant_id,
                request_id=request.id,
                provided_at=now,
            )
        )

    def withdraw(self, now: datetime) -> None:
        """The applicant can withdraw until a decision (or leave the waitlist)."""
        self.check_status(WITHDRAWABLE, "be withdrawn")
        self.status = Status.WITHDRAWN
        self.withdrawn_at = now
        self.draft = None
        self._record(
            events.ApplicationWithdrawnV1(
                application_id=self.id, call_id=self.call_id, applicant_id=self.applicant_id, withdrawn_at=now
            )
        )

    # ---------------------------------------------------------------- evaluation

    @property
    def requested(self) -> Decimal:
        return self.form.budget.total

    @property
    def country(self) -> str:
        """The applicant's country of residence."""
        return str(self.form.applicant.country_of_residence)

    @property
    def conflicting_countries(self) -> frozenset[str]:
        """Evaluators of these countries may not evaluate the application: the applicant's and their institution's."""
        countries = {self.form.applicant.country_of_residence, self.form.institution.country}
        return frozenset(country for country in countries if country)

    def start_evaluation(self) -> None:
        """Evaluators are assigned to an eligible application (and again to one short of evaluators)."""
        self.check_status(frozenset({Status.ELIGIBLE, Status.UNDER_EVALUATION}), "be assigned")
        self.status = Status.UNDER_EVALUATION

    def finish_evaluation(self) -> None:
        """The call's number of evaluators scored it: it can be ranked."""
        self.check_status(Status.UNDER_EVALUATION, "be scored")
        self.status = Status.EVALUATED

    # ---------------------------------------------------------------- decision

    def set_draft(self, decision: DraftDecision | None) -> None:
        """Decisions are drafted on evaluated applications and stay internal until released."""
        self.check_status(Status.EVALUATED, "take an award decision")
        self.draft = decision

    def award(self, *, amount: Decimal, call: Call, now: datetime, from_waitlist: bool = False) -> None:
        """The call commits the amount first: never past the budget."""
        self.check_status(frozenset({Status.EVALUATED, Status.WAITLISTED}), "be awarded")
        call.commit(amount)
        self.status = Status.AWARDED
        self.amount = amount
        self.awarded_at = now
        self.accept_by = call.accept_by(now)
        self.from_waitlist = from_waitlist
        self.draft = None
        if not from_waitlist:
            self.decided_at = now
        self._record(
            events.GrantAwardedV1(
                application_id=self.id,
                call_id=self.call_id,
                call_year=self.call_year,
                applicant_id=self.applicant_id,
                amount=Money(amount=amount, currency=call.terms.currency),
                accept_by=self.accept_by,
                from_waitlist=from_waitlist,
                awarded_at=now,
            )
        )

    def put_on_waitlist(self, *, position: int, now: datetime) -> None:
        self.check_status(Status.EVALUATED, "be waitlisted")
        self.status = Status.WAITLISTED
        self.waitlist_position = position
        self.decided_at = now
        self.draft = None
        self._record(
            events.ApplicationWaitlistedV1(
                application_id=self.id,
                call_id=self.call_id,
                applicant_id=self.applicant_id,
                position=position,
                waitlisted_at=now,
            )
        )

    def reject(self, now: datetime) -> None:
        self.check_status(Status.EVALUATED, "be rejected")
        self.status = Status.REJECTED
        self.decided_at = now
        self.draft = None
        self._record(
            events.ApplicationRejectedV1(
                application_id=self.id, call_id=self.call_id, applicant_id=self.applicant_id, rejected_at=now
            )
        )

    def reject_from_waitlist(self, now: datetime) -> None:
        """The waitlist closed with the application still on it: the final decision is a rejection."""
        self.check_status(Status.WAITLISTED, "be rejected as the waitlist closes")
        # `decided_at` stays the release of the results, as for a promotion.
        self.status = Status.REJECTED
        self.rejected_as_waitlist_closed = True
        self._record(
            events.ApplicationRejectedV1(
                application_id=self.id,
                call_id=self.call_id,
                applicant_id=self.applicant_id,
                rejected_at=now,
                reason=RejectionReason.WAITLIST_CLOSED,
            )
        )

    # ---------------------------------------------------------------- the grant

    def accept(self, *, call: Call, now: datetime) -> None:
        """The grantee accepts by the deadline and learns when their report is due."""
        self.check_status(Status.AWARDED, "be accepted")
        assert self.accept_by is not None
        assert self.amount is not None
        if now > self.accept_by:
            raise Conflict(
                f"The award had to be accepted by {call.terms.local(self.accept_by)}",
                code="acceptance_lapsed",
            )
        ends_on = self.form.activity.ends_on
        assert ends_on is not None
        self.status = Status.ACCEPTED
        self.answered_at = now
        self.report_due_on = ends_on + timedelta(days=call.terms.report_due_days)
        self._record(
            events.GrantAcceptedV1(
                application_id=self.id,
                call_id=self.call_id,
                call_year=self.call_year,
                applicant_id=self.applicant_id,
                amount=Money(amount=self.amount, currency=call.terms.currency),
                report_due_on=self.report_due_on,
                accepted_at=now,
            )
        )

    def decline(self, *, call: Call, now: datetime, lapsed: bool = False) -> Decimal:
        """The grantee declines (or lets the deadline pass): the amount goes back to the call's budget."""
        self.check_status(Status.AWARDED, "be declined")
        assert self.amount is not None
        if lapsed and self.accept_by is not None and now <= self.accept_by:
            raise Conflict("The acceptance window is still open", code="acceptance_open")
        call.free(self.amount)
        self.status = Status.DECLINED
        self.answered_at = now
        self._record(
            events.GrantDeclinedV1(
                application_id=self.id,
                call_id=self.call_id,
                applicant_id=self.applicant_id,
                amount=Money(amount=self.amount, currency=call.terms.currency),
                declined_at=now,
                lapsed=lapsed,
            )
        )
        return self.amount

    def submit_report(self, *, call: Call, report: Report, now: datetime) -> None:
        """After the activity, the grantee reports attendance, learning and the replication they held."""
        self.check_status(Status.ACCEPTED, "take a report")
        activity = self.form.activity
        assert activity.starts_on is not None
        assert activity.ends_on is not None
        today = call.terms.today(now)
        if today < activity.ends_on:
            raise Conflict(
                f"The report is due after the activity ends on {activity.ends_on.isoformat()}",
                code="too_early",
            )
        issues: list[Issue] = []
        for index, replication in enumerate(report.replications):
            if replication.held_on < activity.starts_on:
                issues.append(Issue(f"replications.{index}.held_on", "is before the activity started"))
            if replication.held_on > today:
                issues.append(Issue(f"replications.{index}.held_on", "is in the future"))
            if replication.colleagues_trained > 0 and not replication.institutions:
                issues.append(
                    Issue(
                        f"replications.{index}.institutions", "name the institutions the colleagues came from"
                    )
                )
        if issues:
            raise Invalid("The report is not valid", issues)
        self.status = Status.REPORTED
        self.report = report
        self.reported_at = now
        self._record(
            events.GrantReportSubmittedV1(
                application_id=self.id,
                call_id=self.call_id,
                call_year=self.call_year,
                applicant_id=self.applicant_id,
                attended=report.attended,
                learned=report.learned,
                replications=[
                    ReplicationActivity(
                        held_on=replication.held_on,
                        colleagues_trained=replication.colleagues_trained,
                        institutions=[Institution(**i.model_dump()) for i in replication.institutions],
                    )
                    for replication in report.replications
                ],
                submitted_at=now,
            )
        )
