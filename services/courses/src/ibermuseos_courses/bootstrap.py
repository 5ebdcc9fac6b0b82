"""The composition root: builds the service's parts from its settings, inside the FastAPI lifespan."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from ibermuseos_contracts.courses import CERTIFICATE, ENROLMENT, OFFERING, RUN
from ibermuseos_kernel.clock import Clock, SystemClock
from ibermuseos_platform.idempotency import IdempotencyKeys
from ibermuseos_platform.ratelimit import RateLimiter
from ibermuseos_platform.runtime import Platform, PlatformSettings

from . import SERVICE
from .adapters.credentials import CredentialSigner
from .adapters.repository import UnitOfWork
from .adapters.tables import metadata
from .application.attendance import close_ended_runs
from .application.certificates import CertificateIssuer
from .application.runs import lapse_waitlists
from .settings import Settings


@dataclass
class Container:
    platform: Platform
    uow: Callable[[], UnitOfWork]
    settings: Settings
    clock: Clock
    idempotency: IdempotencyKeys[UnitOfWork]
    issuer: CertificateIssuer
    signer: CredentialSigner
    verify_limiter: RateLimiter


def bootstrap(settings: Settings) -> Container:
    platform = Platform(
        PlatformSettings.of(SERVICE, settings),
        metadata,
        publishes=[OFFERING, RUN, ENROLMENT, CERTIFICATE],
    )
    certificates = settings.certificates
    key = certificates.signing_key
    container = Container(
        platform=platform,
        uow=platform.units_of_work(UnitOfWork),
        settings=settings,
        clock=SystemClock(),
        idempotency=platform.idempotency_keys(UnitOfWork),
        issuer=CertificateIssuer(
            certificates.issuer_name,
            certificates.public_base_url,
            certificates.signatory,
            certificates.status_list_size,
        ),
        signer=CredentialSigner(
            private_key_pem=key.get_secret_value() if key else None,
            key_id=certificates.key_id,
            issuer_name=certificates.issuer_name,
            base_url=certificates.public_base_url,
        ),
        verify_limiter=RateLimiter(certificates.verify_rate_per_second, certificates.verify_burst),
    )

    async def close_runs() -> None:
        await close_ended_runs(
            container.uow,
            container.clock,
            container.issuer,
            after=timedelta(hours=settings.runs.close_after_hours),
        )

    platform.every(settings.runs.close_check_interval_seconds, close_runs, name="close-ended-runs")

    async def lapse() -> None:
        await lapse_waitlists(container.uow, container.clock)

    platform.every(settings.runs.lapse_check_interval_seconds, lapse, name="lapse-waitlists")
    return container
