"""Builders of calls and applications for the domain's unit tests."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from ibermuseos_applications.domain.applications import Application
from ibermuseos_applications.domain.calls import Call, CallTerms, PanelMember
from ibermuseos_applications.domain.eligibility import History
from ibermuseos_applications.domain.evaluations import Evaluation
from ibermuseos_applications.domain.forms import Form

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)

TERMS: dict[str, Any] = {
    "year": 2027,
    "title": {"es": "Becas de formación 2027", "pt": "Bolsas de formação 2027", "en": "Training grants 2027"},
    "rules": {"es": "Bases", "pt": "Regras", "en": "Rules"},
    "opens_at": "2027-02-01T00:00:00-06:00",
    "closes_at": "2027-03-31T23:59:00-06:00",
    "timezone": "America/Mexico_City",
    "currency": "USD",
    "budget": "10000.00",
    "max_per_grant": "2000.00",
    "eligible_residence_countries": ["AR", "BR", "CL", "CO", "MX", "PE", "UY"],
    "eligible_host_countries": ["AR", "BR", "CL", "CO", "ES", "MX", "PE", "PT", "UY"],
    "eligible_activity_kinds": ["course", "seminar", "workshop", "congress"],
    "activities_from": "2027-04-01",
    "activities_until": "2027-12-31",
    "criteria": [
        {
            "id": "relevance",
            "name": {"es": "Pertinencia", "pt": "Pertinência", "en": "Relevance"},
            "weight": "3",
        },
        {"id": "impact", "name": {"es": "Impacto", "pt": "Impacto", "en": "Impact"}, "weight": "2"},
        {"id": "budget", "name": {"es": "Presupuesto", "pt": "Orçamento", "en": "Budget"}, "weight": "1"},
    ],
    "evaluators_per_application": 2,
}


def form_data(
    country: str = "BR", host: str = "MX", amount: str = "1500.00", **changes: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "applicant": {
            "name": "Ana Souza",
            "email": f"ana.{country.lower()}@museu.example",
            "preferred_language": "pt-BR",
            "role": "Conservadora",
            "country_of_residence": country,
        },
        "institution": {
            "name": "Museu Nacional",
            "type": "museum",
            "city": "Rio de Janeiro",
            "country": country,
        },
        "activity": {
            "title": "Conservação preventiva",
            "organiser": "INAH",
            "kind": "course",
            "host_country": host,
            "host_city": "Ciudad de México",
            "starts_on": "2027-05-10",
            "ends_on": "2027-05-21",
            "modality": "in_person",
        },
        "budget": {"travel": amount},
        "motivation": "Levar a conservação preventiva ao acervo.",
        "replication_commitment": True,
    }
    for path, value in changes.items():
        section, _, name = path.partition("__")
        if name:
            data[section][name] = value
        else:
            data[section] = value
    return data


@dataclass
class Build:
    """Makes calls and applications in a given state; each test says only what matters to it."""

    now: datetime = NOW
    counter: int = field(default=0)
    evaluations: dict[uuid.UUID, Evaluation] = field(default_factory=dict)
    """The evaluation of every application built, by application id (what ranking reads)."""

    def terms(self, **changes: Any) -> CallTerms:
        return CallTerms.model_validate({**TERMS, **changes})

    def call(self, *, published: bool = True, **changes: Any) -> Call:
        call = Call.draft(
            id=uuid.uuid4(), terms=self.terms(**changes), created_by="coordinator", now=self.now
        )
        if published:
            call.publish(self.now)
        call.pull_events()
        return call

    def panel(self, call: Call, *countries: str) -> list[PanelMember]:
        members = [
            PanelMember(f"evaluator-{country.lower()}-{n}", country) for n, country in enumerate(countries)
        ]
        call.register_panel(members, evaluation_started=False)
        return members

    def draft(self, call: Call, *, applicant: str | None = None, **form: Any) -> Application:
        self.counter += 1
        return Application.start(
            id=uuid.uuid4(),
            call=call,
            applicant_id=applicant or f"applicant-{self.counter}",
            form=Form.model_validate(form_data(**form)),
            now=self.now,
        )

    def submitted(
        self, call: Call, *, history: History | None = None, at: datetime | None = None, **form: Any
    ) -> Application:
        application = self.draft(call, **form)
        application.submit(call=call, history=history or History(), now=at or self.now)
        return application

    def evaluated(
        self, call: Call, scores: list[dict[str, str]], *, at: datetime | None = None, **form: Any
    ) -> Application:
        """Submitted, assigned to one evaluator per score given (all the evaluators it needs), and scored."""
        application = self.submitted(call, at=at, **form)
        terms = call.terms.model_copy(update={"evaluators_per_application": len(scores)})
        evaluators = [PanelMember(f"ev-{n}", "ES") for n in range(len(scores))]
        evaluation = self.evaluation(application)
        evaluation.assign(evaluators, application=application, terms=terms, now=self.now)
        for evaluator, given in zip(evaluators, scores, strict=True):
            evaluation.score(
                application=application,
                terms=terms,
                evaluator_id=evaluator.evaluator_id,
                scores={name: Decimal(value) for name, value in given.items()},
                comments={name: "because" for name in given},
                now=self.now,
            )
        application.pull_events()
        evaluation.pull_events()
        return application

    def evaluation(self, application: Application) -> Evaluation:
        """The application's evaluation (the same one each time it is asked for)."""
        return self.evaluations.setdefault(application.id, Evaluation.of(application))

    def closed(self, call: Call) -> Call:
        call.close(now=call.terms.closes_at + timedelta(seconds=1), applications_submitted=0)
        call.pull_events()
        return call


@pytest.fixture
def build() -> Build:
    return Build()


@pytest.fixture
def today() -> date:
    return NOW.date()
