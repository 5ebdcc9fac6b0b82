"""Events of the courses service: offerings, runs, enrolments, attendance and certificates.

Topics: `courses.offering.v1` (key: offering_id), `courses.run.v1` (key: run_id),
`courses.enrolment.v1` (key: enrolment_id) and `courses.certificate.v1` (key:
certificate_id). A participant's contact details travel in ParticipantEnrolled and
ParticipantWaitlisted on the private topic only; later events name them by `person_id`.
Events that reporting counts carry what it needs (the participant's public profile, the
offering's kind and subject area) so that it never has to join across topics.
"""

from datetime import date, datetime
from decimal import Decimal
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
    OptionalPersonId,
    PersonalEmail,
    PersonalText,
    PersonId,
)

OFFERING = Topic("courses", "offering")
RUN = Topic("courses", "run")
ENROLMENT = Topic("courses", "enrolment")
CERTIFICATE = Topic("courses", "certificate")

Hours = Annotated[Decimal, Field(ge=0, max_digits=6, decimal_places=1)]


class OfferingKind(StrEnum):
    TRAINING_COURSE = "training_course"
    MINI_COURSE = "mini_course"
    CONVERSATORIO = "conversatorio"


class Outcome(StrEnum):
    COMPLETED = "completed"
    """Met the offering's completion rule (for a conversatorio: attended)."""
    NOT_COMPLETED = "not_completed"


class Participant(Part):
    """The person enrolling. Name, e-mail, language and time zone travel only on the private topic."""

    person_id: PersonId
    name: Annotated[PersonalText, StringConstraints(min_length=1, max_length=300)]
    email: PersonalEmail
    preferred_language: Annotated[LanguageTag, PERSONAL]
    timezone: Annotated[str, StringConstraints(max_length=64), PERSONAL] = "UTC"
    """IANA time zone the participant lives in, for reminders and calendar entries."""
    gender: Gender | None = None
    country: CountryCode
    institution: Institution


class ParticipantProfile(Part):
    """What reporting may know of a participant: pseudonymous on the public topic."""

    person_id: PersonId
    gender: Gender | None = None
    country: CountryCode
    institution: Institution


class Session(Part):
    """One meeting of a run."""

    session_id: UUID
    starts_at: datetime
    ends_at: datetime


class Venue(Part):
    name: Name
    city: Name
    country: CountryCode


# ------------------------------------------------------------------------- offerings


class CoursePublishedV1(Event, topic=OFFERING, subject="offering_id"):
    """A coordinator published an offering in the catalogue."""

    offering_id: UUID
    kind: OfferingKind
    title: Localized
    description: Localized
    subject_area: Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")]
    """management, research, conservation, communication, mediation, engagement, or one the program adds."""
    hours: Hours
    certificate: bool
    """Whether completing it earns a certificate (optional for conversatorios)."""
    published_at: datetime


# ------------------------------------------------------------------------------ runs


class CourseRunScheduledV1(Event, topic=RUN, subject="run_id"):
    """A run of an offering was scheduled: its sessions, modality, language, seats and window."""

    run_id: UUID
    offering_id: UUID
    kind: OfferingKind
    title: Localized
    subject_area: str
    hours: Hours
    sessions: list[Session]
    timezone: str
    modality: Modality
    venue: Venue | None = None
    language: LanguageTag
    capacity: Annotated[int, Field(ge=1)]
    enrolment_opens_at: datetime
    enrolment_closes_at: datetime
    eligible_countries: list[CountryCode]
    """Empty: every country."""
    quota_per_country: Annotated[int, Field(ge=1)] | None = None
    scheduled_at: datetime


class CourseRunCancelledV1(Event, topic=RUN, subject="run_id"):
    """A coordinator cancelled a run before it ended: nobody can enrol, attend or complete it any more.

    Each enrolment it ended has its own EnrolmentCancelled (`run_cancelled`) on `courses.enrolment.v1`,
    in order with that person's other events."""

    run_id: UUID
    offering_id: UUID
    kind: OfferingKind
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2_000), PERSONAL]
    """The coordinator's words to the participants (free text: it may name someone, so it stays private)."""
    enrolments_cancelled: Annotated[int, Field(ge=0)]
    """Seats the cancellation took back."""
    waitlist_cancelled: Annotated[int, Field(ge=0)]
    """Places on the waitlist the cancellation ended."""
    cancelled_at: datetime
    cancelled_by: OptionalPersonId = None
    """The coordinator who cancelled it (their token's subject); None in events from before this field."""


class CourseRunRescheduledV1(Event, topic=RUN, subject="run_id"):
    """A run's sessions moved (same sessions, same ids, new times), and perhaps its enrolment's closing."""

    run_id: UUID
    offering_id: UUID
    kind: OfferingKind
    sessions: list[Session]
    """Every session of the run with its new times, in order."""
    timezone: str
    enrolment_opens_at: datetime
    enrolment_closes_at: datetime
    revision: Annotated[int, Field(ge=1)]
    """How many times the run was rescheduled: calendars use it as the events' SEQUENCE."""
    rescheduled_at: datetime


# ------------------------------------------------------------------------ enrolments


class ParticipantEnrolledV1(Event, topic=ENROLMENT, subject="enrolment_id"):
    """A participant has a seat in a run (directly, or promoted from the waitlist)."""

    enrolment_id: UUID
    run_id: UUID
    offering_id: UUID
    kind: OfferingKind
    participant: Participant
    from_waitlist: bool = False
    enrolled_at: datetime


class ParticipantWaitlistedV1(Event, topic=ENROLMENT, subject="enrolment_id"):
    """The run was full (or the participant's country quota was): they wait in arrival order."""

    enrolment_id: UUID
    run_id: UUID
    offering_id: UUID
    kind: OfferingKind
    participant: Participant
    position: Annotated[int, Field(ge=1)]
    waitlisted_at: datetime


class CancelledBy(StrEnum):
    PARTICIPANT = "participant"
    COORDINATOR = "coordinator"


class EnrolmentCancelledV1(Event, topic=ENROLMENT, subject="enrolment_id"):
    """An enrolment (or a place on the waitlist) was cancelled; a seat freed goes to the next in line."""

    enrolment_id: UUID
    run_id: UUID
    person_id: PersonId
    was_enrolled: bool
    cancelled_at: datetime
    offering_id: UUID | None = None
    kind: OfferingKind | None = None
    run_cancelled: bool = False
    """The run itself was cancelled (CourseRunCancelled), which ended this enrolment."""
    reason: Annotated[str | None, StringConstraints(min_length=1, max_length=2_000), PERSONAL] = None
    """The coordinator's reason when the run was cancelled."""
    cancelled_by: CancelledBy | None = None
    """Whether the participant cancelled it themselves or a coordinator did (cancelling the run, too);
    None in events from before this field."""


class EnrolmentLapsedV1(Event, topic=ENROLMENT, subject="enrolment_id"):
    """A place on the waitlist lapsed: the run started (or its enrolment closed, whichever came last)
    and no seat was freed for the participant."""

    enrolment_id: UUID
    run_id: UUID
    offering_id: UUID
    kind: OfferingKind
    person_id: PersonId
    lapsed_at: datetime


class AttendanceRecordedV1(Event, topic=ENROLMENT, subject="enrolment_id"):
    """Whether an enrolled participant attended one session, and for how long."""

    enrolment_id: UUID
    run_id: UUID
    session_id: UUID
    person_id: PersonId
    present: bool
    minutes: Annotated[int, Field(ge=0)] | None = None
    source: Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")] = "manual"
    """manual, or the webinar platform whose report was imported."""
    recorded_at: datetime


class CourseCompletedV1(Event, topic=ENROLMENT, subject="enrolment_id"):
    """The run ended and the participant's completion was evaluated by the offering's rule."""

    enrolment_id: UUID
    run_id: UUID
    offering_id: UUID
    kind: OfferingKind
    subject_area: str
    year: int
    participant: ParticipantProfile
    outcome: Outcome
    hours: Hours
    """Hours certified: the offering's hours when completed, else 0."""
    attendance_rate: Annotated[float, Field(ge=0, le=1)]
    grade: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)] | None = None
    evaluated_at: datetime


# ----------------------------------------------------------------------- certificates


def printed_code(code: str) -> str:
    """A verification code as certificates, their page and mails print it: groups of five, the check
    character last (K7QF3-M9TAB-2XQ4R-8HJ1N-W for K7QF3M9TAB2XQ4R8HJ1NW)."""
    body, check = code[:-1], code[-1]
    return "-".join(body[i : i + 5] for i in range(0, len(body), 5)) + "-" + check


class CertificateIssuedV1(Event, topic=CERTIFICATE, subject="certificate_id"):
    """A certificate was issued; its wording is frozen in the three languages at issue."""

    certificate_id: UUID
    enrolment_id: UUID
    run_id: UUID
    offering_id: UUID
    kind: OfferingKind
    person_id: PersonId
    holder_name: Annotated[PersonalText, StringConstraints(min_length=1, max_length=300)]
    verification_code: Annotated[str, StringConstraints(min_length=8, max_length=64), PERSONAL]
    """Whoever has it can see the holder's name: it stays on the private topic. Canonical (no dashes);
    people are shown `printed_code(verification_code)`."""
    title: Localized
    hours: Hours
    completed_on: date
    issued_at: datetime
    verification_url: Annotated[str | None, StringConstraints(max_length=500), PERSONAL] = None
    """The public page that verifies this certificate (it holds the code, so it stays private too)."""


class CertificateRevokedV1(Event, topic=CERTIFICATE, subject="certificate_id"):
    """A coordinator revoked a certificate; verification says revoked from now on."""

    certificate_id: UUID
    person_id: PersonId
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2_000), PERSONAL]
    revoked_at: datetime
