"""The waitlist's end and evaluators' time zones over HTTP, on the real database and broker: bad terms, panels and
requests refused with every problem and nothing changed; a coordinator closing the waitlist (audited, once); the
waitlisted rejected with the reason; a later decline promoting nobody; the exact events in both tiers."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ibermuseos_platform.testing.kafka import KafkaTestClient

pytestmark = pytest.mark.integration

PANEL = {
    "ev-es": {
        "country": "ES",
        "name": "Elena Ruiz",
        "email": "ev-es@panel.example",
        "timezone": "Europe/Madrid",
    },
    "ev-pt": {"country": "PT", "timezone": "Europe/Lisbon"},
    "ev-uy": {"country": "UY"},
}


def short(record: Any) -> str:
    return dict(record.headers)["ce_type"].decode().split(".")[-2]


def fields(response: Any) -> list[str]:
    return sorted(problem["field"] for problem in response.json()["errors"])


async def test_waitlist_terms_and_evaluator_zones_that_do_not_hold_are_refused_listing_every_problem(
    api,
) -> None:
    coordinator = api.coordinator
    now = datetime.now(UTC)
    title = {"es": f"Mal plazo {api.tag}", "pt": "Prazo ruim", "en": "Bad term"}
    wrong = await api.request(
        "POST",
        "/calls",
        coordinator,
        json=api.terms(
            title=title,
            scoring_deadline=(now + timedelta(days=20)).isoformat(),
            waitlist_closes_at=(now + timedelta(hours=2)).isoformat(),
            max_per_grant="99999.00",
        ),
    )
    assert wrong.status_code == 422
    assert fields(wrong) == ["max_per_grant", "waitlist_closes_at", "waitlist_closes_at"]
    listed = (await api.ok("GET", "/calls?limit=100", coordinator))["items"]
    assert all(call["terms"]["title"] != title for call in listed)

    call = await api.open_call()
    bad_panel = await api.request(
        "PUT",
        f"/calls/{call['id']}/panel",
        coordinator,
        json={
            "evaluators": [
                {"evaluator_id": api.subject("a"), "country": "ES", "timezone": "Europe/Atlantis"},
                {"evaluator_id": api.subject("b"), "country": "PT", "email": "not-an-address"},
                {"evaluator_id": api.subject("c"), "country": "UY", "timezone": "America/Montevideo"},
            ]
        },
    )
    assert bad_panel.status_code == 422
    assert fields(bad_panel) == ["body.evaluators.0.timezone", "body.evaluators.1.email"]
    assert "'Europe/Atlantis' is not an IANA time zone" in bad_panel.text
    bad_member = await api.request(
        "POST",
        f"/calls/{call['id']}/panel/members",
        coordinator,
        json={"evaluator_id": api.subject("d"), "country": "ES", "timezone": "Mars/Olympus"},
    )
    assert bad_member.status_code == 422
    assert fields(bad_member) == ["body.timezone"]
    assert (await api.ok("GET", f"/calls/{call['id']}", coordinator))["panel"] == []


async def test_a_closed_waitlist_rejects_whoever_waits_and_a_later_decline_promotes_nobody(
    api, kafka: KafkaTestClient
) -> None:
    coordinator = api.coordinator
    call = await api.open_call(budget="1500.00", max_per_grant="1500.00")
    call_id = call["id"]
    people = {
        country: api.who(f"p{country.lower()}", "participant", country=country)
        for country in ("AR", "BR", "CL")
    }
    ids = {
        country: (await api.apply(call_id, person, api.form(country)))["id"]
        for country, person in people.items()
    }
    expected: dict[str, list[str]] = {
        a: ["ApplicationSubmitted", "ApplicationDeclaredEligible"] for a in ids.values()
    }
    await api.ok("POST", f"/calls/{call_id}/close", coordinator, json={"justification": "Test closes early"})
    panel = [{"evaluator_id": api.subject(name), **details} for name, details in PANEL.items()]
    registered = await api.ok("PUT", f"/calls/{call_id}/panel", coordinator, json={"evaluators": panel})
    assert {m["evaluator_id"]: m["timezone"] for m in registered["panel"]} == {
        api.subject("ev-es"): "Europe/Madrid",
        api.subject("ev-pt"): "Europe/Lisbon",
        api.subject("ev-uy"): None,
    }
    assigned = (await api.ok("POST", f"/calls/{call_id}/assignments", coordinator))["assigned"]
    for application_id in ids.values():
        expected[application_id] += ["EvaluationAssigned", "EvaluationAssigned"]
    base = {ids["AR"]: 9, ids["BR"]: 7, ids["CL"]: 5}
    tokens = {
        api.subject(name): api.who(name, "evaluator", country=d["country"]) for name, d in PANEL.items()
    }
    for application_id, evaluators in assigned.items():
        for evaluator in evaluators:
            b = base[application_id]
            await api.ok(
                "POST",
                f"/evaluations/{application_id}/scores",
                tokens[evaluator],
                json={
                    "scores": {
                        "relevance": {"score": str(b), "comment": "Pertinente"},
                        "impact": {"score": str(b), "comment": "Multiplica"},
                        "budget": {"score": str(b), "comment": "Razonable"},
                    }
                },
            )
            expected[application_id].append("ApplicationScored")
    await api.ok("POST", f"/calls/{call_id}/proposal", coordinator, json={"waitlist_length": 10})
    await api.ok("POST", f"/calls/{call_id}/results", coordinator)
    expected[ids["AR"]].append("GrantAwarded")
    waitlisted = [ids["BR"], ids["CL"]]
    for application_id in waitlisted:
        expected[application_id].append("ApplicationWaitlisted")

    # ------------------------------------------------------------ bad requests change nothing
    path = f"/calls/{call_id}/waitlist/close"
    refused = await api.request("POST", path, coordinator, json={"reason": "no"})
    assert refused.status_code == 422
    assert fields(refused) == ["body.justification", "body.reason"]
    not_coordinator = await api.request("POST", path, people["BR"], json={"justification": "Quiero saber"})
    assert not_coordinator.status_code == 403
    assert (await api.ok("GET", f"/calls/{call_id}", coordinator))["waitlist_closed_at"] is None
    assert (await api.ok("GET", f"/applications/{ids['BR']}", people["BR"]))["status"] == "waitlisted"

    # ------------------------------------------------------------ the coordinator closes the waitlist, once
    closed = await api.ok(
        "POST", path, coordinator, json={"justification": "El programa cierra el ejercicio"}
    )
    assert closed["waitlist_closed_at"] is not None
    again = await api.request("POST", path, coordinator, json={"justification": "Otra vez"})
    assert again.status_code == 409
    assert again.json()["code"] == "waitlist_closed"
    for country in ("BR", "CL"):
        mine = await api.ok("GET", f"/applications/{ids[country]}", people[country])
        assert (mine["status"], mine["decision"]["rejection_reason"]) == ("rejected", "waitlist_closed")
        expected[ids[country]].append("ApplicationRejected")

    # ------------------------------------------------------------ a decline afterwards promotes nobody
    await api.ok("POST", f"/applications/{ids['AR']}/decline", people["AR"])
    expected[ids["AR"]].append("GrantDeclined")
    after = await api.ok("GET", f"/calls/{call_id}", coordinator)
    assert after["committed"]["amount"] in ("0", "0.00")
    for country in ("BR", "CL"):
        assert (await api.ok("GET", f"/applications/{ids[country]}", people[country]))["status"] == "rejected"
    audit = (await api.ok("GET", f"/audit?call_id={call_id}&limit=100", coordinator))["items"]
    [entry] = [e for e in audit if e["action"] == "waitlist_closed_early"]
    assert (entry["actor"], entry["justification"], entry["details"]["rejected"]) == (
        api.subject("coordinator"),
        "El programa cierra el ejercicio",
        2,
    )
    assert not [e for e in audit if e["action"] == "promoted_from_waitlist"]

    # ------------------------------------------------------------ the events, exactly, in both tiers
    for topic in ("applications.application.v1", "public.applications.application.v1"):
        by_key = await api.published(kafka, topic, expected)
        ours = [record for records in by_key.values() for record in records]
        assert {key: [short(r) for r in rs] for key, rs in by_key.items()} == expected, topic
        rejections = [json.loads(r.value) for r in ours if short(r) == "ApplicationRejected"]
        assert [e["reason"] for e in rejections] == ["waitlist_closed", "waitlist_closed"]
        assignments = [json.loads(r.value) for r in ours if short(r) == "EvaluationAssigned"]
        if topic.startswith("public."):
            assert all("evaluator_timezone" not in e for e in assignments)
            assert all(e["applicant_id"].startswith("p-") for e in rejections)
        else:
            zones = {e["evaluator_id"]: e["evaluator_timezone"] for e in assignments}
            for evaluator, zone in zones.items():
                assert zone == PANEL[evaluator.rsplit("-", 1)[0]].get("timezone")
