"""What each public event says, as facts about the rows of the read models.

Only public twins of events arrive here: people are pseudonymous ids, no personal field
exists. Each event becomes facts keyed by natural ids; figures are computed from these
rows when asked (see the README for the definition of each figure).
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

from ibermuseos_contracts.applications import (
    ApplicationDeclaredEligibleV1,
    ApplicationDeclaredIneligibleV1,
    ApplicationRejectedV1,
    ApplicationSubmittedV1,
    ApplicationWaitlistedV1,
    ApplicationWithdrawnV1,
    CallClosedV1,
    CallOpenedV1,
    GrantAcceptedV1,
    GrantAwardedV1,
    GrantDeclinedV1,
    GrantReportSubmittedV1,
)
from ibermuseos_contracts.base import Event
from ibermuseos_contracts.courses import (
    CertificateIssuedV1,
    CertificateRevokedV1,
    CourseCompletedV1,
    CoursePublishedV1,
    CourseRunScheduledV1,
    EnrolmentCancelledV1,
    ParticipantEnrolledV1,
    ParticipantWaitlistedV1,
)

from .facts import Column, Fact, FactTable, Greatest, Latest, Least
from .institutions import name_quality, normalise, spelling_key, tie_breaker

# ------------------------------------------------------------------------------ tables

CALLS = FactTable(
    "calls",
    {"call_id": UUID},
    {
        "year": Column(int),
        "title_es": Column(str),
        "title_pt": Column(str),
        "title_en": Column(str),
        "budget": Column(Decimal),
        "currency": Column(str),
        "opens_at": Column(datetime),
        "closes_at": Column(datetime),
        "closed_at": Column(datetime, Greatest()),
        "applications_submitted": Column(int, Greatest()),
    },
)

_ELIGIBILITY = Latest(("eligibility_at",))
_AWARD = Latest(("awarded_at",))
_ACCEPTANCE = Latest(("accepted_at",))
_REPORT = Latest(("report_at",))

APPLICATIONS = FactTable(
    "applications",
    {"application_id": UUID},
    {
        "call_id": Column(UUID),
        "call_year": Column(int),
        "person": Column(str),
        "country": Column(str),
        "gender": Column(str),
        "spelling": Column(str),
        "institution_type": Column(str),
        "activity_kind": Column(str),
        "host_country": Column(str),
        "modality": Column(str),
        "requested_amount": Column(Decimal),
        "requested_currency": Column(str),
        "submitted_at": Column(datetime),
        "withdrawn_at": Column(datetime, Greatest()),
        "eligibility_at": Column(datetime, _ELIGIBILITY),
        "eligible": Column(bool, _ELIGIBILITY),
        "awarded_at": Column(datetime, _AWARD),
        "awarded_amount": Column(Decimal, _AWARD),
        "awarded_currency": Column(str, _AWARD),
        "waitlisted_at": Column(datetime, Greatest()),
        "rejected_at": Column(datetime, Greatest()),
        "accepted_at": Column(datetime, _ACCEPTANCE),
        "accepted_amount": Column(Decimal, _ACCEPTANCE),
        "accepted_currency": Column(str, _ACCEPTANCE),
        "declined_at": Column(datetime, Greatest()),
        "report_at": Column(datetime, _REPORT),
        "report_attended": Column(bool, _REPORT),
    },
    indexes=(("person",), ("call_id",)),
)

_PROFILE = Latest(("profile_at",))
_COMPLETION = Latest(("evaluated_at",))
_CANCELLATION = Latest(("cancelled_at",))

ENROLMENTS = FactTable(
    "enrolments",
    {"enrolment_id": UUID},
    {
        "run_id": Column(UUID),
        "offering_id": Column(UUID),
        "kind": Column(str),
        "person": Column(str),
        "profile_at": Column(datetime, _PROFILE),
        "country": Column(str, _PROFILE),
        "gender": Column(str, _PROFILE),
        "spelling": Column(str, _PROFILE),
        "institution_type": Column(str, _PROFILE),
        "enrolled_at": Column(datetime, Least()),
        "waitlisted_at": Column(datetime, Least()),
        "cancelled_at": Column(datetime, _CANCELLATION),
        "cancelled_was_enrolled": Column(bool, _CANCELLATION),
        "evaluated_at": Column(datetime, _COMPLETION),
        "outcome": Column(str, _COMPLETION),
        "hours": Column(Decimal, _COMPLETION),
        "attendance_rate": Column(Decimal, _COMPLETION),
        "year": Column(int, _COMPLETION),
        "subject_area": Column(str, _COMPLETION),
    },
    indexes=(("person",), ("offering_id",)),
)

_RUN = Latest(("scheduled_at",))

RUNS = FactTable(
    "runs",
    {"run_id": UUID},
    {
        name: Column(kind, _RUN)
        for name, kind in {
            "scheduled_at": datetime,
            "offering_id": UUID,
            "kind": str,
            "subject_area": str,
            "hours": Decimal,
            "modality": str,
            "language": str,
            "capacity": int,
            "starts_at": datetime,
            "host_country": str,
        }.items()
    },
)

_OFFERING = Latest(("published_at",))

OFFERINGS = FactTable(
    "offerings",
    {"offering_id": UUID},
    {
        name: Column(kind, _OFFERING)
        for name, kind in {
            "published_at": datetime,
            "kind": str,
            "title_es": str,
            "title_pt": str,
            "title_en": str,
            "subject_area": str,
            "hours": Decimal,
            "certificate": bool,
        }.items()
    },
)

CERTIFICATES = FactTable(
    "certificates",
    {"certificate_id": UUID},
    {
        "enrolment_id": Column(UUID),
        "offering_id": Column(UUID),
        "run_id": Column(UUID),
        "kind": Column(str),
        "person": Column(str),
        "hours": Column(Decimal),
        "completed_on": Column(date),
        "issued_at": Column(datetime),
        "revoked_at": Column(datetime, Greatest()),
    },
    indexes=(("enrolment_id",),),
)

_SHOWN = Latest(("quality", "rank"))

SPELLINGS = FactTable(
    "spellings",
    {"spelling": str},
    {
        "country": Column(str),
        "city_norm": Column(str),
        "name_norm": Column(str),
        "quality": Column(int, _SHOWN),
        "rank": Column(int, _SHOWN),
        "name": Column(str, _SHOWN),
        "city": Column(str, _SHOWN),
        "type": Column(str, _SHOWN),
    },
)
"""Every institution as written, once per spelling; the best-written form is the one shown."""

REPLICATION_ACTIVITIES = FactTable(
    "replication_activities",
    {"application_id": UUID, "report_at": datetime, "activity_no": int},
    {
        "call_year": Column(int),
        "person": Column(str),
        "held_on": Column(date),
        "colleagues_trained": Column(int),
    },
)

REPLICATION_INSTITUTIONS = FactTable(
    "replication_institutions",
    {"application_id": UUID, "report_at": datetime, "activity_no": int, "institution_no": int},
    {"call_year": Column(int), "spelling": Column(str), "institution_type": Column(str)},
)

TABLES = (
    CALLS,
    APPLICATIONS,
    ENROLMENTS,
    RUNS,
    OFFERINGS,
    CERTIFICATES,
    SPELLINGS,
    REPLICATION_ACTIVITIES,
    REPLICATION_INSTITUTIONS,
)


def version() -> str:
    """A fingerprint of the tables and their policies: a new projection or column means a new version to back-fill."""
    description = [
        [
            table.name,
            {name: kind.__name__ for name, kind in table.key.items()},
            {name: [column.type.__name__, repr(column.policy)] for name, column in table.columns.items()},
            list(table.indexes),
        ]
        for table in TABLES
    ]
    return hashlib.sha256(json.dumps(description, sort_keys=True).encode()).hexdigest()[:12]


# ------------------------------------------------------------------------ projections

PROGRAM_OF_KIND = {
    "training_course": "training_courses",
    "mini_course": "mini_courses",
    "conversatorio": "conversatorios",
}
GRANTS_PROGRAM = "training_grants"
PROGRAMS = (GRANTS_PROGRAM, *PROGRAM_OF_KIND.values())


def _value(enum_or_text: Any) -> Any:
    return getattr(enum_or_text, "value", enum_or_text)


def spelling_fact(institution: Any) -> tuple[str, Fact]:
    """The spelling of an institution as written, and the fact that records it."""
    return _spelling_fact(institution.name, institution.city, institution.country, _value(institution.type))


@lru_cache(maxsize=65_536)
def _spelling_fact(name: str, city: str, country: str, kind: str) -> tuple[str, Fact]:
    # Institutions repeat a lot in a replay: normalising each spelling once saves most of the work.
    institution = _Written(name, city, country)
    key = spelling_key(institution.country, institution.city, institution.name)
    return key, Fact(
        SPELLINGS,
        {
            "spelling": key,
            "country": institution.country,
            "city_norm": normalise(institution.city),
            "name_norm": normalise(institution.name),
            "quality": name_quality(institution.name) + name_quality(institution.city),
            "rank": tie_breaker(institution.name, institution.city, kind),
            "name": institution.name,
            "city": institution.city,
            "type": kind,
        },
    )


@dataclass(frozen=True, slots=True)
class _Written:
    name: str
    city: str
    country: str


def _call_opened(event: Any) -> list[Fact]:
    return [
        Fact(
            CALLS,
            {
                "call_id": event.call_id,
                "year": event.year,
                "title_es": event.title.es,
                "title_pt": event.title.pt,
                "title_en": event.title.en,
                "budget": event.budget.amount,
                "currency": event.budget.currency,
                "opens_at": event.opens_at,
                "closes_at": event.closes_at,
            },
        )
    ]


def _call_closed(event: Any) -> list[Fact]:
    return [
        Fact(
            CALLS,
            {
                "call_id": event.call_id,
                "year": event.year,
                "closed_at": event.closed_at,
                "applications_submitted": event.applications_submitted,
            },
        )
    ]


def _application_submitted(event: Any) -> list[Fact]:
    spelling, spelling_row = spelling_fact(event.institution)
    applicant = event.applicant
    return [
        spelling_row,
        Fact(
            APPLICATIONS,
            {
                "application_id": event.application_id,
                "call_id": event.call_id,
                "call_year": event.call_year,
                "person": applicant.person_id,
                "country": applicant.country_of_residence,
                "gender": _value(applicant.gender),
                "spelling": spelling,
                "institution_type": _value(event.institution.type),
                "activity_kind": _value(event.activity.kind),
                "host_country": event.activity.host_country,
                "modality": _value(event.activity.modality),
                "requested_amount": event.requested.amount,
                "requested_currency": event.requested.currency,
                "submitted_at": event.submitted_at,
            },
        ),
    ]


def _application(event: Any, **values: Any) -> list[Fact]:
    base = {"application_id": event.application_id, "call_id": event.call_id}
    person = getattr(event, "applicant_id", None)
    if person is not None:
        base["person"] = person
    return [Fact(APPLICATIONS, {**base, **values})]


def _grant_report(event: Any) -> list[Fact]:
    facts = _application(
        event,
        call_year=event.call_year,
        report_at=event.submitted_at,
        report_attended=event.attended,
    )
    for activity_no, activity in enumerate(event.replications):
        facts.append(
            Fact(
                REPLICATION_ACTIVITIES,
                {
                    "application_id": event.application_id,
                    "report_at": event.submitted_at,
                    "activity_no": activity_no,
                    "call_year": event.call_year,
                    "person": event.applicant_id,
                    "held_on": activity.held_on,
                    "colleagues_trained": activity.colleagues_trained,
                },
            )
        )
        for institution_no, institution in enumerate(activity.institutions):
            spelling, spelling_row = spelling_fact(institution)
            facts.append(spelling_row)
            facts.append(
                Fact(
                    REPLICATION_INSTITUTIONS,
                    {
                        "application_id": event.application_id,
                        "report_at": event.submitted_at,
                        "activity_no": activity_no,
                        "institution_no": institution_no,
                        "call_year": event.call_year,
                        "spelling": spelling,
                        "institution_type": _value(institution.type),
                    },
                )
            )
    return facts


def _profile(event: Any, participant: Any, at: datetime) -> tuple[list[Fact], dict[str, Any]]:
    spelling, spelling_row = spelling_fact(participant.institution)
    return [spelling_row], {
        "person": participant.person_id,
        "profile_at": at,
        "country": participant.country,
        "gender": _value(participant.gender),
        "spelling": spelling,
        "institution_type": _value(participant.institution.type),
    }


def _participant_enrolled(event: Any) -> list[Fact]:
    facts, profile = _profile(event, event.participant, event.enrolled_at)
    values = {
        "enrolment_id": event.enrolment_id,
        "run_id": event.run_id,
        "offering_id": event.offering_id,
        "kind": _value(event.kind),
        "enrolled_at": event.enrolled_at,
        **profile,
    }
    return [*facts, Fact(ENROLMENTS, values)]


def _participant_waitlisted(event: Any) -> list[Fact]:
    facts, profile = _profile(event, event.participant, event.waitlisted_at)
    values = {
        "enrolment_id": event.enrolment_id,
        "run_id": event.run_id,
        "offering_id": event.offering_id,
        "kind": _value(event.kind),
        "waitlisted_at": event.waitlisted_at,
        **profile,
    }
    return [*facts, Fact(ENROLMENTS, values)]


def _enrolment_cancelled(event: Any) -> list[Fact]:
    return [
        Fact(
            ENROLMENTS,
            {
                "enrolment_id": event.enrolment_id,
                "run_id": event.run_id,
                "person": event.person_id,
                "cancelled_at": event.cancelled_at,
                "cancelled_was_enrolled": event.was_enrolled,
            },
        )
    ]


def _course_completed(event: Any) -> list[Fact]:
    facts, profile = _profile(event, event.participant, event.evaluated_at)
    values = {
        "enrolment_id": event.enrolment_id,
        "run_id": event.run_id,
        "offering_id": event.offering_id,
        "kind": _value(event.kind),
        **profile,
        "evaluated_at": event.evaluated_at,
        "outcome": _value(event.outcome),
        "hours": event.hours,
        "attendance_rate": Decimal(str(round(event.attendance_rate, 4))),
        "year": event.year,
        "subject_area": event.subject_area,
    }
    return [*facts, Fact(ENROLMENTS, values)]


def _course_published(event: Any) -> list[Fact]:
    return [
        Fact(
            OFFERINGS,
            {
                "offering_id": event.offering_id,
                "published_at": event.published_at,
                "kind": _value(event.kind),
                "title_es": event.title.es,
                "title_pt": event.title.pt,
                "title_en": event.title.en,
                "subject_area": event.subject_area,
                "hours": event.hours,
                "certificate": event.certificate,
            },
        )
    ]


def _run_scheduled(event: Any) -> list[Fact]:
    starts = min((session.starts_at for session in event.sessions), default=event.enrolment_closes_at)
    return [
        Fact(
            RUNS,
            {
                "run_id": event.run_id,
                "scheduled_at": event.scheduled_at,
                "offering_id": event.offering_id,
                "kind": _value(event.kind),
                "subject_area": event.subject_area,
                "hours": event.hours,
                "modality": _value(event.modality),
                "language": event.language,
                "capacity": event.capacity,
                "starts_at": starts,
                "host_country": event.venue.country if event.venue is not None else None,
            },
        )
    ]


def _certificate_issued(event: Any) -> list[Fact]:
    return [
        Fact(
            CERTIFICATES,
            {
                "certificate_id": event.certificate_id,
                "enrolment_id": event.enrolment_id,
                "offering_id": event.offering_id,
                "run_id": event.run_id,
                "kind": _value(event.kind),
                "person": event.person_id,
                "hours": event.hours,
                "completed_on": event.completed_on,
                "issued_at": event.issued_at,
            },
        )
    ]


def _certificate_revoked(event: Any) -> list[Fact]:
    return [
        Fact(
            CERTIFICATES,
            {
                "certificate_id": event.certificate_id,
                "person": event.person_id,
                "revoked_at": event.revoked_at,
            },
        )
    ]


PROJECTIONS: dict[type[Event], Callable[[Any], list[Fact]]] = {
    CallOpenedV1: _call_opened,
    CallClosedV1: _call_closed,
    ApplicationSubmittedV1: _application_submitted,
    ApplicationWithdrawnV1: lambda e: _application(e, withdrawn_at=e.withdrawn_at),
    ApplicationDeclaredIneligibleV1: lambda e: _application(e, eligibility_at=e.declared_at, eligible=False),
    ApplicationDeclaredEligibleV1: lambda e: _application(e, eligibility_at=e.declared_at, eligible=True),
    GrantAwardedV1: lambda e: _application(
        e,
        call_year=e.call_year,
        awarded_at=e.awarded_at,
        awarded_amount=e.amount.amount,
        awarded_currency=e.amount.currency,
    ),
    ApplicationRejectedV1: lambda e: _application(e, rejected_at=e.rejected_at),
    ApplicationWaitlistedV1: lambda e: _application(e, waitlisted_at=e.waitlisted_at),
    GrantAcceptedV1: lambda e: _application(
        e,
        call_year=e.call_year,
        accepted_at=e.accepted_at,
        accepted_amount=e.amount.amount,
        accepted_currency=e.amount.currency,
    ),
    GrantDeclinedV1: lambda e: _application(e, declined_at=e.declined_at),
    GrantReportSubmittedV1: _grant_report,
    CoursePublishedV1: _course_published,
    CourseRunScheduledV1: _run_scheduled,
    ParticipantEnrolledV1: _participant_enrolled,
    ParticipantWaitlistedV1: _participant_waitlisted,
    EnrolmentCancelledV1: _enrolment_cancelled,
    CourseCompletedV1: _course_completed,
    CertificateIssuedV1: _certificate_issued,
    CertificateRevokedV1: _certificate_revoked,
}
"""The events reporting reads (their public twins), and the facts each one gives."""

_BY_TYPE = {str(cls.event_type): projection for cls, projection in PROJECTIONS.items()}


def project(event_type: str, event: Any) -> list[Fact]:
    """The facts an event of `event_type` gives; none for an event reporting does not read."""
    projection = _BY_TYPE.get(event_type)
    return projection(event) if projection is not None else []


def handled_types() -> set[str]:
    return set(_BY_TYPE)
