"""What the service does with each event: remember what it needs, and record the messages it causes.

Every handler is `handler(event, envelope, uow, clock, policy)` and runs inside the consumer's
transaction (the unit of work joins it), so an event's effect and its inbox row commit
together: a redelivered event changes nothing.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from ibermuseos_contracts import Envelope
from ibermuseos_contracts.applications import (
    ApplicationDeclaredIneligibleV1,
    ApplicationRejectedV1,
    ApplicationSubmittedV1,
    ApplicationWaitlistedV1,
    CallOpenedV1,
    GrantAcceptedV1,
    GrantAwardedV1,
    GrantReportSubmittedV1,
)
from ibermuseos_contracts.courses import (
    CertificateIssuedV1,
    CertificateRevokedV1,
    CourseCompletedV1,
    CourseRunRescheduledV1,
    CourseRunScheduledV1,
    EnrolmentCancelledV1,
    EnrolmentLapsedV1,
    Participant,
    ParticipantEnrolledV1,
    ParticipantWaitlistedV1,
)
from ibermuseos_kernel.clock import Clock

from ..domain import recipes
from ..domain.messages import Message, Notice
from ..domain.recipients import Contact
from ..domain.schedule import run_reminder_moment
from ..domain.timezones import zone, zone_of_country
from .ports import Policy, UnitOfWork


async def record(
    uow: UnitOfWork, notices: list[Notice], envelope: Envelope, now: datetime, *, cause_id: UUID | None = None
) -> int:
    """One message per notice, recipient and channel, however often the event arrives.

    The messages' key is the event's, unless `cause_id` names another (a reminder several events may schedule).
    """
    created = 0
    for notice in notices:
        recipient = await uow.recipients.get(notice.recipient_id)
        language = (recipient.preferred_language if recipient else None) or notice.context_language or "es"
        created += await uow.messages.add(
            Message.from_notice(
                notice, cause_id=cause_id or envelope.id, cause_type=envelope.type, language=language, now=now
            )
        )
    return created


async def _run_language(uow: UnitOfWork, run_id: UUID) -> str | None:
    """The language the run is taught in, when its schedule is known."""
    run = await uow.directory.run(run_id)
    return str(run["language"]) if run else None


# ----------------------------------------------------------------------- applications


async def application_submitted(
    event: ApplicationSubmittedV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    """The applicant's contact details are kept, and they are told their application arrived."""
    applicant = event.applicant
    await uow.recipients.remember(
        Contact(
            person_id=applicant.person_id,
            name=applicant.name,
            email=applicant.email,
            preferred_language=applicant.preferred_language,
            timezone=zone_of_country(applicant.country_of_residence),
            timezone_known=False,
        )
    )
    await uow.directory.remember_application(
        {
            "application_id": event.application_id,
            "applicant_id": applicant.person_id,
            "call_id": event.call_id,
            "call_year": event.call_year,
            "activity_title": event.activity.title,
        }
    )
    await record(uow, recipes.application_received(event), envelope, clock.now())


async def application_ineligible(
    event: ApplicationDeclaredIneligibleV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    await record(uow, recipes.application_ineligible(event), envelope, clock.now())


async def grant_awarded(
    event: GrantAwardedV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    await record(uow, recipes.grant_awarded(event), envelope, clock.now())


async def application_rejected(
    event: ApplicationRejectedV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    await record(uow, recipes.application_rejected(event), envelope, clock.now())


async def application_waitlisted(
    event: ApplicationWaitlistedV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    await record(uow, recipes.application_waitlisted(event), envelope, clock.now())


async def grant_accepted(
    event: GrantAcceptedV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    """The acceptance is confirmed, and the report reminders are scheduled in the grantee's time zone."""
    recipient = await uow.recipients.get(event.applicant_id)
    notices = recipes.grant_accepted(
        event,
        reminder_days=policy.report_days_before,
        reminder_time=policy.report_local_time,
        timezone=zone(recipient.timezone if recipient else None),
        now=clock.now(),
    )
    await record(uow, notices, envelope, clock.now())


async def grant_report_submitted(
    event: GrantReportSubmittedV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    """A report handed in needs no more reminding."""
    await uow.messages.cancel_pending(str(event.application_id), ["report_reminder"], "report submitted")


async def call_opened(
    event: CallOpenedV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    """The focal points of the eligible countries are told a call is open."""
    await uow.directory.remember_call(
        {
            "call_id": event.call_id,
            "year": event.year,
            "title": event.title.model_dump(),
            "timezone": event.timezone,
            "closes_at": event.closes_at,
        }
    )
    focal_points = await uow.directory.focal_points()
    await record(uow, recipes.call_opened(event, focal_points), envelope, clock.now())


# --------------------------------------------------------------------------- courses


def _participant_contact(participant: Participant) -> Contact:
    return Contact(
        person_id=participant.person_id,
        name=participant.name,
        email=participant.email,
        preferred_language=participant.preferred_language,
        timezone=participant.timezone,
        timezone_known=True,
    )


async def _schedule_run_reminder(
    uow: UnitOfWork,
    *,
    enrolment_id: UUID,
    offering_id: UUID,
    person_id: str,
    run: Mapping[str, object],
    envelope: Envelope,
    cause_id: UUID,
    clock: Clock,
    policy: Policy,
) -> None:
    first = run.get("first_starts_at")
    if not isinstance(first, datetime):
        return
    notices = recipes.run_reminder(
        enrolment_id=enrolment_id,
        run_id=run["run_id"],
        offering_id=offering_id,
        person_id=person_id,
        first_session_starts_at=first,
        run_language=str(run["language"]),
        hours_before=policy.run_hours_before,
        late_hours_before=policy.run_late_hours_before,
        now=clock.now(),
    )
    for notice in notices:
        recipient = await uow.recipients.get(person_id)
        language = (recipient.preferred_language if recipient else None) or notice.context_language or "es"
        await uow.messages.add(
            Message.from_notice(
                notice, cause_id=cause_id, cause_type=envelope.type, language=language, now=clock.now()
            )
        )


async def run_scheduled(
    event: CourseRunScheduledV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    """A run's schedule is kept; its enrolled participants' reminders are (re)scheduled by it."""
    first = min((session.starts_at for session in event.sessions), default=None)
    run = {
        "run_id": event.run_id,
        "offering_id": event.offering_id,
        "kind": event.kind.value,
        "title": event.title.model_dump(),
        "sessions": [session.model_dump(mode="json") for session in event.sessions],
        "timezone": event.timezone,
        "modality": event.modality.value,
        "venue": event.venue.model_dump(mode="json") if event.venue else None,
        "language": event.language,
        "hours": str(event.hours),
        "first_starts_at": first,
    }
    await uow.directory.remember_run(run)
    enrolments = await uow.directory.enrolled_in(event.run_id)
    await _reschedule_run_reminders(uow, run, enrolments, first, envelope, clock, policy)


async def _reschedule_run_reminders(
    uow: UnitOfWork,
    run: Mapping[str, object],
    enrolments: Sequence[Mapping[str, Any]],
    first: datetime | None,
    envelope: Envelope,
    clock: Clock,
    policy: Policy,
) -> None:
    """The enrolled participants' reminders follow the run's first session wherever it moves."""
    for enrolment in enrolments:
        if first is not None:
            moment = run_reminder_moment(
                first, policy.run_hours_before, clock.now(), policy.run_late_hours_before
            )
            if moment is not None:
                await uow.messages.reschedule_pending(
                    str(enrolment["enrolment_id"]), "run_reminder", moment.at, {"late": moment.late}
                )
            else:
                # Moved so close that the day before has passed: a reminder at the old time would mislead.
                await uow.messages.cancel_pending(
                    str(enrolment["enrolment_id"]), ["run_reminder"], "run rescheduled"
                )
        await _schedule_run_reminder(
            uow,
            enrolment_id=enrolment["enrolment_id"],
            offering_id=enrolment["offering_id"],
            person_id=enrolment["person_id"],
            run=run,
            envelope=envelope,
            cause_id=enrolment["enrolment_id"],
            clock=clock,
            policy=policy,
        )


async def run_rescheduled(
    event: CourseRunRescheduledV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    """The run's sessions move (each carrying the revision, the calendars' SEQUENCE); its enrolled
    participants are told the new dates and their reminders follow the first session."""
    known = await uow.directory.run(event.run_id)
    if known is None:
        return  # its CourseRunScheduled comes first on the same partition; nothing to update without it
    first = min((s.starts_at for s in event.sessions), default=None)
    run = {
        **known,
        "sessions": [{**s.model_dump(mode="json"), "sequence": event.revision} for s in event.sessions],
        "first_starts_at": first,
    }
    await uow.directory.remember_run(run)
    enrolments = await uow.directory.enrolled_in(event.run_id)
    enrolled = [(e["enrolment_id"], e["person_id"]) for e in enrolments]
    await record(uow, recipes.run_rescheduled(event, enrolled, str(run["language"])), envelope, clock.now())
    await _reschedule_run_reminders(uow, run, enrolments, first, envelope, clock, policy)


async def participant_enrolled(
    event: ParticipantEnrolledV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    """The participant is told they have a seat; the day before the run they are reminded."""
    await uow.recipients.remember(_participant_contact(event.participant))
    await uow.directory.remember_enrolment(
        {
            "enrolment_id": event.enrolment_id,
            "run_id": event.run_id,
            "offering_id": event.offering_id,
            "person_id": event.participant.person_id,
            "status": "enrolled",
        }
    )
    run = await uow.directory.run(event.run_id)
    language = str(run["language"]) if run else None
    await record(uow, recipes.participant_enrolled(event, language), envelope, clock.now())
    if run is not None:
        await _schedule_run_reminder(
            uow,
            enrolment_id=event.enrolment_id,
            offering_id=event.offering_id,
            person_id=event.participant.person_id,
            run=run,
            envelope=envelope,
            # The reminder's key is the enrolment's, whichever event scheduled it first.
            cause_id=event.enrolment_id,
            clock=clock,
            policy=policy,
        )


async def participant_waitlisted(
    event: ParticipantWaitlistedV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    await uow.recipients.remember(_participant_contact(event.participant))
    await uow.directory.remember_enrolment(
        {
            "enrolment_id": event.enrolment_id,
            "run_id": event.run_id,
            "offering_id": event.offering_id,
            "person_id": event.participant.person_id,
            "status": "waitlisted",
        }
    )
    language = await _run_language(uow, event.run_id)
    await record(uow, recipes.participant_waitlisted(event, language), envelope, clock.now())


async def enrolment_cancelled(
    event: EnrolmentCancelledV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    """A cancelled enrolment is not reminded of its run; when the run itself was cancelled, the person is told
    why, and a participant who cancelled is told it is done."""
    await uow.directory.enrolment_status(event.enrolment_id, "cancelled")
    await uow.messages.cancel_pending(
        str(event.enrolment_id), ["run_reminder", "run_rescheduled"], "enrolment cancelled"
    )
    language = await _run_language(uow, event.run_id)
    await record(uow, recipes.enrolment_cancelled(event, language), envelope, clock.now())


async def enrolment_lapsed(
    event: EnrolmentLapsedV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    """A place on the waitlist that lapsed is told no seat came free."""
    await uow.directory.enrolment_status(event.enrolment_id, "lapsed")
    language = await _run_language(uow, event.run_id)
    await record(uow, recipes.enrolment_lapsed(event, language), envelope, clock.now())


async def course_completed(
    event: CourseCompletedV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    language = await _run_language(uow, event.run_id)
    await record(uow, recipes.course_completed(event, language), envelope, clock.now())


async def certificate_issued(
    event: CertificateIssuedV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    await uow.directory.remember_certificate(
        event.certificate_id, event.person_id, event.run_id, event.title.model_dump(), event.completed_on
    )
    language = await _run_language(uow, event.run_id)
    await record(uow, recipes.certificate_issued(event, language), envelope, clock.now())


async def certificate_revoked(
    event: CertificateRevokedV1, envelope: Envelope, uow: UnitOfWork, clock: Clock, policy: Policy
) -> None:
    """The holder is told their certificate was revoked and why; an issue notice not yet sent is dropped."""
    certificate = await uow.directory.certificate(event.certificate_id)
    title = certificate["title"] if certificate else None
    run = await uow.directory.run(certificate["run_id"]) if certificate else None
    language = str(run["language"]) if run else None
    await uow.messages.cancel_pending(
        str(event.certificate_id), ["certificate_issued"], "certificate revoked"
    )
    await record(uow, recipes.certificate_revoked(event, title, language), envelope, clock.now())
