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


def mint_tokens(issuer_dir: Path) -> dict[str, str]:
    issuer = DevIssuer(issuer_dir)
    return {
        p.key: issuer.token(
            f"demo-{p.key}", roles=list(p.roles), country=p.country, name=p.name, email=p.email
        )
        for p in PEOPLE
    }


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
