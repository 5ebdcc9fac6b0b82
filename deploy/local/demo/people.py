"""The demo's people, their tokens from the development issuer, and the services' URLs."""

import os
from dataclasses import dataclass
from pathlib import Path

from ibermuseos_platform.dev_issuer import DevIssuer


@dataclass(frozen=True)
class Person:
    key: str
    label: str
    roles: tuple[str, ...]
    country: str | None
    name: str
    email: str


PEOPLE = [
    Person(
        "coordinator",
        "Coordination unit (Mexico)",
        ("coordinator",),
        "MX",
        "Lucía Hernández",
        "coordinacion@ibermuseos.example",
    ),
    Person(
        "focal_br",
        "Focal point of Brazil",
        ("focal_point",),
        "BR",
        "João Pereira",
        "ponto.focal.br@ibermuseos.example",
    ),
    Person(
        "focal_pe",
        "Focal point of Peru",
        ("focal_point",),
        "PE",
        "Rosa Quispe",
        "punto.focal.pe@ibermuseos.example",
    ),
    Person(
        "evaluator_es",
        "Evaluator of the technical panel (Spain)",
        ("evaluator",),
        "ES",
        "Marta Gil",
        "marta.gil@ibermuseos.example",
    ),
    Person(
        "evaluator_uy",
        "Evaluator of the technical panel (Uruguay)",
        ("evaluator",),
        "UY",
        "Pablo Ferreira",
        "pablo.ferreira@ibermuseos.example",
    ),
    Person(
        "instructor", "Instructor", ("instructor",), "CO", "Andrés Gómez", "andres.gomez@ibermuseos.example"
    ),
    Person(
        "ana",
        "Participant Ana Souza (Brazil)",
        ("participant",),
        "BR",
        "Ana Souza",
        "ana.souza@museu.example",
    ),
    Person(
        "carlos",
        "Participant Carlos Mamani (Peru)",
        ("participant",),
        "PE",
        "Carlos Mamani",
        "carlos.mamani@museo.example",
    ),
    Person("operator", "Operator", ("operator",), None, "Ops", "ops@ibermuseos.example"),
]


@dataclass(frozen=True)
class CohortMember:
    """One of the museum workers of the demo's mini course cohort (tokens are minted, not printed)."""

    key: str
    name: str
    email: str
    country: str
    city: str
    museum: str
    language: str
    timezone: str
    gender: str


_COHORT_PLACES = [
    ("AR", "Buenos Aires", "Museo Nacional de Bellas Artes", "es", "America/Argentina/Buenos_Aires"),
    ("BR", "São Paulo", "Pinacoteca de São Paulo", "pt-BR", "America/Sao_Paulo"),
    ("CL", "Santiago", "Museo Nacional de Historia Natural", "es", "America/Santiago"),
    ("CO", "Bogotá", "Museo del Oro", "es", "America/Bogota"),
    ("MX", "Ciudad de México", "Museo Nacional de Antropología", "es", "America/Mexico_City"),
    ("PE", "Lima", "Museo de Arte de Lima", "es", "America/Lima"),
    ("PT", "Lisboa", "Museu Nacional do Azulejo", "pt", "Europe/Lisbon"),
    ("UY", "Montevideo", "Museo Torres García", "es", "America/Montevideo"),
]
_GENDERS = ["female", "male", "female", "non_binary", "female", "male"]


def cohort() -> list[CohortMember]:
    """48 museum workers, six from each of eight countries, so that public figures show real numbers."""
    members = []
    for country, city, museum, language, timezone in _COHORT_PLACES:
        for n in range(6):
            key = f"cohort-{country.lower()}-{n}"
            members.append(
                CohortMember(
                    key,
                    f"Participante {country} {n + 1}",
                    f"{key}@museo.example",
                    country,
                    city,
                    museum,
                    language,
                    timezone,
                    _GENDERS[n],
                )
            )
    return members


def mint_tokens(issuer_dir: Path) -> dict[str, str]:
    issuer = DevIssuer(issuer_dir)
    tokens = {
        p.key: issuer.token(
            f"demo-{p.key}", roles=list(p.roles), country=p.country, name=p.name, email=p.email
        )
        for p in PEOPLE
    }
    for member in cohort():
        tokens[member.key] = issuer.token(
            f"demo-{member.key}",
            roles=["participant"],
            country=member.country,
            name=member.name,
            email=member.email,
        )
    return tokens


class Urls:
    def __init__(self) -> None:
        self.applications = os.environ.get("APPLICATIONS_URL", "http://127.0.0.1:8001")
        self.courses = os.environ.get("COURSES_URL", "http://127.0.0.1:8002")
        self.notifications = os.environ.get("NOTIFICATIONS_URL", "http://127.0.0.1:8003")
        self.reporting = os.environ.get("REPORTING_URL", "http://127.0.0.1:8004")

    def services(self) -> dict[str, str]:
        return {
            "applications": self.applications,
            "courses": self.courses,
            "notifications": self.notifications,
            "reporting": self.reporting,
        }


def bearer(token: str, idempotency_key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    return headers
