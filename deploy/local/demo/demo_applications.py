"""Demo data of the applications service: a closed call with its results, and an open call.

The closed call shows an application in every state after the results (reported, accepted,
declined, awarded and awaiting an answer, promoted from the waitlist, waitlisted, rejected,
ineligible, withdrawn); the open call has a submitted application with a document, a
question waiting for its answer, and a draft. Every step checks the state first or
carries a fixed Idempotency-Key, so loading twice changes nothing.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from ibermuseos_platform.dev_issuer import DevIssuer
from people import Urls, bearer

REPO = Path(__file__).resolve().parents[3]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CRITERIA = [
    {"id": "relevance", "name": {"es": "Pertinencia", "pt": "Pertinência", "en": "Relevance"}, "weight": "3"},
    {
        "id": "impact",
        "name": {"es": "Impacto y réplica", "pt": "Impacto e réplica", "en": "Impact and replication"},
        "weight": "2",
    },
    {"id": "budget", "name": {"es": "Presupuesto", "pt": "Orçamento", "en": "Budget"}, "weight": "1"},
]

# The closed call's applicants: (key, country, name, requested, score, what happens to them).
CLOSED_CALL = [
    ("sofia", "AR", "Sofía Benítez", "1800", 9, "reports"),
    ("ana", "BR", "Ana Souza", "1500", 8.5, "accepts"),
    ("valentina", "CL", "Valentina Rojas", "2000", 8, "declines"),
    ("mateo", "CO", "Mateo Cárdenas", "1200", 7.5, "awaits"),
    ("carlos", "PE", "Carlos Mamani", "1600", 7, "promoted"),
    ("lucia", "UY", "Lucía Pereyra", "2000", 6, "waitlisted"),
    ("diego", "MX", "Diego Ramírez", "1700", 5, "rejected"),
    ("camila", "EC", "Camila Andrade", "2400", 0, "ineligible"),
    ("martin", "AR", "Martín Acosta", "1000", 0, "withdraws"),
]


class Demo:
    def __init__(self, client: httpx.Client, urls: Urls, tokens: dict[str, str]) -> None:
        self.client = client
        self.url = urls.applications
        self.tokens = dict(tokens)
        issuer = DevIssuer(REPO / ".run" / "dev-issuer")
        for key, country, name, *_ in CLOSED_CALL:
            if key not in self.tokens:
                self.tokens[key] = issuer.token(
                    f"demo-{key}",
                    roles=["participant"],
                    country=country,
                    name=name,
                    email=f"{key}@museo.example",
                )
        self.tokens["paula"] = issuer.token(
            "demo-paula",
            roles=["participant"],
            country="CL",
            name="Paula Fuentes",
            email="paula@museo.example",
        )

    def call(self, method: str, path: str, who: str, key: str | None = None, **kwargs: Any) -> Any:
        response = self.client.request(
            method, self.url + path, headers=bearer(self.tokens[who], key), **kwargs
        )
        if response.status_code >= 300:
            raise RuntimeError(
                f"applications demo: {method} {path} -> {response.status_code} {response.text}"
            )
        return response.json() if response.content else None

    def open_call(self, terms: dict[str, Any]) -> dict[str, Any]:
        """The demo call with these terms' title, drafted and published unless it already exists."""
        existing = self.call("GET", "/calls?limit=100", "coordinator")["items"]
        found = [c for c in existing if c["terms"]["title"]["es"] == terms["title"]["es"]]
        call = found[0] if found else self.call("POST", "/calls", "coordinator", json=terms)
        if call["status"] == "draft":
            call = self.call("POST", f"/calls/{call['id']}/publish", "coordinator")
        return dict(call)

    def application(self, call_id: str, who: str, form: dict[str, Any]) -> dict[str, Any]:
        """The person's application to the call, started unless they already have one."""
        mine = self.call("GET", f"/applications?call_id={call_id}", who)["items"]
        if not mine:
            mine = [
                self.call("POST", f"/calls/{call_id}/applications", who, f"demo-{call_id}-{who}", json=form)
            ]
        return dict(self.call("GET", f"/applications/{mine[0]['id']}", who))

    def submitted(self, call_id: str, who: str, form: dict[str, Any]) -> dict[str, Any]:
        application = self.application(call_id, who, form)
        if application["status"] == "draft":
            application = self.call("POST", f"/applications/{application['id']}/submit", who)
        return application


def terms(
    year: int, opens: datetime, closes: datetime, activities: tuple[str, str], **changes: Any
) -> dict[str, Any]:
    return {
        "year": year,
        "title": {
            "es": f"Becas de Formación Ibermuseos {year}",
            "pt": f"Bolsas de Formação Ibermuseus {year}",
            "en": f"Ibermuseos Training Grants {year}",
        },
        "rules": {
            "es": "Becas para la participación de trabajadores de museos en cursos, seminarios, talleres y congresos en países iberoamericanos. Las personas becadas se comprometen a replicar lo aprendido en su institución.",
            "pt": "Bolsas para a participação de trabalhadores de museus em cursos, seminários, oficinas e congressos em países ibero-americanos. As pessoas contempladas comprometem-se a replicar o aprendido em sua instituição.",
            "en": "Grants for museum workers to attend courses, seminars, workshops and congresses in Ibero-American countries. Grantees commit to replicate what they learn at their institution.",
        },
        "opens_at": opens.isoformat(),
        "closes_at": closes.isoformat(),
        "timezone": "America/Mexico_City",
        "currency": "USD",
        "budget": "8000.00",
        "max_per_grant": "2000.00",
        "eligible_residence_countries": [
            "AR",
            "BR",
            "CL",
            "CO",
            "CR",
            "CU",
            "EC",
            "ES",
            "MX",
            "PE",
            "PT",
            "UY",
        ],
        "eligible_host_countries": ["AR", "BR", "CL", "CO", "CR", "CU", "EC", "ES", "MX", "PE", "PT", "UY"],
        "eligible_activity_kinds": ["course", "seminar", "workshop", "congress"],
        "activities_from": activities[0],
        "activities_until": activities[1],
        "criteria": CRITERIA,
        "evaluators_per_application": 1,
        **changes,
    }


def form(country: str, key: str, amount: str, starts: str, ends: str) -> dict[str, Any]:
    """The applicant's form; their name and e-mail are their sign-in's."""
    host = "MX" if country != "MX" else "CO"
    language = {"BR": "pt-BR", "PT": "pt"}.get(country, "es")
    return {
        "applicant": {
            "preferred_language": language,
            "role": "Conservadora" if key in ("ana", "sofia", "lucia") else "Museógrafo",
            "country_of_residence": country,
        },
        "institution": {
            "name": f"Museo Nacional ({country})",
            "type": "museum",
            "city": "Capital",
            "country": country,
        },
        "activity": {
            "title": "Curso internacional de conservación preventiva",
            "organiser": "INAH – Escuela Nacional de Conservación",
            "kind": "course",
            "host_country": host,
            "host_city": "Ciudad de México" if host == "MX" else "Bogotá",
            "starts_on": starts,
            "ends_on": ends,
            "modality": "in_person",
            "link": "https://encrym.example/curso-conservacion",
        },
        "budget": {
            "travel": str(int(amount) - 400),
            "registration": "150",
            "lodging": "200",
            "subsistence": "50",
        },
        "motivation": "Fortalecer la conservación preventiva del acervo y formar al equipo del museo.",
        "replication_commitment": True,
    }


def load(client: httpx.Client, urls: Urls, tokens: dict[str, str]) -> None:
    demo = Demo(client, urls, tokens)
    now = datetime.now(UTC)
    today = now.date()
    past = (str(today - timedelta(days=330)), str(today - timedelta(days=3)))
    closed_call = demo.open_call(
        terms(today.year, now - timedelta(days=1), now + timedelta(days=30), past),
    )
    call_id = closed_call["id"]
    applications: dict[str, dict[str, Any]] = {}
    for key, country, _, amount, _, _ in CLOSED_CALL:
        starts, ends = str(today - timedelta(days=60)), str(today - timedelta(days=50))
        applications[key] = demo.submitted(call_id, key, form(country, key, amount, starts, ends))
    if applications["martin"]["status"] == "eligible":
        demo.call("POST", f"/applications/{applications['martin']['id']}/withdraw", "martin")

    call = demo.call("GET", f"/calls/{call_id}", "coordinator")
    if call["status"] == "open":
        demo.call(
            "POST",
            f"/calls/{call_id}/close",
            "coordinator",
            json={"justification": "Demo: closed early to show evaluation and results"},
        )
    call = demo.call("GET", f"/calls/{call_id}", "coordinator")
    if call["status"] == "closed":
        if not call["panel"]:
            demo.call(
                "PUT",
                f"/calls/{call_id}/panel",
                "coordinator",
                json={
                    "evaluators": [
                        {"evaluator_id": "demo-evaluator_es", "country": "ES"},
                        {"evaluator_id": "demo-evaluator_uy", "country": "UY"},
                    ]
                },
            )
        demo.call("POST", f"/calls/{call_id}/assignments", "coordinator")
        scores = {f"demo-{key}": score for key, _, _, _, score, _ in CLOSED_CALL}
        for evaluator in ("evaluator_es", "evaluator_uy"):
            mine = demo.call("GET", f"/evaluations?call_id={call_id}&limit=100", evaluator)["items"]
            for item in mine:
                if item["status"] != "to_score":
                    continue
                applicant = next(a for a in applications.values() if a["id"] == item["application_id"])
                score = scores[applicant["applicant_id"]]
                demo.call(
                    "POST",
                    f"/evaluations/{item['application_id']}/scores",
                    evaluator,
                    json={
                        "scores": {
                            "relevance": {"score": str(score), "comment": "Pertinente para la institución"},
                            "impact": {"score": str(score), "comment": "Plan de réplica concreto"},
                            "budget": {"score": str(score), "comment": "Presupuesto ajustado"},
                        }
                    },
                )
        demo.call(
            "POST",
            f"/calls/{call_id}/proposal",
            "coordinator",
            json={"max_awards_per_country": 2, "waitlist_length": 2},
        )
        demo.call("POST", f"/calls/{call_id}/results", "coordinator")

    for key, *_, fate in CLOSED_CALL:
        application = demo.call("GET", f"/applications/{applications[key]['id']}", key)
        if application["status"] != "awarded":
            continue
        if fate in ("reports", "accepts"):
            demo.call("POST", f"/applications/{application['id']}/accept", key)
        elif fate == "declines":
            demo.call("POST", f"/applications/{application['id']}/decline", key)
    sofia = demo.call("GET", f"/applications/{applications['sofia']['id']}", "sofia")
    if sofia["status"] == "accepted":
        demo.call(
            "POST",
            f"/applications/{sofia['id']}/report",
            "sofia",
            json={
                "attended": True,
                "learned": "Diagnóstico de riesgos, control climático y planes de conservación preventiva.",
                "replications": [
                    {
                        "held_on": str(today - timedelta(days=20)),
                        "colleagues_trained": 14,
                        "institutions": [
                            {
                                "name": "Museo Nacional (AR)",
                                "type": "museum",
                                "city": "Capital",
                                "country": "AR",
                            },
                            {
                                "name": "Museo Provincial de Bellas Artes",
                                "type": "museum",
                                "city": "Córdoba",
                                "country": "AR",
                            },
                        ],
                    }
                ],
            },
        )

    # ------------------------------------------------------------------ next year's call, open now
    year = today.year + 1
    open_call = demo.open_call(
        terms(
            year,
            now - timedelta(days=1),
            now + timedelta(days=60),
            (f"{year}-01-01", f"{year}-12-31"),
            evaluators_per_application=2,
        ),
    )
    starts, ends = f"{year}-05-10", f"{year}-05-21"
    ana = demo.application(open_call["id"], "ana", form("BR", "ana", "1800", starts, ends))
    if ana["status"] == "draft":
        if not ana["documents"]:
            response = client.post(
                f"{demo.url}/applications/{ana['id']}/documents",
                params={"kind": "cv", "filename": "curriculo-ana-souza.pdf"},
                headers={**bearer(demo.tokens["ana"], "demo-ana-cv"), "Content-Type": "application/pdf"},
                content=PDF,
            )
            response.raise_for_status()
        demo.call("POST", f"/applications/{ana['id']}/submit", "ana")
    paula = demo.submitted(open_call["id"], "paula", form("CL", "paula", "1900", starts, ends))
    if paula["status"] == "eligible" and not paula["information_requests"]:
        demo.call(
            "POST",
            f"/applications/{paula['id']}/information-requests",
            "coordinator",
            json={"question": "¿Puede adjuntar la carta de admisión del organizador del curso?"},
        )
    demo.application(
        open_call["id"],
        "carlos",
        {
            "activity": {
                "title": "Seminario de museología comunitaria",
                "kind": "seminar",
                "host_country": "BO",
            }
        },
    )
    print(
        f"applications: closed call {call_id} with results; open call {open_call['id']} "
        "with a submitted application, a question for the applicant and a draft"
    )
