"""Certificates: issued on completion with an unguessable code, worded once in three languages, revocable."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from ibermuseos_contracts.courses import CertificateIssuedV1, CertificateRevokedV1, OfferingKind
from ibermuseos_contracts.types import Localized
from ibermuseos_kernel.errors import Conflict
from ibermuseos_kernel.events import RecordsEvents
from ibermuseos_kernel.zones import zone

from .enrolments import Enrolment, EnrolmentStatus
from .runs import Run
from .status_lists import StatusEntry

_MONTHS = {
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "en": "January February March April May June July August September October November December",
}
_KIND = {
    OfferingKind.TRAINING_COURSE: Localized(
        es="curso de formación", pt="curso de formação", en="training course"
    ),
    OfferingKind.MINI_COURSE: Localized(
        es="Mini Curso Ibermuseos de Capacitación",
        pt="Minicurso Ibermuseos de Capacitação",
        en="Ibermuseos Mini Course",
    ),
    OfferingKind.CONVERSATORIO: Localized(es="conversatorio", pt="conversatório", en="conversatorio"),
}


def long_date(day: date, language: str) -> str:
    month = _MONTHS[language].split()[day.month - 1]
    return f"{day.day} {month} {day.year}" if language == "en" else f"{day.day} de {month} de {day.year}"


def _hours(hours: Decimal, language: str) -> str:
    text = f"{hours.normalize():f}"
    return text if language == "en" else text.replace(".", ",")


def _dates(first: date, last: date, language: str) -> str:
    if first == last:
        return {"es": "el ", "pt": "em ", "en": "on "}[language] + long_date(first, language)
    start, end = long_date(first, language), long_date(last, language)
    return {"es": f"del {start} al {end}", "pt": f"de {start} a {end}", "en": f"from {start} to {end}"}[
        language
    ]


@dataclass(frozen=True)
class Signatory:
    """Who signs certificates for the program's coordination: a name, and a role in the three languages."""

    name: str
    role: Localized


@dataclass(frozen=True)
class Wording:
    """What the certificate says, in the three languages, fixed when it is issued."""

    issuer: str
    heading: Localized
    statement: Localized
    title: Localized
    timezone: str
    """The zone every date of the certificate is told in: the run's, in which the statement's dates are written."""
    signatory: Signatory | None = None
    """Who signed it when it was issued; None for certificates issued before signatures were kept."""

    def signed_by(self, configured: Signatory) -> Signatory:
        """Who signed it: the signatory kept at issue, else (issued before signatures were kept) the one configured."""
        return self.signatory or configured

    @classmethod
    def of(cls, *, issuer: str, holder: str, run: Run, signatory: Signatory) -> "Wording":
        tz = zone(run.timezone)
        first, last = run.starts_at.astimezone(tz).date(), run.ends_at.astimezone(tz).date()
        attended = run.kind is OfferingKind.CONVERSATORIO
        texts = {}
        for lang in ("es", "pt", "en"):
            title, kind = run.title.in_language(lang), _KIND[run.kind].in_language(lang)
            hours, dates = _hours(run.hours, lang), _dates(first, last, lang)
            texts[lang] = {
                "es": (
                    f"{issuer} certifica que {holder} participó en el {kind} «{title}», de {hours} horas, realizado {dates}."
                    if attended
                    else f"{issuer} certifica que {holder} completó el {kind} «{title}», de {hours} horas, realizado {dates}."
                ),
                "pt": (
                    f"{issuer} certifica que {holder} participou do {kind} «{title}», com carga horária de {hours} horas, realizado {dates}."
                    if attended
                    else f"{issuer} certifica que {holder} concluiu o {kind} «{title}», com carga horária de {hours} horas, realizado {dates}."
                ),
                "en": (
                    f"{issuer} certifies that {holder} attended the {kind} “{title}”, {hours} hours, held {dates}."
                    if attended
                    else f"{issuer} certifies that {holder} completed the {kind} “{title}”, {hours} hours, held {dates}."
                ),
            }[lang]
        heading = (
            Localized(
                es="Certificado de participación",
                pt="Certificado de participação",
                en="Certificate of attendance",
            )
            if attended
            else Localized(
                es="Certificado de aprobación", pt="Certificado de conclusão", en="Certificate of completion"
            )
        )
        return cls(
            issuer=issuer,
            heading=heading,
            statement=Localized(**texts),
            title=run.title,
            timezone=run.timezone,
            signatory=signatory,
        )


class CertificateStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"


@dataclass
class Certificate(RecordsEvents):
    id: UUID
    enrolment_id: UUID
    run_id: UUID
    offering_id: UUID
    kind: OfferingKind
    person_id: str
    country: str
    holder_name: str
    code: str
    wording: Wording
    hours: Decimal
    completed_on: date
    issued_at: datetime
    language: str
    """The holder's preferred language: the PDF's language unless the reader asks for another."""
    status: CertificateStatus = CertificateStatus.VALID
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revocation_reason: str | None = None
    status_entry: StatusEntry | None = None
    """Its bit in a published status list; None for certificates issued before status lists existed."""

    @classmethod
    def issue(
        cls,
        *,
        id: UUID,
        enrolment: Enrolment,
        run: Run,
        code: str,
        issuer: str,
        signatory: Signatory,
        verification_url: str,
        now: datetime,
        status_entry: StatusEntry | None = None,
    ) -> "Certificate":
        """Only a completed enrolment of an offering that certifies earns a certificate."""
        if enrolment.status is not EnrolmentStatus.COMPLETED or not run.certificate:
            raise Conflict(
                "no certificate: the enrolment was not completed, or the offering gives none",
                code="not_completed",
            )
        holder = enrolment.participant.name
        completed_on = run.ends_at.astimezone(zone(run.timezone)).date()
        certificate = cls(
            id=id,
            enrolment_id=enrolment.id,
            run_id=run.id,
            offering_id=run.offering_id,
            kind=run.kind,
            person_id=enrolment.person_id,
            country=enrolment.country,
            holder_name=holder,
            code=code,
            wording=Wording.of(issuer=issuer, holder=holder, run=run, signatory=signatory),
            hours=run.hours,
            completed_on=completed_on,
            issued_at=now,
            language=enrolment.participant.preferred_language,
            status_entry=status_entry,
        )
        certificate._record(
            CertificateIssuedV1(
                certificate_id=id,
                enrolment_id=enrolment.id,
                run_id=run.id,
                offering_id=run.offering_id,
                kind=run.kind,
                person_id=enrolment.person_id,
                holder_name=holder,
                verification_code=code,
                title=run.title,
                hours=run.hours,
                completed_on=completed_on,
                issued_at=now,
                verification_url=verification_url,
            )
        )
        return certificate

    def day_of(self, moment: datetime) -> date:
        """The day `moment` falls on in the certificate's zone, the one all its dates are told in."""
        return moment.astimezone(zone(self.wording.timezone)).date()

    @property
    def issued_on(self) -> date:
        return self.day_of(self.issued_at)

    @property
    def revoked_on(self) -> date | None:
        return self.day_of(self.revoked_at) if self.revoked_at else None

    def revoke(self, *, reason: str, by: str, now: datetime) -> None:
        """Revocation is final and says why and who; verification says revoked from then on."""
        if self.status is CertificateStatus.REVOKED:
            raise Conflict("the certificate is already revoked", code="certificate_revoked")
        self.status = CertificateStatus.REVOKED
        self.revoked_at = now
        self.revoked_by = by
        self.revocation_reason = reason
        self._record(
            CertificateRevokedV1(
                certificate_id=self.id, person_id=self.person_id, reason=reason, revoked_at=now
            )
        )
