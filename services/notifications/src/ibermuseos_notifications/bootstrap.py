"""The composition root: builds the service's parts from its settings, inside the FastAPI lifespan."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from ibermuseos_contracts import Event
from ibermuseos_contracts.notifications import MESSAGE
from ibermuseos_kernel.clock import Clock, SystemClock
from ibermuseos_platform.consumer import Handler, is_transient
from ibermuseos_platform.problems import is_database_unavailable
from ibermuseos_platform.runtime import Platform, PlatformSettings

from . import SERVICE
from .adapters.calendar import Organizer
from .adapters.composer import MessageComposer
from .adapters.mail import PrometheusTally, RelayChain, SmtpMailer, SmtpRelay
from .adapters.rendering import Links, TemplateRenderer
from .adapters.repository import UnitOfWork
from .adapters.retention import CONTEXT_TABLES, ERASED_ROWS, RetentionUnitOfWork
from .adapters.tables import metadata
from .application.delivery import Courier, deliver_due
from .application.ports import DeliveryPolicy, Policy
from .application.retention import PersonErased, erase_expired, erase_person
from .domain.retention import RetentionPolicy
from .domain.timezones import QuietHours
from .settings import RetentionSettings, Settings


def database_away(error: BaseException) -> bool:
    """The database (or the way to it) is away, or asks to try again: nothing is failed for that."""
    return is_transient(error) or is_database_unavailable(error)


@dataclass
class Container:
    platform: Platform
    uow: Callable[[], UnitOfWork]
    retention_uow: Callable[[], RetentionUnitOfWork]
    settings: Settings
    clock: Clock
    policy: Policy
    delivery: DeliveryPolicy
    composer: MessageComposer
    mailer: SmtpMailer
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)

    @property
    def courier(self) -> Courier:
        return Courier(
            self.uow, self.composer, self.mailer, self.clock, self.delivery, PrometheusTally(), database_away
        )

    async def deliver_due(self) -> int:
        return await deliver_due(self.courier)

    async def erase_expired(self) -> dict[str, int]:
        """The retention job: rows erased per table, counted in Prometheus (no personal data)."""
        erased = await erase_expired(
            self.retention_uow,
            self.clock,
            self.retention,
            batch_size=self.settings.retention.batch_size,
            context_tables=CONTEXT_TABLES,
        )
        _count(erased)
        return erased

    async def erase_person(self, person_id: str, requested_by: str) -> PersonErased:
        erased = await erase_person(
            self.retention_uow,
            person_id,
            person_pseudonym=self.platform.pseudonymise(person_id),
            requested_by=requested_by,
            clock=self.clock,
        )
        _count(erased.counts)
        return erased


def _count(erased: Mapping[str, int]) -> None:
    for table, rows in erased.items():
        if rows:
            ERASED_ROWS.labels(table=table).inc(rows)


def retention_policy(settings: RetentionSettings) -> RetentionPolicy:
    return RetentionPolicy(
        sent_email=timedelta(days=settings.sent_email_days),
        read_inbox=timedelta(days=settings.read_inbox_days),
        unread_inbox=timedelta(days=settings.unread_inbox_days),
        failed=timedelta(days=settings.failed_days),
        cancelled=timedelta(days=settings.cancelled_days),
        contact_idle=timedelta(days=settings.contact_idle_days),
        run_after_end=timedelta(days=settings.run_days_after_end),
        application_after_call_closes=timedelta(days=settings.application_days_after_call_closes),
        assignment_after_deadline=timedelta(days=settings.assignment_days_after_deadline),
        certificate=timedelta(days=settings.certificate_days),
        context_max=timedelta(days=settings.context_max_days),
    )


def bootstrap(
    settings: Settings, handlers: Callable[["Container"], Mapping[type[Event], Handler]]
) -> Container:
    """The service's parts; `handlers` (from the entrypoints) turns the container into the event handlers."""
    platform = Platform(
        PlatformSettings.of(SERVICE, settings),
        metadata,
        publishes=[MESSAGE],
    )
    links = Links(settings.links.portal.rstrip("/"), settings.links.certificate_verification)
    relays = RelayChain(
        SmtpRelay("primary", settings.smtp),
        SmtpRelay("fallback", settings.smtp_fallback) if settings.smtp_fallback else None,
        failover_after=settings.delivery.failover_after,
        cooldown_seconds=settings.delivery.failover_cooldown_seconds,
    )
    delivery = settings.delivery
    container = Container(
        platform=platform,
        uow=platform.units_of_work(UnitOfWork),
        retention_uow=platform.units_of_work(RetentionUnitOfWork),
        settings=settings,
        clock=SystemClock(),
        policy=Policy(
            report_days_before=tuple(settings.reminders.report_days_before),
            report_local_time=settings.reminders.report_local_time,
            run_hours_before=settings.reminders.run_hours_before,
            run_late_hours_before=settings.reminders.run_late_hours_before,
            scoring_hours_before=settings.reminders.scoring_hours_before,
        ),
        delivery=DeliveryPolicy(
            quiet_hours=QuietHours(settings.quiet_hours.start, settings.quiet_hours.end),
            batch_size=delivery.batch_size,
            max_attempts=delivery.max_attempts,
            retry_base_seconds=delivery.retry_base_seconds,
            retry_cap_seconds=delivery.retry_cap_seconds,
            details_wait_seconds=delivery.details_wait_seconds,
            details_poll_seconds=delivery.details_poll_seconds,
            sending_lease_seconds=delivery.sending_lease_seconds,
        ),
        composer=MessageComposer(
            TemplateRenderer(links),
            settings.mail.message_id_domain,
            Organizer(settings.mail.sender, settings.mail.sender_name),
        ),
        mailer=SmtpMailer(
            relays,
            sender=settings.mail.sender,
            sender_name=settings.mail.sender_name,
            domain=settings.mail.message_id_domain,
            preferences_url=links.preferences,
        ),
        retention=retention_policy(settings.retention),
    )
    platform.add_consumer(SERVICE, handlers(container), public=False)
    platform.every(delivery.poll_seconds, container.deliver_due, name="delivery")
    platform.every(settings.retention.poll_seconds, container.erase_expired, name="retention")
    return container
