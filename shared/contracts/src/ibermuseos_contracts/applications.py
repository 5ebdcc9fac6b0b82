"""Events of the applications service: the Training Grants calls and applications.

Topics: `applications.call.v1` (key: call_id) and `applications.application.v1` (key:
application_id). Every application event names the applicant by `applicant_id`; their
contact details travel once, in ApplicationSubmitted, on the private topic only.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from .base import Event
from .common import Gender, Institution, Modality, Name, Part
from .topics import Topic
from .types import (
    PERSONAL,
    CountryCode,
    LanguageTag,
    Localized,
    Money,
    OptionalPersonId,
    PersonalEmail,
    PersonalText,
    PersonId,
)

CALL = Topic("applications", "call")
APPLICATION = Topic("applications", "application")


class ActivityKind(StrEnum):
    COURSE = "course"
    SEMINAR = "seminar"
    WORKSHOP = "workshop"
    CONGRESS = "congress"
    OTHER = "other"


class Applicant(Part):
    """The person applying. Name, e-mail and language travel only on the private topic."""

    person_id: PersonId
    name: Annotated[PersonalText, StringConstraints(min_length=1, max_length=300)]
    email: PersonalEmail
    preferred_language: Annotated[LanguageTag, PERSONAL]
    gender: Gender | None = None
    role: Name
    country_of_residence: CountryCode


class Activity(Part):
    """The training activity the grant would fund the applicant to attend."""

    title: Name
    organiser: Name
    kind: ActivityKind
    host_country: CountryCode
    host_city: Name
    starts_on: date
    ends_on: date
    modality: Modality


class Reason(Part):
    """Why an application is ineligible: a stable code and its explanation in the three languages."""

    code: Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")]
    explanation: Localized


class DeclineGround(StrEnum):
    """Why an evaluator gives an assignment back."""

    CONFLICT_OF_INTEREST = "conflict_of_interest"
    """A conflict of interest beyond the country rule (they know the applicant, their institution ...)."""
    UNAVAILABLE = "unavailable"


class RejectionReason(StrEnum):
    """Why an application was rejected after the results were released (absent: not selected at the release)."""

    WAITLIST_CLOSED = "waitlist_closed"
    """It was still on the waitlist when the call's waitlist closed: no grant came free for it in time."""


class ReplicationActivity(Part):
    """A train-the-trainer activity a grantee held at home after the grant."""

    held_on: date
    colleagues_trained: Annotated[int, Field(ge=0)]
    institutions: list[Institution]
    """The institutions the trained colleagues came from (the grantee's own may be among them)."""


# ----------------------------------------------------------------------------- calls


class CallOpenedV1(Event, topic=CALL, subject="call_id"):
    """A coordinator published a grant call: it accepts applications from `opens_at` to `closes_at`."""

    call_id: UUID
    year: int
    title: Localized
    rules: Localized
    opens_at: datetime
    closes_at: datetime
    timezone: str
    budget: Money
    max_per_grant: Money
    eligible_residence_countries: list[CountryCode]
    eligible_host_countries: list[CountryCode]
    eligible_activity_kinds: list[ActivityKind]


class CallClosedV1(Event, topic=CALL, subject="call_id"):
    """A call reached its deadline; no application is accepted after this."""

    call_id: UUID
    year: int
    closed_at: datetime
    applications_submitted: int


# ----------------------------------------------------------------------- applications


class ApplicationSubmittedV1(Event, topic=APPLICATION, subject="application_id"):
    """An applicant submitted their application to a grant call."""

    application_id: UUID
    call_id: UUID
    call_year: int
    applicant: Applicant
    institution: Institution
    activity: Activity
    requested: Money
    replication_commitment: bool
    submitted_at: datetime


class ApplicationWithdrawnV1(Event, topic=APPLICATION, subject="application_id"):
    """The applicant withdrew their application before a decision."""

    application_id: UUID
    call_id: UUID
    applicant_id: PersonId
    withdrawn_at: datetime


class ApplicationDeclaredIneligibleV1(Event, topic=APPLICATION, subject="application_id"):
    """The application breaks the call's eligibility rules; every reason is listed."""

    application_id: UUID
    call_id: UUID
    applicant_id: PersonId
    reasons: list[Reason]
    declared_at: datetime


class ApplicationDeclaredEligibleV1(Event, topic=APPLICATION, subject="application_id"):
    """The application passed screening, automatically or by a coordinator's justified override."""

    application_id: UUID
    call_id: UUID
    applicant_id: PersonId
    overridden: bool = False
    declared_at: datetime


class InformationRequestedV1(Event, topic=APPLICATION, subject="application_id"):
    """A coordinator asked the applicant for clarification; the application waits for their answer."""

    application_id: UUID
    call_id: UUID
    applicant_id: PersonId
    request_id: UUID
    question: Annotated[str, StringConstraints(max_length=5_000), PERSONAL]
    requested_at: datetime


class InformationProvidedV1(Event, topic=APPLICATION, subject="application_id"):
    """The applicant answered a request for information; the application returns to screening."""

    application_id: UUID
    call_id: UUID
    applicant_id: PersonId
    request_id: UUID
    provided_at: datetime


class ApplicationScoredV1(Event, topic=APPLICATION, subject="application_id"):
    """An evaluator of the technical panel scored the application on every criterion."""

    application_id: UUID
    call_id: UUID
    evaluator_id: PersonId
    scores: dict[str, Annotated[float, Field(ge=0)]]
    """Criterion id → score."""
    weighted_score: float
    scored_at: datetime


class EvaluationAssignedV1(Event, topic=APPLICATION, subject="application_id"):
    """An evaluator of the technical panel was given the application to score (in an assignment round,
    or replacing an evaluator who declined or was replaced). Their contact travels on the private topic only."""

    application_id: UUID
    call_id: UUID
    call_year: int
    evaluator_id: PersonId
    evaluator_name: Annotated[str | None, StringConstraints(max_length=300), PERSONAL] = None
    evaluator_email: Annotated[
        str | None, StringConstraints(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$"), PERSONAL
    ] = None
    evaluator_language: Annotated[LanguageTag | None, PERSONAL] = None
    evaluator_timezone: Annotated[str | None, StringConstraints(max_length=64), PERSONAL] = None
    """The evaluator's IANA time zone, when the coordinator registered it: dates are told and quiet hours kept in it."""
    round_id: UUID
    """The assignment round: every application an evaluator received at once shares it."""
    round_assignments: Annotated[int, Field(ge=1)]
    """How many applications this evaluator received in this round (so that they can be told in one message)."""
    replaces: OptionalPersonId = None
    """The evaluator this one replaces, when the assignment is a replacement."""
    score_by: datetime | None = None
    """The call's scoring deadline, when it has one."""
    assigned_at: datetime


class EvaluationDeclinedV1(Event, topic=APPLICATION, subject="application_id"):
    """An evaluator gave an assignment back before scoring it; their explanation stays on the private topic."""

    application_id: UUID
    call_id: UUID
    evaluator_id: PersonId
    ground: DeclineGround
    reason: Annotated[str, StringConstraints(max_length=2_000), PERSONAL]
    declined_at: datetime


class EvaluationReassignedV1(Event, topic=APPLICATION, subject="application_id"):
    """A coordinator took an unscored assignment from an evaluator (audited); the justification stays private."""

    application_id: UUID
    call_id: UUID
    evaluator_id: PersonId
    justification: Annotated[str, StringConstraints(max_length=2_000), PERSONAL]
    reassigned_by: PersonId
    reassigned_at: datetime


class GrantAwardedV1(Event, topic=APPLICATION, subject="application_id"):
    """The coordinator released the results and this application was awarded a grant."""

    application_id: UUID
    call_id: UUID
    call_year: int
    applicant_id: PersonId
    amount: Money
    accept_by: datetime
    from_waitlist: bool = False
    awarded_at: datetime


class ApplicationRejectedV1(Event, topic=APPLICATION, subject="application_id"):
    """The results were released and this application was not awarded nor waitlisted, or it was still on the
    waitlist when the waitlist closed (`reason: waitlist_closed`): either way a final decision."""

    application_id: UUID
    call_id: UUID
    applicant_id: PersonId
    rejected_at: datetime
    reason: RejectionReason | None = None
    """Absent when the application was not selected at the release of the results."""


class ApplicationWaitlistedV1(Event, topic=APPLICATION, subject="application_id"):
    """The results were released and this application waits for a grant to be freed."""

    application_id: UUID
    call_id: UUID
    applicant_id: PersonId
    position: Annotated[int, Field(ge=1)]
    waitlisted_at: datetime


class GrantAcceptedV1(Event, topic=APPLICATION, subject="application_id"):
    """The grantee accepted the grant; they report back by `report_due_on`."""

    application_id: UUID
    call_id: UUID
    call_year: int
    applicant_id: PersonId
    amount: Money
    report_due_on: date
    accepted_at: datetime


class GrantDeclinedV1(Event, topic=APPLICATION, subject="application_id"):
    """The grantee declined (or let the acceptance deadline pass); the amount is freed."""

    application_id: UUID
    call_id: UUID
    applicant_id: PersonId
    amount: Money
    declined_at: datetime
    lapsed: bool = False
    """True when the grantee did not answer by `accept_by` and the grant lapsed."""


class GrantReportSubmittedV1(Event, topic=APPLICATION, subject="application_id"):
    """The grantee reported back: attendance, what they learned, and the replication they held."""

    application_id: UUID
    call_id: UUID
    call_year: int
    applicant_id: PersonId
    attended: bool
    learned: Annotated[str, StringConstraints(max_length=10_000), PERSONAL]
    replications: list[ReplicationActivity]
    submitted_at: datetime
