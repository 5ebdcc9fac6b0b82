"""The words around a certificate's frozen wording, shared by its PDF and its verification page, in es, pt and en.

Dates are told as the wording tells them (`long_date`), in the certificate's one zone, which both
name; hours as "40 h".
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location

from ..domain.certificates import long_date

LANGUAGES: Final = ("es", "pt", "en")


@dataclass(frozen=True)
class Labels:
    programme: str
    """The program's line, under the issuer's name."""
    awarded_to: str
    code: str
    verify: str
    hours: str
    completed: str
    issued: str
    signature: str
    dates_in: str
    """A sentence naming the zone of the dates, with `{zone}`."""
    verification: str
    valid: str
    valid_detail: str
    revoked: str
    revoked_detail: str
    revoked_on: str
    reason: str
    holder: str
    course: str
    issuer: str
    download: str
    credential: str
    language: str


LABELS: Final = {
    "es": Labels(
        programme="Formación y Capacitación",
        awarded_to="se otorga a",
        code="Código de verificación",
        verify="Verifique este certificado en",
        hours="Carga horaria",
        completed="Finalizado el",
        issued="Emitido el",
        signature="Firma",
        dates_in="Fechas en la hora de {zone}.",
        verification="Verificación de certificado",
        valid="Certificado válido",
        valid_detail="Este certificado fue emitido por el Programa Ibermuseos y está vigente.",
        revoked="Certificado revocado",
        revoked_detail="Este certificado fue revocado y ya no es válido.",
        revoked_on="Revocado el",
        reason="Motivo",
        holder="Titular",
        course="Curso",
        issuer="Emisor",
        download="Descargar el certificado (PDF)",
        credential="Credencial digital (Open Badges)",
        language="Idioma",
    ),
    "pt": Labels(
        programme="Formação e Capacitação",
        awarded_to="conferido a",
        code="Código de verificação",
        verify="Verifique este certificado em",
        hours="Carga horária",
        completed="Concluído em",
        issued="Emitido em",
        signature="Assinatura",
        dates_in="Datas no horário de {zone}.",
        verification="Verificação de certificado",
        valid="Certificado válido",
        valid_detail="Este certificado foi emitido pelo Programa Ibermuseos e está vigente.",
        revoked="Certificado revogado",
        revoked_detail="Este certificado foi revogado e não é mais válido.",
        revoked_on="Revogado em",
        reason="Motivo",
        holder="Titular",
        course="Curso",
        issuer="Emissor",
        download="Baixar o certificado (PDF)",
        credential="Credencial digital (Open Badges)",
        language="Idioma",
    ),
    "en": Labels(
        programme="Training and Capacity Building",
        awarded_to="awarded to",
        code="Verification code",
        verify="Verify this certificate at",
        hours="Hours",
        completed="Completed on",
        issued="Issued on",
        signature="Signature",
        dates_in="Dates in {zone} time.",
        verification="Certificate verification",
        valid="Valid certificate",
        valid_detail="This certificate was issued by the Ibermuseos Programme and is in force.",
        revoked="Revoked certificate",
        revoked_detail="This certificate was revoked and is no longer valid.",
        revoked_on="Revoked on",
        reason="Reason",
        holder="Holder",
        course="Course",
        issuer="Issuer",
        download="Download the certificate (PDF)",
        credential="Digital credential (Open Badges)",
        language="Language",
    ),
}


def language_of(requested: str | None, fallback: str) -> str:
    """es, pt or en: the one asked for, else the holder's, else Spanish."""
    for candidate in (requested, fallback):
        primary = (candidate or "").split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return "es"


def preferred_language(accept_language: str) -> str | None:
    """The reader's most wanted of es, pt and en by their `Accept-Language` (q-values weighed), if any."""
    ranked = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().split("-")[0].lower()
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if primary in LANGUAGES and weight > 0:
            ranked.append((-weight, position, primary))
    return min(ranked)[2] if ranked else None


def hours(value: Decimal, language: str) -> str:
    """40 h, 12,5 h (12.5 h in English)."""
    text = f"{value.normalize():f}"
    return f"{text if language == 'en' else text.replace('.', ',')}\u00a0h"


def day(value: date, language: str) -> str:
    """A date as the certificate's wording writes it: 21 de mayo de 2025, 21 May 2025."""
    return long_date(value, language)


def zone_name(timezone: str, language: str) -> str:
    """The zone as people name it: its city (Ciudad de México, São Paulo), or UTC."""
    if timezone in ("UTC", "Etc/UTC"):
        return "UTC"
    city = get_timezone_location(ZoneInfo(timezone), locale=language, return_city=True)
    return city.rsplit("/", 1)[-1]


def dates_in(timezone: str, language: str) -> str:
    """The sentence naming the one zone the certificate's dates are told in."""
    return LABELS[language].dates_in.format(zone=zone_name(timezone, language))
