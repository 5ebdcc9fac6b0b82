"""Which event tells whom what: each event becomes the notices of the people it concerns.

Facts the templates need travel in the notice's context as JSON values; what an event
does not carry (a run's sessions, a call's title) is looked up when the message is sent.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, tzinfo
from typing import Any

from ibermuseos_contracts.applications import (
    ApplicationDeclaredIneligibleV1,
    ApplicationRejectedV1,
    ApplicationSubmittedV1,
    ApplicationWaitlistedV1,
    CallOpenedV1,
    GrantAcceptedV1,
    GrantAwardedV1,
    RejectionReason,
)
from ibermuseos_contracts.courses import (
    CancelledBy,
    CertificateIssuedV1,
    CertificateRevokedV1,
    CourseCompletedV1,
    CourseRunRescheduledV1,
    EnrolmentCancelledV1,
    EnrolmentLapsedV1,
    Outcome,
    ParticipantEnrolledV1,
    ParticipantWaitlistedV1,
    printed_code,
)
from ibermuseos_contracts.types import Money

from .messages import Category, Notice
from .panel_recipes import ASSIGNMENT_TEMPLATES
from .schedule import report_reminder_moments, run_reminder_moment

# The templates, each with its category; a unit test renders every one in every language.
TEMPLATES: dict[str, Category] = {
    "application_received": Category.ACKNOWLEDGEMENT,
    "application_ineligible": Category.DECISION,
    "grant_awarded": Category.DECISION,
    "grant_awarded_from_waitlist": Category.DECISION,
    "application_rejected": Category.DECISION,
    "application_waitlisted": Category.DECISION,
    "waitlist_closed": Category.DECISION,
    "grant_acceptance_confirmed": Category.CONFIRMATION,
    "report_reminder": Category.REPORT_REMINDER,
    "enrolment_confirmed": Category.CONFIRMATION,
    "enrolment_promoted": Category.CONFIRMATION,
    "enrolment_waitlisted": Category.CONFIRMATION,
    "enrolment_cancelled": Category.CONFIRMATION,
    "run_reminder": Category.RUN_REMINDER,
    "course_completed": Category.COURSE_RECORD,
    "course_not_completed": Category.COURSE_RECORD,
    "certificate_issued": Category.COURSE_RECORD,
    "certificate_revoked": Category.DECISION,
    "call_opened": Category.CALL_ANNOUNCEMENT,
    # The technical panel's (panel_recipes.py): one message per evaluator and assignment round; the deadline's reminder.
    **ASSIGNMENT_TEMPLATES,
    "run_cancelled": Category.DECISION,
    "run_rescheduled": Category.DECISION,
    # Not a decision anyone took: it may wait for the end of quiet hours.
    "enrolment_lapsed": Category.COURSE_RECORD,
}

# Templates with an iCalendar file of the run's sessions attached.
WITH_CALENDAR = frozenset({"enrolment_confirmed", "enrolment_promoted", "run_reminder", "run_rescheduled"})
# Templates that take the sessions out of the calendar of whoever had a seat (METHOD:CANCEL).
CANCELLING_CALENDAR = frozenset({"run_cancelled"})
# Templates that speak of a run: sent only once the run's schedule is known.
ABOUT_A_RUN = frozenset(
    {
        "enrolment_confirmed",
        "enrolment_promoted",
        "enrolment_waitlisted",
        "enrolment_cancelled",
        "run_reminder",
        "course_completed",
        "course_not_completed",
        "run_cancelled",
        "run_rescheduled",
        "enrolment_lapsed",
    }
)


def money(value: Money) -> dict[str, str]:
    return {"amount": str(value.amount), "currency": value.currency}


def _notice(
    template: str, recipient_id: str, about: object, context: dict[str, Any], **kwargs: Any
) -> Notice:
    return Notice(template, recipient_id, TEMPLATES[template], str(about), context, **kwargs)


# ----------------------------------------------------------------------- applications


def application_received(event: ApplicationSubmittedV1) -> list[Notice]:
    """The applicant is told their application arrived, with what they asked for."""
    activity = event.activity
    return [
        _notice(
            "application_received",
            event.applicant.person_id,
            event.application_id,
            {
                "application_id": str(event.application_id),
                "call_id": str(event.call_id),
                "call_year": event.call_year,
                "activity": {
                    "title": activity.title,
                    "organiser": activity.organiser,
                    "host_city": activity.host_city,
                    "host_country": activity.host_country,
                    "starts_on": activity.starts_on.isoformat(),
                    "ends_on": activity.ends_on.isoformat(),
                },
                "requested": money(event.requested),
                "submitted_at": event.submitted_at.isoformat(),
            },
        )
    ]


def application_ineligible(event: ApplicationDeclaredIneligibleV1) -> list[Notice]:
    """The applicant is told their application is ineligible, with every reason."""
    return [
        _notice(
            "application_ineligible",
            event.applicant_id,
            event.application_id,
            {
                "application_id": str(event.application_id),
                "call_id": str(event.call_id),
                "reasons": [
                    {"code": reason.code, "explanation": reason.explanation.model_dump()}
                    for reason in event.reasons
                ],
            },
        )
    ]


def grant_awarded(event: GrantAwardedV1) -> list[Notice]:
    """The applicant is told the amount awarded, how to accept it and by when (promoted from the waitlist or not)."""
    template = "grant_awarded_from_waitlist" if event.from_waitlist else "grant_awarded"
    return [
        _notice(
            template,
            event.applicant_id,
            event.application_id,
            {
                "application_id": str(event.application_id),
                "call_id": str(event.call_id),
                "call_year": event.call_year,
                "amount": money(event.amount),
                "accept_by": event.accept_by.isoformat(),
            },
        )
    ]


def application_rejected(event: ApplicationRejectedV1) -> list[Notice]:
    """The applicant is told they were not selected, or, when the waitlist closed with them on it, that no grant
    came free in time and the waitlist is over."""
    closed = event.reason is RejectionReason.WAITLIST_CLOSED
    return [
        _notice(
            "waitlist_closed" if closed else "application_rejected",
            event.applicant_id,
            event.application_id,
            {"application_id": str(event.application_id), "call_id": str(event.call_id)}
            | ({"closed_at": event.rejected_at.isoformat()} if closed else {}),
        )
    ]


def application_waitlisted(event: ApplicationWaitlistedV1) -> list[Notice]:
    return [
        _notice(
            "application_waitlisted",
            event.applicant_id,
            event.application_id,
            {
                "application_id": str(event.application_id),
                "call_id": str(event.call_id),
                "position": event.position,
            },
        )
    ]


def grant_accepted(
    event: GrantAcceptedV1,
    *,
    reminder_days: Iterable[int],
    reminder_time: time,
    timezone: tzinfo,
    now: datetime,
) -> list[Notice]:
    """The grantee's acceptance is confirmed, and their report is reminded before it is due."""
    context = {
        "application_id": str(event.application_id),
        "call_id": str(event.call_id),
        "call_year": event.call_year,
        "amount": money(event.amount),
        "report_due_on": event.report_due_on.isoformat(),
    }
    notices = [_notice("grant_acceptance_confirmed", event.applicant_id, event.application_id, context)]
    for days, moment in report_reminder_moments(
        event.report_due_on, reminder_days, reminder_time, timezone, now
    ).items():
        notices.append(
            _notice(
                "report_reminder",
                event.applicant_id,
                event.application_id,
                {**context, "days_before": days},
                not_before=moment,
                key=f"report_reminder:{days}",
            )
        )
    return notices


def call_opened(event: CallOpenedV1, focal_points: Sequence[tuple[str, str]]) -> list[Notice]:
    """The focal points of the eligible countries (person id, country) are told the call is open."""
    eligible = set(event.eligible_residence_countries)
    context = {
        "call_id": str(event.call_id),
        "year": event.year,
        "title": event.title.model_dump(),
        "opens_at": event.opens_at.isoformat(),
        "closes_at": event.closes_at.isoformat(),
        "call_timezone": event.timezone,
        "budget": money(event.budget),
        "max_per_grant": money(event.max_per_grant),
        "eligible_countries": sorted(eligible),
    }
    return [
        _notice("call_opened", person_id, event.call_id, {**context, "country": country})
        for person_id, country in focal_points
        if not eligible or country in eligible
    ]


# --------------------------------------------------------------------------- courses


def _run_context(enrolment_id: object, run_id: object, offering_id: object) -> dict[str, Any]:
    return {"enrolment_id": str(enrolment_id), "run_id": str(run_id), "offering_id": str(offering_id)}


def participant_enrolled(event: ParticipantEnrolledV1, run_language: str | None) -> list[Notice]:
    """The participant is told they have a seat (from the waitlist or not), with the sessions as a calendar."""
    template = "enrolment_promoted" if event.from_waitlist else "enrolment_confirmed"
    return [
        _notice(
            template,
            event.participant.person_id,
            event.enrolment_id,
            _run_context(event.enrolment_id, event.run_id, event.offering_id),
            context_language=run_language,
        )
    ]


def participant_waitlisted(event: ParticipantWaitlistedV1, run_language: str | None) -> list[Notice]:
    return [
        _notice(
            "enrolment_waitlisted",
            event.participant.person_id,
            event.enrolment_id,
            {**_run_context(event.enrolment_id, event.run_id, event.offering_id), "position": event.position},
            context_language=run_language,
        )
    ]


def enrolment_cancelled(event: EnrolmentCancelledV1, run_language: str | None) -> list[Notice]:
    """Whoever had a seat or a place on the waitlist of a cancelled run is told, with the coordinator's reason
    (those with a seat get the calendar entries cancelled); a participant who cancelled their own seat or place
    gets a confirmation. A coordinator's cancellation of one enrolment tells nobody (as before)."""
    if event.offering_id is None:
        return []
    context = {
        **_run_context(event.enrolment_id, event.run_id, event.offering_id),
        "was_enrolled": event.was_enrolled,
    }
    if event.run_cancelled:
        template, context = "run_cancelled", {**context, "reason": event.reason or ""}
    elif event.cancelled_by is CancelledBy.PARTICIPANT:
        template = "enrolment_cancelled"
    else:
        return []
    return [_notice(template, event.person_id, event.enrolment_id, context, context_language=run_language)]


def run_rescheduled(
    event: CourseRunRescheduledV1, enrolled: Sequence[tuple[object, str]], run_language: str | None
) -> list[Notice]:
    """Each enrolled participant (enrolment id, person id) is told the new dates, with an updated calendar."""
    return [
        _notice(
            "run_rescheduled",
            person_id,
            enrolment_id,
            {**_run_context(enrolment_id, event.run_id, event.offering_id), "revision": event.revision},
            context_language=run_language,
        )
        for enrolment_id, person_id in enrolled
    ]


def enrolment_lapsed(event: EnrolmentLapsedV1, run_language: str | None) -> list[Notice]:
    """Someone still waiting when the run started and enrolment closed is told no seat came free."""
    return [
        _notice(
            "enrolment_lapsed",
            event.person_id,
            event.enrolment_id,
            _run_context(event.enrolment_id, event.run_id, event.offering_id),
            context_language=run_language,
        )
    ]


def run_reminder(
    *,
    enrolment_id: object,
    run_id: object,
    offering_id: object,
    person_id: str,
    first_session_starts_at: datetime,
    run_language: str | None,
    hours_before: float,
    late_hours_before: float,
    now: datetime,
) -> list[Notice]:
    """An enrolled participant is reminded of the run the day before it starts, or, enrolled later than that,
    shortly before it (see `run_reminder_moment`)."""
    moment = run_reminder_moment(first_session_starts_at, hours_before, now, late_hours_before)
    if moment is None:
        return []
    return [
        _notice(
            "run_reminder",
            person_id,
            enrolment_id,
            {**_run_context(enrolment_id, run_id, offering_id), "late": moment.late},
            not_before=moment.at,
            context_language=run_language,
            key="run_reminder",
        )
    ]


def course_completed(event: CourseCompletedV1, run_language: str | None) -> list[Notice]:
    completed = event.outcome is Outcome.COMPLETED
    return [
        _notice(
            "course_completed" if completed else "course_not_completed",
            event.participant.person_id,
            event.enrolment_id,
            {
                **_run_context(event.enrolment_id, event.run_id, event.offering_id),
                "hours": str(event.hours),
                "attendance_rate": event.attendance_rate,
                "grade": str(event.grade) if event.grade is not None else None,
            },
            context_language=run_language,
        )
    ]


def certificate_issued(event: CertificateIssuedV1, run_language: str | None) -> list[Notice]:
    """The holder gets their certificate's verification link."""
    return [
        _notice(
            "certificate_issued",
            event.person_id,
            event.certificate_id,
            {
                "certificate_id": str(event.certificate_id),
                "holder_name": event.holder_name,
                "verification_code": printed_code(event.verification_code),
                # The courses service says where its verification page is; the setting is the fallback.
                "verification_url": event.verification_url,
                "title": event.title.model_dump(),
                "hours": str(event.hours),
                "completed_on": event.completed_on.isoformat(),
            },
            context_language=run_language,
        )
    ]


def certificate_revoked(
    event: CertificateRevokedV1, title: dict[str, str] | None, run_language: str | None
) -> list[Notice]:
    return [
        _notice(
            "certificate_revoked",
            event.person_id,
            event.certificate_id,
            {"certificate_id": str(event.certificate_id), "reason": event.reason, "title": title},
            context_language=run_language,
        )
    ]


def days_until(due_on: date, today: date) -> int:
    return (due_on - today).days
