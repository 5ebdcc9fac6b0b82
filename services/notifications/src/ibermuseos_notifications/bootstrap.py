"""The composition root: builds the service's parts from its settings, inside the FastAPI lifespan."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from ibermuseos_contracts import Event
from ibermuseos_contracts.notifications import MESSAGE
from ibermuseos_platform.consumer import Handler
from ibermuseos_platform.idempotency import IdempotencyKeys
from ibermuseos_platform.runtime import Platform, PlatformSettings

from . import SERVICE
from .adapters.composer import MessageComposer
from .adapters.mail import RelayChain, SmtpMailer, SmtpRelay
from .adapters.rendering import Links, TemplateRenderer
from .adapters.repository import UnitOfWork
from .adapters.tables import metadata
from .application.delivery import deliver_due
from .application.ports import DeliveryPolicy, Policy
from .domain.timezones import QuietHours
from .settings import Settings


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Container:
    platform: Platform
    settings: Settings
    clock: SystemClock
    idempotency: IdempotencyKeys
    policy: Policy
    delivery: DeliveryPolicy
    composer: MessageComposer
    mailer: SmtpMailer

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.platform.sessions, self.platform.outbox)

    async def deliver_due(self) -> int:
        return await deliver_due(self.uow, self.composer, self.mailer, self.clock, self.delivery)


def bootstrap(
    settings: Settings, handlers: Callable[["Container"], Mapping[type[Event], Handler]]
) -> Container:
    """The service's parts; `handlers` (from the entrypoints) turns the container into the event handlers."""
    platform = Platform(
        PlatformSettings(SERVICE, settings.database, settings.kafka, settings.outbox, settings.privacy),
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
        settings=settings,
        clock=SystemClock(),
        idempotency=IdempotencyKeys(metadata.tables["idempotency_keys"], platform.sessions),
        policy=Policy(
            report_days_before=tuple(settings.reminders.report_days_before),
            report_local_time=settings.reminders.report_local_time,
            run_hours_before=settings.reminders.run_hours_before,
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
        ),
        composer=MessageComposer(TemplateRenderer(links), settings.mail.message_id_domain),
        mailer=SmtpMailer(
            relays,
            sender=settings.mail.sender,
            sender_name=settings.mail.sender_name,
            domain=settings.mail.message_id_domain,
            preferences_url=links.preferences,
        ),
    )
    platform.add_consumer(SERVICE, handlers(container), public=False)
    platform.every(delivery.poll_seconds, container.deliver_due, name="delivery")
    return container
