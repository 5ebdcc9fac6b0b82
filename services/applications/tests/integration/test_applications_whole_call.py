"""A whole Training Grants call through the HTTP API, against the real database and broker: open, 20 applications
from several countries (some ineligible), screening with a question, assignment, scoring, ranking, awards within
the budget, one decline promoting the waitlist, reports; and the exact events on the private and public topics."""

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from ibermuseos_platform.testing.kafka import KafkaTestClient

pytestmark = pytest.mark.integration

COUNTRIES = ["AR", "BR", "CL", "CO", "MX", "PE", "UY"]
AMOUNTS = [
    "1500",
    "1800",
    "1200",
    "2000",
    "1600",
    "900",
    "1400",
    "1700",
    "1100",
    "1950",
    "1300",
    "1000",
    "1250",
    "1850",
]
PANEL = {"ev-es": "ES", "ev-pt": "PT", "ev-br": "BR", "ev-uy": "UY"}
PERSONAL = ("name", "email", "preferred_language")


def short(ce_type: bytes) -> str:
    return ce_type.decode().split(".")[-2]


def headers_of(record: Any) -> dict[str, bytes]:
    return dict(record.headers)


async def test_a_whole_call_from_opening_to_reports(api, kafka: KafkaTestClient) -> None:
    today = datetime.now(UTC).date()
    coordinator = api.coordinator
    call = await api.open_call()
    call_id = call["id"]
    expected: dict[str, list[str]] = defaultdict(list)

    # ------------------------------------------------------------------ 20 applications
    people = [api.who(f"applicant-{n}", "participant", country=COUNTRIES[n % 7]) for n in range(20)]
    forms = [api.form(COUNTRIES[n % 7], amount=f"{AMOUNTS[n]}.00") for n in range(14)]
    forms.append(api.form("AR", amount="1450.00"))  # 14: withdraws
    forms.append(api.form("BR", amount="1550.00"))  # 15: asked for more information
    forms.append(api.form("CL", host="US"))  # 16: host country not eligible
    forms.append(api.form("CO", amount="2500.00"))  # 17: over the cap
    forms.append(
        api.form(
            "MX",
            activity__starts_on=(today - timedelta(days=400)).isoformat(),
            activity__ends_on=(today - timedelta(days=390)).isoformat(),
        )
    )  # 18: outside the call's window
    forms.append(api.form("FR"))  # 19: residence not eligible
    applications = [
        await api.apply(call_id, person, form) for person, form in zip(people, forms, strict=True)
    ]
    ids = [application["id"] for application in applications]
    for n, application in enumerate(applications):
        assert application["status"] == ("ineligible" if n >= 16 else "eligible"), application
        expected[ids[n]] += [
            "ApplicationSubmitted",
            "ApplicationDeclaredIneligible" if n >= 16 else "ApplicationDeclaredEligible",
        ]
    assert [r["code"] for r in applications[17]["eligibility"]["reasons"]] == ["amount_over_cap"]
    assert [r["code"] for r in applications[19]["eligibility"]["reasons"]] == ["residence_not_eligible"]

    # A late applicant prepares a draft while the call is open...
    late = api.who("late", "participant", country="PE")
    late_draft = await api.ok("POST", f"/calls/{call_id}/applications", late, json=api.form("PE"))

    # ------------------------------------------------------------------ screening
    await api.ok("POST", f"/applications/{ids[14]}/withdraw", people[14])
    expected[ids[14]].append("ApplicationWithdrawn")

    asked = await api.ok(
        "POST",
        f"/applications/{ids[15]}/information-requests",
        coordinator,
        json={"question": "¿El curso está acreditado por una universidad?"},
    )
    assert asked["status"] == "information_requested"
    request_id = asked["information_requests"][0]["id"]
    answered = await api.ok(
        "POST",
        f"/applications/{ids[15]}/information-requests/{request_id}/answer",
        people[15],
        json={"answer": "Sí, por la UNAM."},
    )
    assert answered["status"] == "screening"
    decided = await api.ok(
        "POST",
        f"/applications/{ids[15]}/eligibility",
        coordinator,
        json={"eligible": True, "justification": "Accreditation confirmed by the applicant"},
    )
    assert decided["status"] == "eligible"
    assert decided["information_requests"][0]["answer"] == "Sí, por la UNAM."
    expected[ids[15]] += ["InformationRequested", "InformationProvided", "ApplicationDeclaredEligible"]

    # ------------------------------------------------------------------ the deadline
    closed = await api.ok(
        "POST", f"/calls/{call_id}/close", coordinator, json={"justification": "Budget year ends early"}
    )
    assert closed["status"] == "closed"
    refused = await api.request("POST", f"/applications/{late_draft['id']}/submit", late)
    assert refused.status_code == 409
    assert refused.json()["code"] == "call_closed"

    # ------------------------------------------------------------------ evaluation
    await api.ok(
        "PUT",
        f"/calls/{call_id}/panel",
        coordinator,
        json={"evaluators": [{"evaluator_id": api.subject(e), "country": c} for e, c in PANEL.items()]},
    )
    assigned = (await api.ok("POST", f"/calls/{call_id}/assignments", coordinator))["assigned"]
    evaluated = [ids[n] for n in range(16) if n != 14]
    assert sorted(assigned) == sorted(evaluated)
    country_of = {ids[n]: forms[n]["applicant"]["country_of_residence"] for n in range(20)}
    for application_id, evaluators in assigned.items():
        expected[application_id] += ["EvaluationAssigned", "EvaluationAssigned"]
        assert len(evaluators) == 2
        assert all(PANEL[e.rsplit("-", 1)[0]] != country_of[application_id] for e in evaluators)

    evaluators = {e: api.who(e, "evaluator", country=c) for e, c in PANEL.items()}
    base = {application_id: 10 - evaluated.index(application_id) % 8 for application_id in evaluated}
    first_seen: set[str] = set()
    for name, token in evaluators.items():
        mine = (await api.ok("GET", "/evaluations?limit=100", token))["items"]
        assert {item["application_id"] for item in mine} == {
            a for a, es in assigned.items() if api.subject(name) in es
        }
        for item in mine:
            application_id = item["application_id"]
            view = await api.ok("GET", f"/evaluations/{application_id}", token)
            assert "name" not in view["applicant"]
            if application_id in first_seen:
                # The other evaluator has scored; their scores stay hidden until this one scores too.
                assert view["other_scores"] is None
            b = base[application_id]
            scored = await api.ok(
                "POST",
                f"/evaluations/{application_id}/scores",
                token,
                json={
                    "scores": {
                        "relevance": {"score": str(b), "comment": "Pertinente para el museo"},
                        "impact": {"score": str(b - 1), "comment": "Buen efecto multiplicador"},
                        "budget": {"score": "5", "comment": "Presupuesto razonable"},
                    }
                },
            )
            if application_id in first_seen:
                assert len(scored["other_scores"]) == 1
            first_seen.add(application_id)
            expected[application_id].append("ApplicationScored")

    # ------------------------------------------------------------------ ranking and decisions
    standing = await api.ok("GET", f"/calls/{call_id}/ranking", coordinator)
    assert [entry["application_id"] for entry in standing["ranking"]] != []
    averages = [entry["average_score"] for entry in standing["ranking"]]
    assert averages == sorted(averages, reverse=True)
    assert len(standing["ranking"]) == 15
    assert standing["pending"] == []

    standing = await api.ok(
        "POST",
        f"/calls/{call_id}/proposal",
        coordinator,
        json={"max_awards_per_country": 3, "waitlist_length": 3},
    )
    drafts = {e["application_id"]: e["draft_decision"] for e in standing["ranking"]}
    awarded = [a for a, d in drafts.items() if d["outcome"] == "award"]
    assert sum(Decimal(drafts[a]["amount"]) for a in awarded) <= Decimal("12000")
    assert max(Counter(country_of[a] for a in awarded).values()) <= 3
    # Awards follow the ranking: one is passed over only when it does not fit what is left, or its country is full.
    left, per_country = Decimal("12000"), Counter[str]()
    for entry in standing["ranking"]:
        requested, country = Decimal(entry["requested"]), entry["country_of_residence"]
        fits = requested <= left and per_country[country] < 3
        assert (entry["draft_decision"]["outcome"] == "award") is fits, entry
        if fits:
            left -= requested
            per_country[country] += 1

    top = standing["ranking"][0]["application_id"]
    adjusted_amount = str(Decimal(drafts[top]["amount"]) - 100)
    standing = await api.ok(
        "PUT",
        f"/calls/{call_id}/decisions/{top}",
        coordinator,
        json={
            "outcome": "award",
            "amount": adjusted_amount,
            "justification": "The organiser waived part of the fee",
        },
    )
    remaining = Decimal("12000") - Decimal(standing["drafted_awards"])
    too_dear = next(
        e
        for e in standing["ranking"]
        if e["draft_decision"]["outcome"] != "award" and Decimal(e["requested"]) > remaining
    )
    over = await api.request(
        "PUT",
        f"/calls/{call_id}/decisions/{too_dear['application_id']}",
        coordinator,
        json={"outcome": "award", "justification": "Try to squeeze one more in"},
    )
    assert over.status_code == 409
    assert over.json()["code"] == "budget_exceeded"

    draft_of = {e["application_id"]: e["draft_decision"] for e in standing["ranking"]}
    # Nobody outside the coordination learns of the draft before the release.
    assert (await api.ok("GET", f"/applications/{top}", people[ids.index(top)]))["draft_decision"] is None

    released = await api.ok("POST", f"/calls/{call_id}/results", coordinator)
    assert released["status"] == "results_released"
    assert Decimal(released["committed"]) <= Decimal("12000")
    again = await api.request("POST", f"/calls/{call_id}/results", coordinator)
    assert again.status_code == 409

    waitlist = [
        a for a in (e["application_id"] for e in standing["ranking"]) if draft_of[a]["outcome"] == "waitlist"
    ]
    for application_id, draft in draft_of.items():
        expected[application_id].append(
            {"award": "GrantAwarded", "waitlist": "ApplicationWaitlisted", "reject": "ApplicationRejected"}[
                draft["outcome"]
            ]
        )
    for position, application_id in enumerate(waitlist, start=1):
        seen = await api.ok("GET", f"/applications/{application_id}", people[ids.index(application_id)])
        assert seen["decision"]["waitlist_position"] == position

    # ------------------------------------------------------------------ acceptance, one decline, the waitlist moves
    awarded = [a for a, d in draft_of.items() if d["outcome"] == "award"]
    decliner = max(awarded, key=lambda a: Decimal(draft_of[a]["amount"]))
    for application_id in awarded:
        person = people[ids.index(application_id)]
        if application_id == decliner:
            declined = await api.ok("POST", f"/applications/{application_id}/decline", person)
            assert declined["status"] == "declined"
            expected[application_id].append("GrantDeclined")
        else:
            accepted = await api.ok("POST", f"/applications/{application_id}/accept", person)
            assert accepted["decision"]["report_due_on"] is not None
            expected[application_id].append("GrantAccepted")

    # The same rule the service follows: first by position that fits the freed budget and its country's room.
    granted = Counter(country_of[a] for a in awarded if a != decliner)
    left = Decimal("12000") - sum(Decimal(draft_of[a]["amount"]) for a in awarded if a != decliner)
    promoted = []
    for application_id in waitlist:
        requested = Decimal(forms[ids.index(application_id)]["budget"]["travel"])
        if requested <= left and granted[country_of[application_id]] < 3:
            promoted.append(application_id)
            left -= requested
            granted[country_of[application_id]] += 1
    assert promoted, "the decline must free enough for someone on the waitlist"
    for application_id in promoted:
        person = people[ids.index(application_id)]
        seen = await api.ok("GET", f"/applications/{application_id}", person)
        assert seen["status"] == "awarded"
        assert seen["decision"]["from_waitlist"] is True
        await api.ok("POST", f"/applications/{application_id}/accept", person)
        expected[application_id] += ["GrantAwarded", "GrantAccepted"]
    call_now = await api.ok("GET", f"/calls/{call_id}", coordinator)
    assert Decimal(call_now["committed"]["amount"]) <= Decimal("12000")

    # ------------------------------------------------------------------ reports
    reporters = [a for a in awarded if a != decliner][:2]
    for n, application_id in enumerate(reporters):
        person = people[ids.index(application_id)]
        replications = [
            {
                "held_on": (today - timedelta(days=10)).isoformat(),
                "colleagues_trained": 12 + n,
                "institutions": [
                    {"name": "Museo Regional", "type": "museum", "city": "Cusco", "country": "PE"},
                    {
                        "name": "Casa de la Cultura",
                        "type": "cultural_centre",
                        "city": "Cusco",
                        "country": "PE",
                    },
                ],
            }
        ]
        reported = await api.ok(
            "POST",
            f"/applications/{application_id}/report",
            person,
            json={
                "attended": True,
                "learned": "Diagnóstico de riesgos y planes de conservación",
                "replications": replications,
            },
        )
        assert reported["status"] == "reported"
        expected[application_id].append("GrantReportSubmitted")

    # ------------------------------------------------------------------ the audit trail
    entries: list[dict[str, Any]] = []
    while True:
        page = await api.ok("GET", f"/audit?call_id={call_id}&limit=100&offset={len(entries)}", coordinator)
        entries += page["items"]
        if len(page["items"]) < 100:
            break
    actions = Counter(entry["action"] for entry in entries)
    assert actions["eligibility_checked"] == 20
    assert actions["application_scored"] == 30
    assert actions["grant_declined"] == 1
    assert actions["promoted_from_waitlist"] == len(promoted)
    for action in ("call_closed_early", "decision_adjusted", "declared_eligible"):
        [entry] = [e for e in entries if e["action"] == action]
        assert entry["justification"], entry
        assert entry["actor"] == api.subject("coordinator")

    # ------------------------------------------------------------------ the events, exactly, in both tiers
    wanted = sum(len(sequence) for sequence in expected.values())
    ours = set(expected)

    def complete(records: list[Any]) -> bool:
        return sum(1 for r in records if r.key.decode() in ours) >= wanted

    for topic in ("applications.application.v1", "public.applications.application.v1"):
        records = await kafka.read(topic, until=complete, timeout=60, settle=1.0)
        by_key: dict[str, list[Any]] = defaultdict(list)
        for record in records:
            if record.key.decode() in ours:
                by_key[record.key.decode()].append(record)
        assert {key: [short(headers_of(r)["ce_type"]) for r in rs] for key, rs in by_key.items()} == dict(
            expected
        ), topic
        if topic.startswith("public."):
            for records_of_one in by_key.values():
                for record in records_of_one:
                    body = json.loads(record.value)
                    kind = short(headers_of(record)["ce_type"])
                    if kind == "ApplicationSubmitted":
                        assert not set(PERSONAL) & set(body["applicant"])
                        assert body["applicant"]["person_id"].startswith("p-")
                    for person in ("applicant_id", "evaluator_id"):
                        assert body.get(person, "p-").startswith("p-")
                    assert not {"evaluator_name", "evaluator_email", "evaluator_language"} & set(body)
                    assert "learned" not in body
                    assert "question" not in body
        else:
            submitted = json.loads(by_key[ids[1]][0].value)
            assert submitted["applicant"]["preferred_language"] == "pt-BR"
            assert submitted["applicant"]["email"] == api.email("applicant-1")
            [ineligible] = [
                json.loads(r.value)
                for r in by_key[ids[17]]
                if short(headers_of(r)["ce_type"]) == "ApplicationDeclaredIneligible"
            ]
            assert set(ineligible["reasons"][0]["explanation"]) == {"es", "pt", "en"}

    for topic in ("applications.call.v1", "public.applications.call.v1"):
        records = await kafka.read(
            topic,
            until=lambda rs: sum(1 for r in rs if r.key.decode() == call_id) >= 2,
            timeout=30,
            settle=0.5,
        )
        assert [short(headers_of(r)["ce_type"]) for r in records if r.key.decode() == call_id] == [
            "CallOpened",
            "CallClosed",
        ]
