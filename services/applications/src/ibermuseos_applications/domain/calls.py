"""A Training Grants call: its terms, its life from draft to released results, its budget and panel."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Self
from uuid import UUID
from zoneinfo import ZoneInfo

from ibermuseos_contracts.applications import ActivityKind, CallClosedV1, CallOpenedV1
from ibermuseos_contracts.types import CountryCode, CurrencyCode, Money
from ibermuseos_kernel.errors import Conflict, Invalid, Issue
from ibermuseos_kernel.events import RecordsEvents
from ibermuseos_kernel.fields import Day, Instant, LocalizedText, LocalizedTitle, Strict, TimeZoneName
from ibermuseos_kernel.zones import is_zone, zone
from pydantic import ConfigDict, Field, StringConstraints

from .values import DocumentKind, PositiveAmount, money

CriterionId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class Criterion(Strict):
    """One scoring criterion; its weight counts in the weighted average of an evaluator's scores."""

    model_config = ConfigDict(frozen=True)

    id: CriterionId
    name: LocalizedTitle
    weight: Annotated[Decimal, Field(gt=0, le=100, max_digits=6, decimal_places=2)]


class CallTerms(Strict):
    """Everything a coordinator sets when drafting a call; frozen once the call is published."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "year": 2027,
                    "title": {
                        "es": "Becas de formación 2027",
                        "pt": "Bolsas de formação 2027",
                        "en": "Training grants 2027",
                    },
                    "rules": {
                        "es": "Bases de la convocatoria",
                        "pt": "Regras da convocatória",
                        "en": "Rules of the call",
                    },
                    "opens_at": "2027-02-01T00:00:00-06:00",
                    "closes_at": "2027-03-31T23:59:00-06:00",
                    "timezone": "America/Mexico_City",
                    "currency": "USD",
                    "budget": "50000.00",
                    "max_per_grant": "2000.00",
                    "eligible_residence_countries": ["AR", "BR", "CL", "MX", "PE"],
                    "eligible_host_countries": ["AR", "BR", "CL", "ES", "MX", "PE", "PT"],
                    "eligible_activity_kinds": ["course", "seminar", "workshop"],
                    "activities_from": "2027-04-01",
                    "activities_until": "2027-12-31",
                    "criteria": [
                        {
                            "id": "relevance",
                            "name": {"es": "Pertinencia", "pt": "Pertinência", "en": "Relevance"},
                            "weight": "3",
                        },
                        {
                            "id": "impact",
                            "name": {"es": "Impacto", "pt": "Impacto", "en": "Impact"},
                            "weight": "2",
                        },
                    ],
                    "evaluators_per_application": 2,
                    "scoring_deadline": "2027-04-30T23:59:00-06:00",
                }
            ]
        },
    )

    year: Annotated[int, Field(ge=2000, le=2100)]
    title: LocalizedTitle
    rules: LocalizedText
    opens_at: Instant
    closes_at: Instant
    timezone: TimeZoneName = Field(
        description="IANA time zone in which the call's dates are announced, e.g. America/Mexico_City"
    )
    currency: CurrencyCode
    budget: PositiveAmount
    max_per_grant: PositiveAmount
    eligible_residence_countries: Annotated[list[CountryCode], Field(min_length=1, max_length=60)]
    eligible_host_countries: Annotated[list[CountryCode], Field(min_length=1, max_length=60)]
    eligible_activity_kinds: Annotated[list[ActivityKind], Field(min_length=1, max_length=10)]
    activities_from: Day = Field(description="The funded activity must start on or after this day")
    activities_until: Day = Field(description="The funded activity must end on or before this day")
    requires_mobility: bool = Field(
        default=True,
        description="The activity must be held in person (or hybrid) in a country other than the applicant's",
    )
    requires_replication_commitment: bool = True
    not_awarded_in_last_calls: Annotated[int, Field(ge=0, le=10)] = Field(
        default=0, description="Ineligible if awarded a grant in any of the last N calls (0: no such rule)"
    )
    required_documents: Annotated[list[DocumentKind], Field(max_length=5)] = Field(default_factory=list)
    criteria: Annotated[list[Criterion], Field(min_length=1, max_length=10)]
    evaluators_per_application: Annotated[int, Field(ge=1, le=5)] = 2
    score_scale: Annotated[int, Field(ge=1, le=100)] = Field(
        default=10, description="Each criterion is scored from 0 to this"
    )
    acceptance_days: Annotated[int, Field(ge=1, le=90)] = Field(
        default=14, description="Days a grantee has to accept an award"
    )
    report_due_days: Annotated[int, Field(ge=1, le=365)] = Field(
        default=60, description="Days after the activity ends by which the grantee reports"
    )
    scoring_deadline: Instant | None = Field(
        default=None,
        description="Evaluators score their assignments by this moment; they are reminded the day before",
    )
    waitlist_closes_at: Instant | None = Field(
        default=None,
        description="Whoever is still on the waitlist at this moment is rejected and nobody is promoted afterwards "
        "(optional: without it the waitlist lasts until a coordinator closes it)",
    )

    def issues(self) -> list[Issue]:
        """Rules that tie fields together; each broken one is listed."""
        issues: list[Issue] = []
        if self.closes_at <= self.opens_at:
            issues.append(Issue("closes_at", "the call must close after it opens"))
        if self.scoring_deadline is not None and self.scoring_deadline <= self.closes_at:
            issues.append(Issue("scoring_deadline", "evaluators can only score after the call closes"))
        if self.waitlist_closes_at is not None:
            issues += self._waitlist_issues(self.waitlist_closes_at)
        if self.max_per_grant > self.budget:
            issues.append(Issue("max_per_grant", "the maximum per grant cannot exceed the budget"))
        if self.activities_until < self.activities_from:
            issues.append(Issue("activities_until", "the activity window ends before it starts"))
        for name in ("eligible_residence_countries", "eligible_host_countries", "eligible_activity_kinds"):
            values = getattr(self, name)
            if len(set(values)) != len(values):
                issues.append(Issue(name, "lists a value twice"))
        ids = [criterion.id for criterion in self.criteria]
        if len(set(ids)) != len(ids):
            issues.append(Issue("criteria", "two criteria have the same id"))
        if len(set(self.required_documents)) != len(self.required_documents):
            issues.append(Issue("required_documents", "lists a kind twice"))
        return issues

    def _waitlist_issues(self, waitlist_closes_at: datetime) -> list[Issue]:
        """The waitlist can only close after the results could be released: after the call closes and, when the
        call has one, after the scoring deadline."""
        issues = []
        if waitlist_closes_at <= self.closes_at:
            issues.append(Issue("waitlist_closes_at", "the waitlist can only close after the call closes"))
        if self.scoring_deadline is not None and waitlist_closes_at <= self.scoring_deadline:
            issues.append(
                Issue("waitlist_closes_at", "the waitlist can only close after the scoring deadline")
            )
        return issues

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.timezone)

    def local(self, moment: datetime) -> str:
        """A moment as announced in the call's time zone, e.g. 2027-03-31 23:59 (America/Mexico_City)."""
        return f"{moment.astimezone(self.zone):%Y-%m-%d %H:%M} ({self.timezone})"

    def today(self, now: datetime) -> date:
        """The calendar day it is in the call's time zone."""
        return now.astimezone(self.zone).date()

    def criterion_order(self) -> list[Criterion]:
        """Criteria by weight, heaviest first; equal weights keep the order the call lists them in."""
        return sorted(self.criteria, key=lambda criterion: -criterion.weight)


class CallStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    """Published: accepts applications from `opens_at` until `closes_at`."""
    CLOSED = "closed"
    RESULTS_RELEASED = "results_released"


_EVALUATOR_ID = re.compile(r"^[^\s\x00-\x1f\x7f-\x9f]{1,255}$")
"""A token subject: one word, no control character."""


@dataclass(frozen=True, slots=True)
class PanelMember:
    """An evaluator of the technical panel and the country they belong to (for conflicts of interest).

    Their name, e-mail and language, when the coordinator gives them, are how they are told of their assignments.
    """

    evaluator_id: str
    country: str
    name: str | None = None
    email: str | None = None
    preferred_language: str | None = None
    timezone: str | None = None
    """Their IANA time zone, so that their messages tell dates and keep quiet hours in it."""


@dataclass
class Call(RecordsEvents):
    """A grant call. It owns its budget: every award commits an amount, every decline frees it."""

    id: UUID
    terms: CallTerms
    status: CallStatus
    created_at: datetime
    created_by: str
    panel: list[PanelMember] = field(default_factory=list)
    committed: Decimal = Decimal(0)
    """The amount of the grants awarded and not declined: never more than the budget."""
    max_awards_per_country: int | None = None
    """Set with the award proposal; promotions from the waitlist respect it too."""
    published_at: datetime | None = None
    closed_at: datetime | None = None
    results_released_at: datetime | None = None
    waitlist_closed_at: datetime | None = None
    """When the waitlist closed (at its term or by a coordinator): nobody is promoted afterwards."""
    version: int = 0

    @classmethod
    def draft(cls, *, id: UUID, terms: CallTerms, created_by: str, now: datetime) -> Self:
        """A coordinator drafts a call; its terms must hold together."""
        if issues := terms.issues():
            raise Invalid("The call's terms do not hold together", issues)
        return cls(id=id, terms=terms, status=CallStatus.DRAFT, created_at=now, created_by=created_by)

    def revise(self, terms: CallTerms) -> None:
        """A draft's terms can change until the call is published; afterwards applicants rely on them."""
        if self.status is not CallStatus.DRAFT:
            raise Conflict("A published call's terms cannot change", code="call_published")
        if issues := terms.issues():
            raise Invalid("The call's terms do not hold together", issues)
        self.terms = terms

    def publish(self, now: datetime) -> None:
        """Publishing opens the call to applications between its opening and closing times."""
        if self.status is not CallStatus.DRAFT:
            raise Conflict("The call is already published", code="call_published")
        if self.terms.closes_at <= now:
            raise Invalid(
                "A call cannot be published after its deadline",
                [Issue("closes_at", f"{self.terms.local(self.terms.closes_at)} has passed")],
            )
        self.status = CallStatus.OPEN
        self.published_at = now
        terms = self.terms
        self._record(
            CallOpenedV1(
                call_id=self.id,
                year=terms.year,
                title=terms.title,
                rules=terms.rules,
                opens_at=terms.opens_at,
                closes_at=terms.closes_at,
                timezone=terms.timezone,
                budget=Money(amount=terms.budget, currency=terms.currency),
                max_per_grant=Money(amount=terms.max_per_grant, currency=terms.currency),
                eligible_residence_countries=terms.eligible_residence_countries,
                eligible_host_countries=terms.eligible_host_countries,
                eligible_activity_kinds=terms.eligible_activity_kinds,
            )
        )

    # ------------------------------------------------------------------ the deadline

    def check_accepting(self, now: datetime) -> None:
        """Applications are accepted only while the call is open; the clock decides, not the closing job."""
        terms = self.terms
        if self.status is CallStatus.DRAFT:
            raise Conflict("The call is not published", code="call_not_published")
        if self.status is not CallStatus.OPEN or now >= terms.closes_at:
            raise Conflict(
                f"The call closed on {terms.local(self.closed_at or terms.closes_at)}; "
                "applications are no longer accepted",
                code="call_closed",
            )
        if now < terms.opens_at:
            raise Conflict(f"The call opens on {terms.local(terms.opens_at)}", code="call_not_open_yet")

    def check_drafting(self, now: datetime) -> None:
        """Applicants may prepare a draft once the call is published and until it closes."""
        if self.status is CallStatus.DRAFT:
            raise Conflict("The call is not published", code="call_not_published")
        if self.status is not CallStatus.OPEN or now >= self.terms.closes_at:
            raise Conflict(
                f"The call closed on {self.terms.local(self.closed_at or self.terms.closes_at)}",
                code="call_closed",
            )

    def is_due_to_close(self, now: datetime) -> bool:
        return self.status is CallStatus.OPEN and now >= self.terms.closes_at

    def close(self, *, now: datetime, applications_submitted: int, early: bool = False) -> None:
        """The call closes at its deadline (or earlier, by a coordinator's justified decision)."""
        if self.status is not CallStatus.OPEN:
            raise Conflict("The call is not open", code="call_not_open")
        if not early and now < self.terms.closes_at:
            raise Conflict("The call's deadline has not passed", code="deadline_not_passed")
        self.status = CallStatus.CLOSED
        self.closed_at = now if early else self.terms.closes_at
        self._record(
            CallClosedV1(
                call_id=self.id,
                year=self.terms.year,
                closed_at=self.closed_at,
                applications_submitted=applications_submitted,
            )
        )

    # ------------------------------------------------------------------ the panel

    def register_panel(self, members: list[PanelMember], *, evaluation_started: bool) -> None:
        """The coordinator names the technical panel; it is fixed once evaluators have assignments."""
        if self.status is CallStatus.RESULTS_RELEASED or evaluation_started:
            raise Conflict("Evaluators already have assignments in this call", code="evaluation_started")
        issues = [
            Issue(f"evaluators.{index}.evaluator_id", "is not a valid subject")
            for index, member in enumerate(members)
            if not _EVALUATOR_ID.match(member.evaluator_id)
        ]
        issues += [
            Issue(f"evaluators.{index}.timezone", f"'{member.timezone}' is not an IANA time zone")
            for index, member in enumerate(members)
            if member.timezone is not None and not is_zone(member.timezone)
        ]
        ids = [member.evaluator_id for member in members]
        if len(set(ids)) != len(ids):
            issues.append(Issue("evaluators", "lists an evaluator twice"))
        if len(members) < self.terms.evaluators_per_application:
            issues.append(
                Issue(
                    "evaluators",
                    f"the call needs {self.terms.evaluators_per_application} evaluators per application",
                )
            )
        if issues:
            raise Invalid("The panel is not valid", issues)
        self.panel = list(members)

    def add_panel_member(self, member: PanelMember) -> None:
        """The panel may grow while evaluation is under way (to replace evaluators who declined); nobody leaves it."""
        if self.status is CallStatus.RESULTS_RELEASED:
            raise Conflict("The results of this call are released", code="results_released")
        issues = []
        if not _EVALUATOR_ID.match(member.evaluator_id):
            issues.append(Issue("evaluator_id", "is not a valid subject"))
        if any(known.evaluator_id == member.evaluator_id for known in self.panel):
            issues.append(Issue("evaluator_id", "is already on the panel"))
        if member.timezone is not None and not is_zone(member.timezone):
            issues.append(Issue("timezone", f"'{member.timezone}' is not an IANA time zone"))
        if issues:
            raise Invalid("The evaluator cannot join the panel", issues)
        self.panel.append(member)

    def panel_member(self, evaluator_id: str) -> PanelMember | None:
        return next((member for member in self.panel if member.evaluator_id == evaluator_id), None)

    def check_evaluation_may_start(self) -> None:
        """Assignments are made once the call has closed, over the whole set of applications."""
        if self.status is CallStatus.DRAFT or self.status is CallStatus.OPEN:
            raise Conflict("Evaluation starts once the call has closed", code="call_not_closed")
        if self.status is CallStatus.RESULTS_RELEASED:
            raise Conflict("The results of this call are released", code="results_released")

    def check_deciding(self) -> None:
        """Award decisions are drafted after the call closed and before the results are released."""
        if self.status is CallStatus.DRAFT or self.status is CallStatus.OPEN:
            raise Conflict("Awards are decided once the call has closed", code="call_not_closed")
        if self.status is CallStatus.RESULTS_RELEASED:
            raise Conflict("The results of this call are already released", code="results_released")

    # ------------------------------------------------------------------ the budget

    @property
    def remaining(self) -> Decimal:
        return self.terms.budget - self.committed

    def commit(self, amount: Decimal) -> None:
        """Never award past the budget."""
        if amount > self.remaining:
            raise Conflict(
                f"An award of {money(amount)} {self.terms.currency} exceeds the remaining budget of "
                f"{money(self.remaining)} {self.terms.currency}",
                code="budget_exceeded",
            )
        self.committed += amount

    def free(self, amount: Decimal) -> None:
        """A declined grant gives its amount back to the budget."""
        self.committed = max(Decimal(0), self.committed - amount)

    def set_award_policy(self, max_awards_per_country: int | None) -> None:
        """The maximum of awards per country the proposal used; promotions from the waitlist keep to it."""
        self.check_deciding()
        self.max_awards_per_country = max_awards_per_country

    def release_results(self, now: datetime) -> None:
        """The drafted decisions become public at once; afterwards only the waitlist moves."""
        self.check_deciding()
        self.status = CallStatus.RESULTS_RELEASED
        self.results_released_at = now

    # ------------------------------------------------------------------ the waitlist

    @property
    def waitlist_open(self) -> bool:
        """Promotions happen only while the waitlist is open: once it closes, freed budget stays unspent."""
        return self.waitlist_closed_at is None

    def is_waitlist_due_to_close(self, now: datetime) -> bool:
        closes_at = self.terms.waitlist_closes_at
        return (
            self.status is CallStatus.RESULTS_RELEASED
            and self.waitlist_open
            and closes_at is not None
            and now >= closes_at
        )

    def close_waitlist(self, now: datetime, *, early: bool = False) -> None:
        """The waitlist closes at its term (the periodic job) or earlier by a coordinator's justified decision,
        once the results are released, and only once."""
        if self.status is not CallStatus.RESULTS_RELEASED:
            raise Conflict("The waitlist exists once the results are released", code="results_not_released")
        if not self.waitlist_open:
            raise Conflict("The waitlist of this call is already closed", code="waitlist_closed")
        closes_at = self.terms.waitlist_closes_at
        if not early and (closes_at is None or now < closes_at):
            raise Conflict("The waitlist's term has not passed", code="waitlist_term_not_passed")
        self.waitlist_closed_at = now

    def accept_by(self, awarded_at: datetime) -> datetime:
        return awarded_at + timedelta(days=self.terms.acceptance_days)
