"""Commands on certificates: who issues and signs them, and revoking one with a reason."""

from dataclasses import dataclass
from uuid import UUID

from ibermuseos_kernel.caller import Caller
from ibermuseos_kernel.clock import Clock
from ibermuseos_kernel.errors import NotFound

from ..domain.certificates import Certificate, Signatory
from ..domain.codes import formatted
from .access import check_coordinator, may_see_certificate
from .ports import UnitOfWork
from .status_entries import revoke_status


@dataclass(frozen=True)
class CertificateIssuer:
    """Who the certificates name as issuer and who signs them, and where their codes are verified."""

    name: str
    verification_base_url: str
    signatory: Signatory
    status_list_size: int = 131_072
    """Bits of each new revocation list (the specification's minimum, 16 KB, by default)."""

    def url(self, code: str) -> str:
        return f"{self.verification_base_url.rstrip('/')}/verify/{formatted(code)}"


@dataclass(frozen=True)
class RevokeCertificate:
    certificate_id: UUID
    reason: str
    caller: Caller


async def revoke_certificate(command: RevokeCertificate, uow: UnitOfWork, clock: Clock) -> Certificate:
    """Coordinators revoke a certificate with a reason; who and when are kept (CertificateRevoked), and
    its bit in the published status list is set in the same transaction."""
    async with uow:
        certificate = await uow.certificates.get(command.certificate_id, lock=True)
        if certificate is None or not may_see_certificate(command.caller, certificate):
            raise NotFound("No such certificate")
        check_coordinator(command.caller, "revoke certificates")
        now = clock.now()
        certificate.revoke(reason=command.reason, by=command.caller.subject, now=now)
        await revoke_status(uow, certificate.status_entry, now)
        await uow.commit()
    return certificate
