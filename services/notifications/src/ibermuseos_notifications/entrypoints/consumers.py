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
from ibermuseos_platform.consumer import Handler
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters.repository import UnitOfWork
from ..application import notices, panel_notices

if TYPE_CHECKING:
    from ..bootstrap import Container

CONSUMED: list[type[Event]] = [
    ApplicationSubmittedV1,
    ApplicationDeclaredIneligibleV1,
    GrantAwardedV1,
    ApplicationRejectedV1,
    ApplicationWaitlistedV1,
    GrantAcceptedV1,
    GrantReportSubmittedV1,
    CallOpenedV1,
    CourseRunScheduledV1,
    ParticipantEnrolledV1,
    ParticipantWaitlistedV1,
    EnrolmentCancelledV1,
    CourseCompletedV1,
    CertificateIssuedV1,
    CertificateRevokedV1,
    CourseRunRescheduledV1,
    EnrolmentLapsedV1,
    EvaluationAssignedV1,
    ApplicationScoredV1,
    EvaluationDeclinedV1,
    EvaluationReassignedV1,
]
"""Every event someone must be told about (or that tells what a message speaks of)."""


def handlers(container: "Container") -> Mapping[type[Event], Handler]:
    """The consumer's handlers: each runs an application function in the consumer's transaction."""
    clock, policy = container.clock, container.policy

    def joined(apply: Callable[[UnitOfWork, Any, Envelope], Awaitable[None]]) -> Handler:
        async def handle(session: AsyncSession, event: Any, envelope: Envelope) -> None:
            async with UnitOfWork.joining(session, container.platform.outbox) as uow:
                await apply(uow, event, envelope)
                await uow.commit()

        return handle

    def plain(function: Callable[..., Awaitable[None]]) -> Handler:
        return joined(lambda uow, event, envelope: function(uow, event, envelope, clock))

    def with_policy(function: Callable[..., Awaitable[None]]) -> Handler:
        return joined(lambda uow, event, envelope: function(uow, event, envelope, clock, policy))

    table: dict[type[Event], Handler] = {
        ApplicationSubmittedV1: plain(notices.application_submitted),
        ApplicationDeclaredIneligibleV1: plain(notices.application_ineligible),
        GrantAwardedV1: plain(notices.grant_awarded),
        ApplicationRejectedV1: plain(notices.application_rejected),
        ApplicationWaitlistedV1: plain(notices.application_waitlisted),
        GrantAcceptedV1: with_policy(notices.grant_accepted),
        GrantReportSubmittedV1: plain(notices.grant_report_submitted),
        CallOpenedV1: plain(notices.call_opened),
        CourseRunScheduledV1: with_policy(notices.run_scheduled),
        ParticipantEnrolledV1: with_policy(notices.participant_enrolled),
        ParticipantWaitlistedV1: plain(notices.participant_waitlisted),
        EnrolmentCancelledV1: plain(notices.enrolment_cancelled),
        CourseCompletedV1: plain(notices.course_completed),
        CertificateIssuedV1: plain(notices.certificate_issued),
        CertificateRevokedV1: plain(notices.certificate_revoked),
        CourseRunRescheduledV1: with_policy(notices.run_rescheduled),
        EnrolmentLapsedV1: plain(notices.enrolment_lapsed),
        EvaluationAssignedV1: with_policy(panel_notices.evaluation_assigned),
        ApplicationScoredV1: plain(panel_notices.application_scored),
        EvaluationDeclinedV1: plain(panel_notices.evaluation_declined),
        EvaluationReassignedV1: plain(panel_notices.evaluation_reassigned),
    }
    assert list(table) == CONSUMED
    return table
