"""The technical panel's changes over HTTP, on the real database and broker: evaluators told of their assignments,
an evaluator declining (replaced at once, or later when the panel grows), a coordinator replacing one, the
newcomer blind to others' scores until theirs is in, the ranking waiting for the call's number of evaluators,
bad input refused with every problem, and the exact events on the private and public topics; and, on the handlers,
who may take a declined application over."""

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ibermuseos_applications.application import calls as calling
from ibermuseos_applications.application import evaluation
from ibermuseos_applications.domain.calls import PanelMember
from ibermuseos_contracts.applications import DeclineGround
from ibermuseos_kernel.caller import Caller, Role
from ibermuseos_platform.testing.kafka import KafkaTestClient

pytestmark = pytest.mark.integration

PANEL = {
    "ev-es": {"country": "ES", "name": "Elena Ruiz", "preferred_language": "es"},
    "ev-pt": {"country": "PT", "name": "Paulo Lima", "preferred_language": "pt-PT"},
    "ev-uy": {"country": "UY"},
}
SCORES = {
    "scores": {
        "relevance": {"score": "8", "comment": "Pertinente"},
        "impact": {"score": "7", "comment": "Multiplica"},
        "budget": {"score": "6", "comment": "Razonable"},
    }
}


def short(record: Any) -> str:
    return dict(record.headers)["ce_type"].decode().split(".")[-2]


async def test_declines_and_replacements_keep_every_application_with_the_calls_evaluators(
    api, kafka: KafkaTestClient
) -> None:
    coordinator = api.coordinator
    deadline = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    call = await api.open_call(scoring_deadline=deadline.isoformat())
    call_id = call["id"]
    one = await api.apply(call_id, api.who("ana", "participant", country="AR"), api.form("AR"))
    two = await api.apply(call_id, api.who("bia", "participant", country="BR"), api.form("BR"))
    first, second = one["id"], two["id"]
    expected: dict[str, list[str]] = defaultdict(list)
    for application_id in (first, second):
        expected[application_id] += ["ApplicationSubmitted", "ApplicationDeclaredEligible"]
    await api.ok("POST", f"/calls/{call_id}/close", coordinator, json={"justification": "Test closes early"})
    panel = [
        {
            "evaluator_id": api.subject(name),
            **details,
            **({"email": f"{name}@panel.example"} if "name" in details else {}),
        }
        for name, details in PANEL.items()
    ]
    await api.ok("PUT", f"/calls/{call_id}/panel", coordinator, json={"evaluators": panel})
    token = {api.subject(name): api.who(name, "evaluator", country=d["country"]) for name, d in PANEL.items()}
    everyone = set(token)

    assigned = (await api.ok("POST", f"/calls/{call_id}/assignments", coordinator))["assigned"]
    for application_id in (first, second):
        assert len(assigned[application_id]) == 2
        expected[application_id] += ["EvaluationAssigned", "EvaluationAssigned"]

    # ------------------------------------------------------------ an evaluator declines: the third one takes it
    leaver, stayer = assigned[first]
    (newcomer,) = everyone - set(assigned[first])
    not_mine = await api.request(
        "POST",
        f"/evaluations/{first}/decline",
        token[newcomer],
        json={"ground": "unavailable", "reason": "No es mía"},
    )
    assert not_mine.status_code == 404
    declined = await api.ok(
        "POST",
        f"/evaluations/{first}/decline",
        token[leaver],
        json={"ground": "conflict_of_interest", "reason": "Fui docente de la postulante"},
    )
    assert declined["application_id"] == first
    expected[first] += ["EvaluationDeclined", "EvaluationAssigned"]
    mine = {item["application_id"] for item in (await api.ok("GET", "/evaluations", token[leaver]))["items"]}
    assert first not in mine
    assert (await api.request("GET", f"/evaluations/{first}", token[leaver])).status_code == 404
    again = await api.request(
        "POST",
        f"/evaluations/{first}/decline",
        token[leaver],
        json={"ground": "unavailable", "reason": "Otra vez"},
    )
    assert again.status_code == 404
    theirs = {
        item["application_id"] for item in (await api.ok("GET", "/evaluations", token[newcomer]))["items"]
    }
    assert first in theirs

    # The newcomer sees the other score only once theirs is in.
    await api.ok("POST", f"/evaluations/{first}/scores", token[stayer], json=SCORES)
    view = await api.ok("GET", f"/evaluations/{first}", token[newcomer])
    assert view["other_scores"] is None
    scored = await api.ok("POST", f"/evaluations/{first}/scores", token[newcomer], json=SCORES)
    assert [s["evaluator"] for s in scored["other_scores"]] == ["evaluator 1"]
    expected[first] += ["ApplicationScored", "ApplicationScored"]
    seen = await api.ok("GET", f"/applications/{first}", coordinator)
    assert seen["status"] == "evaluated"
    [gone] = [a for a in seen["evaluation"]["assignments"] if a["evaluator_id"] == leaver]
    assert gone["released"]["kind"] == "declined"
    assert gone["released"]["ground"] == "conflict_of_interest"
    assert gone["released"]["reason"] == "Fui docente de la postulante"

    # ------------------------------------------------------------ bad input: every problem, nothing changed
    x, y = assigned[second]
    (z,) = everyone - set(assigned[second])
    bad = await api.request(
        "POST", f"/evaluations/{second}/decline", token[y], json={"ground": "bored", "reason": "", "why": "x"}
    )
    assert bad.status_code == 422
    assert {error["field"] for error in bad.json()["errors"]} == {"body.ground", "body.reason", "body.why"}
    assert (await api.request("GET", f"/evaluations/{second}", token[y])).status_code == 200

    # ------------------------------------------------------------ a coordinator replaces an evaluator
    as_evaluator = await api.request(
        "POST", f"/evaluations/{second}/evaluators/{x}/replacement", token[y], json={"justification": "No"}
    )
    assert as_evaluator.status_code == 403
    refused = await api.request(
        "POST",
        f"/evaluations/{second}/evaluators/{x}/replacement",
        coordinator,
        json={"justification": "Sin respuesta", "replacement_id": y},
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["replacement_id"]
    unknown = await api.request(
        "POST",
        f"/evaluations/{second}/evaluators/{x}/replacement",
        coordinator,
        json={"justification": "Sin respuesta", "replacement_id": "nobody"},
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [{"field": "replacement_id", "problem": "is not on the call's panel"}]
    replaced = await api.ok(
        "POST",
        f"/evaluations/{second}/evaluators/{x}/replacement",
        coordinator,
        json={"justification": "Sin respuesta en tres semanas"},
    )
    expected[second] += ["EvaluationReassigned", "EvaluationAssigned"]
    active = [a["evaluator_id"] for a in replaced["assignments"] if a["released"] is None]
    assert sorted(active) == sorted([y, z])
    [taken] = [a for a in replaced["assignments"] if a["evaluator_id"] == x]
    assert taken["released"]["kind"] == "reassigned"
    assert taken["released"]["by"] == api.subject("coordinator")

    # ------------------------------------------------------------ nobody left: the ranking waits for the panel to grow
    await api.ok(
        "POST",
        f"/evaluations/{second}/decline",
        token[z],
        json={"ground": "unavailable", "reason": "De viaje"},
    )
    expected[second].append("EvaluationDeclined")
    await api.ok("POST", f"/evaluations/{second}/scores", token[y], json=SCORES)
    expected[second].append("ApplicationScored")
    standing = await api.ok("GET", f"/calls/{call_id}/ranking", coordinator)
    assert standing["pending"] == [second]
    assert [entry["application_id"] for entry in standing["ranking"]] == [first]
    no_one = await api.request(
        "POST",
        f"/evaluations/{second}/evaluators/{y}/replacement",
        coordinator,
        json={"justification": "Prueba"},
    )
    assert no_one.status_code == 409

    cuba = api.subject("ev-cu")
    await api.ok(
        "POST", f"/calls/{call_id}/panel/members", coordinator, json={"evaluator_id": cuba, "country": "CU"}
    )
    filled = (await api.ok("POST", f"/calls/{call_id}/assignments", coordinator))["assigned"]
    assert filled == {second: [cuba]}
    expected[second].append("EvaluationAssigned")
    await api.ok(
        "POST", f"/evaluations/{second}/scores", api.who("ev-cu", "evaluator", country="CU"), json=SCORES
    )
    expected[second].append("ApplicationScored")
    standing = await api.ok("GET", f"/calls/{call_id}/ranking", coordinator)
    assert standing["pending"] == []
    assert sorted(entry["application_id"] for entry in standing["ranking"]) == sorted([first, second])

    # ------------------------------------------------------------ the audit trail
    entries = (await api.ok("GET", f"/audit?call_id={call_id}&limit=100", coordinator))["items"]
    by_action: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in entries:
        by_action[entry["action"]].append(entry)
    assert sorted(e["actor"] for e in by_action["assignment_declined"]) == sorted([leaver, z])
    assert {e["justification"] for e in by_action["assignment_declined"]} == {
        "Fui docente de la postulante",
        "De viaje",
    }
    [removed] = by_action["evaluator_removed"]
    assert (removed["actor"], removed["justification"]) == (
        api.subject("coordinator"),
        "Sin respuesta en tres semanas",
    )
    assert sorted(e["details"]["evaluator"] for e in by_action["evaluator_reassigned"]) == sorted(
        [newcomer, z]
    )

    # ------------------------------------------------------------ the events, exactly, in both tiers
    for topic in ("applications.application.v1", "public.applications.application.v1"):
        by_key = await api.published(kafka, topic, expected)
        ours = [record for records in by_key.values() for record in records]
        assert {key: [short(r) for r in rs] for key, rs in by_key.items()} == dict(expected), topic
        assigned_events = [json.loads(r.value) for r in ours if short(r) == "EvaluationAssigned"]
        assert {e["score_by"] for e in assigned_events} == {deadline.isoformat().replace("+00:00", "Z")}
        first_round = [
            event
            for rs in by_key.values()
            for event in [json.loads(r.value) for r in rs if short(r) == "EvaluationAssigned"][:2]
        ]
        assert len({e["round_id"] for e in first_round}) == 1
        given = defaultdict(int)
        for event in first_round:
            given[event["evaluator_id"]] += 1
        assert all(e["round_assignments"] == given[e["evaluator_id"]] for e in first_round)
        if topic.startswith("public."):
            for record in ours:
                body = json.loads(record.value)
                assert not {
                    "evaluator_name",
                    "evaluator_email",
                    "evaluator_language",
                    "reason",
                    "justification",
                } & set(body)
                for person in ("evaluator_id", "replaces", "reassigned_by", "applicant_id"):
                    assert body.get(person) is None or body[person].startswith("p-")
        else:
            to_es = [e for e in assigned_events if e["evaluator_id"] == api.subject("ev-es")]
            assert to_es
            assert {(e["evaluator_name"], e["evaluator_email"], e["evaluator_language"]) for e in to_es} == {
                ("Elena Ruiz", "ev-es@panel.example", "es")
            }
            [declined_event] = [
                json.loads(r.value) for r in by_key[first] if short(r) == "EvaluationDeclined"
            ]
            assert declined_event["reason"] == "Fui docente de la postulante"
            [newcomer_event] = [e for e in assigned_events if e["replaces"] == leaver]
            assert (newcomer_event["evaluator_id"], newcomer_event["round_assignments"]) == (newcomer, 1)


async def test_a_declined_application_goes_only_to_a_member_neither_of_the_applicants_country_nor_who_had_it(
    world,
) -> None:
    call_id = await world.open_call()
    applicant = world.person("br")
    application_id = await world.submit(call_id, applicant, "BR")
    uow, clock = world.uow, world.clock
    await calling.close_call_early(calling.CloseCallEarly(call_id, "test", world.coordinator), uow(), clock)
    await calling.register_panel(
        calling.RegisterPanel(call_id, [PanelMember("ev-es", "ES")], world.coordinator), uow(), clock
    )
    await evaluation.assign_evaluators(evaluation.AssignEvaluators(call_id, world.coordinator), uow(), clock)
    for member in (PanelMember("ev-br", "BR"), PanelMember("ev-pt", "PT")):
        await evaluation.add_panel_member(
            evaluation.AddPanelMember(call_id, member, world.coordinator), uow(), clock
        )

    def declines(evaluator: str, country: str) -> evaluation.DeclineAssignment:
        actor = Caller(evaluator, frozenset({Role.EVALUATOR}), country)
        return evaluation.DeclineAssignment(application_id, DeclineGround.UNAVAILABLE, "De viaje", actor)

    # Of the two newcomers only the Portuguese may take it: the Brazilian is of the applicant's country.
    first = await evaluation.decline_assignment(declines("ev-es", "ES"), uow(), clock)
    assert [a.evaluator_id for a in first.active_assignments] == ["ev-pt"]
    # Nobody is left: the Brazilian still may not, and the Spaniard already gave it back.
    second = await evaluation.decline_assignment(declines("ev-pt", "PT"), uow(), clock)
    assert second.active_assignments == []
    assert [a.evaluator_id for a in second.assignments] == ["ev-es", "ev-pt"]
