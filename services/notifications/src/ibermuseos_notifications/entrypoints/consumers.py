"""Kafka subscribers: events from the private topics, translated into the application's functions."""

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from ibermuseos_contracts import Envelope, Event
from ibermuseos_contracts.applications import (
    ApplicationDeclaredIneligibleV1,
    ApplicationRejectedV1,
    ApplicationScoredV1,
    ApplicationSubmittedV1,
    ApplicationWaitlistedV1,
    CallOpenedV1,
    EvaluationAssignedV1,
    EvaluationDeclinedV1,
    EvaluationReassignedV1,
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
    ParticipantEnrolledV1,
    ParticipantWaitlistedV1,
)
from ibermuseos_kernel.clock import Clock
from ibermuseos_platform.consumer import Handler
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters.repository import UnitOfWork
from ..application import notices, panel_notices
from ..application.ports import Policy

if TYPE_CHECKING:
    from ..bootstrap import Container


EventHandler = Callable[[Any, Envelope, UnitOfWork, Clock, Policy], Awaitable[None]]
"""The application's handler of an event: (event, envelope, uow, clock, policy)."""

HANDLERS: dict[type[Event], EventHandler] = {
    ApplicationSubmittedV1: notices.application_submitted,
    ApplicationDeclaredIneligibleV1: notices.application_ineligible,
    GrantAwardedV1: notices.grant_awarded,
    ApplicationRejectedV1: notices.application_rejected,
    ApplicationWaitlistedV1: notices.application_waitlisted,
    GrantAcceptedV1: notices.grant_accepted,
    GrantReportSubmittedV1: notices.grant_report_submitted,
    CallOpenedV1: notices.call_opened,
    CourseRunScheduledV1: notices.run_scheduled,
    ParticipantEnrolledV1: notices.participant_enrolled,
    ParticipantWaitlistedV1: notices.participant_waitlisted,
    EnrolmentCancelledV1: notices.enrolment_cancelled,
    CourseCompletedV1: notices.course_completed,
    CertificateIssuedV1: notices.certificate_issued,
    CertificateRevokedV1: notices.certificate_revoked,
    CourseRunRescheduledV1: notices.run_rescheduled,
    EnrolmentLapsedV1: notices.enrolment_lapsed,
    EvaluationAssignedV1: panel_notices.evaluation_assigned,
    ApplicationScoredV1: panel_notices.application_scored,
    EvaluationDeclinedV1: panel_notices.evaluation_declined,
    EvaluationReassignedV1: panel_notices.evaluation_reassigned,
}
CONSUMED: list[type[Event]] = list(HANDLERS)
"""Every event someone must be told about (or that tells what a message speaks of)."""


def handlers(container: "Container") -> Mapping[type[Event], Handler]:
    """The consumer's handlers: each runs the application's handler in the consumer's transaction."""

    def joined(handle: EventHandler) -> Handler:
        async def in_transaction(session: AsyncSession, event: Any, envelope: Envelope) -> None:
            async with UnitOfWork.joining(session, container.platform.outbox) as uow:
                await handle(event, envelope, uow, container.clock, container.policy)
                await uow.commit()

        return in_transaction

    return {event: joined(handle) for event, handle in HANDLERS.items()}
