"""The HTTP API's rules, against the running service: who sees what, bad input, uploads, deadlines, the public listing."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.waiting import eventually

pytestmark = pytest.mark.integration


async def test_each_person_sees_only_what_is_theirs_to_see(api) -> None:
    call = await api.open_call()
    ana, carlos = api.who("ana", "participant", country="BR"), api.who("carlos", "participant", country="PE")
    brazilian = await api.apply(call["id"], ana, api.form("BR"))
    peruvian = await api.apply(call["id"], carlos, api.form("PE"))
    draft = await api.ok(
        "POST",
        f"/calls/{call['id']}/applications",
        api.who("bia", "participant", country="BR"),
        json=api.form("BR"),
    )
    focal_br = api.who("focal-br", "focal_point", country="BR")
    evaluator = api.who("ev", "evaluator", country="ES")

    assert (await api.request("GET", f"/applications/{brazilian['id']}", focal_br)).status_code == 200
    for who, application in [
        (focal_br, peruvian),  # another country's
        (focal_br, draft),  # a draft is the applicant's alone
        (api.coordinator, draft),
        (carlos, brazilian),  # someone else's
        (evaluator, brazilian),  # not through this door, and not assigned anyway
    ]:
        response = await api.request("GET", f"/applications/{application['id']}", who)
        assert response.status_code == 404, (who, application["id"])
    assert (await api.request("GET", f"/evaluations/{brazilian['id']}", evaluator)).status_code == 404
    assert (
        await api.request("PATCH", f"/applications/{draft['id']}", ana, json={"motivation": "x"})
    ).status_code == 404
    assert (await api.request("POST", f"/applications/{peruvian['id']}/withdraw", ana)).status_code == 404

    listed = await api.ok("GET", f"/applications?call_id={call['id']}", focal_br)
    assert [item["id"] for item in listed["items"]] == [brazilian["id"]]
    listed = await api.ok("GET", f"/applications?call_id={call['id']}", carlos)
    assert [item["id"] for item in listed["items"]] == [peruvian["id"]]
    listed = await api.ok("GET", f"/applications?call_id={call['id']}", api.coordinator)
    assert {item["id"] for item in listed["items"]} == {brazilian["id"], peruvian["id"]}


async def test_roles_guard_the_coordinators_and_evaluators_doors(api) -> None:
    call = await api.open_call()
    ana = api.who("ana", "participant", country="BR")

    assert (await api.request("POST", "/calls", ana, json=api.terms())).status_code == 403
    assert (
        await api.request("POST", f"/calls/{call['id']}/close", ana, json={"justification": "mine"})
    ).status_code == 403
    assert (await api.request("GET", "/evaluations", ana)).status_code == 403
    assert (
        await api.request("GET", "/audit", api.who("focal", "focal_point", country="BR"))
    ).status_code == 403
    assert (await api.request("GET", "/applications", None)).status_code == 401
    assert (await api.request("GET", f"/calls/{uuid.uuid4()}", ana)).status_code == 404


async def test_bad_input_is_refused_with_every_problem_listed_and_changes_nothing(api) -> None:
    call = await api.open_call()
    ana = api.who("ana", "participant", country="BR", name=None, email=None)
    draft = await api.ok(
        "POST", f"/calls/{call['id']}/applications", ana, json={"motivation": "Quero aprender"}
    )
    before = await api.ok("GET", f"/applications/{draft['id']}", ana)

    wrong = await api.request(
        "PATCH",
        f"/applications/{draft['id']}",
        ana,
        json={
            "applicant": {"country_of_residence": "XX", "email": "not-an-address"},
            "activity": {"starts_on": "next week", "kind": "party"},
            "budget": {"travel": "-5"},
            "status": "awarded",
        },
    )
    assert wrong.status_code == 422
    assert {problem["field"] for problem in wrong.json()["errors"]} == {
        "body.applicant.country_of_residence",
        "body.applicant.email",
        "body.activity.starts_on",
        "body.activity.kind",
        "body.budget.travel",
        "body.status",
    }
    backwards = await api.request(
        "PATCH",
        f"/applications/{draft['id']}",
        ana,
        json={"activity": {"starts_on": "2027-05-21", "ends_on": "2027-05-10"}},
    )
    assert backwards.status_code == 422
    assert [problem["field"] for problem in backwards.json()["errors"]] == ["activity.ends_on"]

    incomplete = await api.request("POST", f"/applications/{draft['id']}/submit", ana)
    assert incomplete.status_code == 422
    fields = [problem["field"] for problem in incomplete.json()["errors"]]
    assert fields == [
        *(
            f"applicant.{name}"
            for name in ("name", "email", "preferred_language", "role", "country_of_residence")
        ),
        *(f"institution.{name}" for name in ("name", "type", "city", "country")),
        *(
            f"activity.{name}"
            for name in (
                "title",
                "organiser",
                "kind",
                "host_country",
                "host_city",
                "starts_on",
                "ends_on",
                "modality",
            )
        ),
        "budget",
        "replication_commitment",
    ]

    assert await api.ok("GET", f"/applications/{draft['id']}", ana) == before


async def test_a_calls_terms_are_checked_whole(api) -> None:
    structure = await api.request(
        "POST",
        "/calls",
        api.coordinator,
        json=api.terms(
            budget="a lot", eligible_residence_countries=["BR", "ZZ"], title={"es": "Becas"}, status="open"
        ),
    )
    assert structure.status_code == 422
    assert {problem["field"] for problem in structure.json()["errors"]} == {
        "body.budget",
        "body.eligible_residence_countries.1",
        "body.title.pt",
        "body.title.en",
        "body.status",
    }
    now = datetime.now(UTC)
    rules = await api.request(
        "POST",
        "/calls",
        api.coordinator,
        json=api.terms(
            opens_at=now.isoformat(),
            closes_at=(now - timedelta(days=1)).isoformat(),
            max_per_grant="99999.00",
        ),
    )
    assert rules.status_code == 422
    assert [problem["field"] for problem in rules.json()["errors"]] == ["closes_at", "max_per_grant"]


async def test_uploads_are_checked_by_size_type_and_number(api, pdf: bytes) -> None:
    call = await api.open_call()
    ana = api.who("ana", "participant", country="BR")
    draft = await api.ok("POST", f"/calls/{call['id']}/applications", ana, json=api.form("BR"))
    path = f"/applications/{draft['id']}/documents"

    async def upload(
        content: bytes, content_type: str = "application/pdf", kind: str = "cv", name: str = "cv.pdf"
    ):
        return await api.request(
            "POST",
            f"{path}?kind={kind}&filename={name}",
            {**ana, "Content-Type": content_type},
            content=content,
        )

    stored = await upload(pdf, name="../../Currículo.pdf")
    assert stored.status_code == 201, stored.text
    assert stored.json()["filename"] == "Currículo.pdf"
    download = await api.request("GET", f"{path}/{stored.json()['id']}", ana)
    assert download.content == pdf
    assert download.headers["content-type"] == "application/pdf"

    too_large = await upload(pdf + b"0" * 65536)
    assert too_large.status_code == 413
    assert [problem["field"] for problem in too_large.json()["errors"]] == ["body"]
    disguised = await upload(b"MZ\x90\x00 this is a program", kind="passport")
    assert disguised.status_code == 422
    assert [problem["field"] for problem in disguised.json()["errors"]] == ["query.kind", "body"]
    not_accepted = await upload(b"<html></html>", content_type="text/html")
    assert not_accepted.status_code == 422
    assert [problem["field"] for problem in not_accepted.json()["errors"]] == ["header.content-type"]

    assert (await upload(pdf, kind="institution_endorsement")).status_code == 201
    png = await upload(b"\x89PNG\r\n\x1a\n\x00\x00", content_type="image/png", kind="other", name="a.png")
    assert png.status_code == 201
    one_too_many = await upload(pdf)
    assert one_too_many.status_code == 422

    documents = (await api.ok("GET", f"/applications/{draft['id']}", ana))["documents"]
    assert [d["kind"] for d in documents] == ["cv", "institution_endorsement", "other"]
    assert await api.stored_content(png.json()["id"]) == b"\x89PNG\r\n\x1a\n\x00\x00"
    assert (await api.request("DELETE", f"{path}/{png.json()['id']}", ana)).status_code == 204
    assert await api.stored_content(png.json()["id"]) is None
    assert (await api.request("GET", f"{path}/{png.json()['id']}", ana)).status_code == 404

    submitted = await api.ok("POST", f"/applications/{draft['id']}/submit", ana)
    assert submitted["status"] == "eligible"
    focal_br, focal_pe = (
        api.who("fb", "focal_point", country="BR"),
        api.who("fp", "focal_point", country="PE"),
    )
    assert (await api.request("GET", f"{path}/{stored.json()['id']}", focal_br)).status_code == 200
    assert (await api.request("GET", f"{path}/{stored.json()['id']}", focal_pe)).status_code == 404
    assert (await api.request("DELETE", f"{path}/{stored.json()['id']}", ana)).status_code == 409


async def test_one_application_per_call_and_person(api) -> None:
    call = await api.open_call()
    ana = api.who("ana", "participant", country="BR")
    await api.ok("POST", f"/calls/{call['id']}/applications", ana, json={})

    second = await api.request("POST", f"/calls/{call['id']}/applications", ana, json={})

    assert second.status_code == 409
    assert second.json()["code"] == "already_applied"


async def test_retrying_with_the_same_idempotency_key_creates_one_call(api) -> None:
    key = {"Idempotency-Key": f"call-{uuid.uuid4()}"}
    terms = api.terms()

    first = await api.request("POST", "/calls", {**api.coordinator, **key}, json=terms)
    again = await api.request("POST", "/calls", {**api.coordinator, **key}, json=terms)

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["terms"]["budget"] == again.json()["terms"]["budget"] == "12000.00"
    assert again.headers["Idempotent-Replayed"] == "true"


async def test_a_call_closes_at_its_deadline_by_itself_and_refuses_late_submissions(
    api, kafka: KafkaTestClient
) -> None:
    call = await api.open_call(closes_at=(datetime.now(UTC) + timedelta(seconds=8)).isoformat())
    ana = api.who("ana", "participant", country="BR")
    draft = await api.ok("POST", f"/calls/{call['id']}/applications", ana, json=api.form("BR"))

    async def closed() -> bool:
        return (await api.ok("GET", f"/calls/{call['id']}", ana))["status"] == "closed"

    await eventually(closed, timeout=30, what="the call closing at its deadline")
    late = await api.request("POST", f"/applications/{draft['id']}/submit", ana)
    assert late.status_code == 409
    assert late.json()["code"] == "call_closed"
    assert "applications are no longer accepted" in late.json()["title"]
    records = await kafka.read(
        "applications.call.v1", until=lambda rs: sum(1 for r in rs if r.key.decode() == call["id"]) >= 2
    )
    assert [dict(r.headers)["ce_type"].decode() for r in records if r.key.decode() == call["id"]] == [
        "org.ibermuseos.applications.CallOpened.v1",
        "org.ibermuseos.applications.CallClosed.v1",
    ]


async def test_open_calls_are_listed_without_a_token_in_three_languages_and_rate_limited(api) -> None:
    call = await api.open_call()
    await api.ok("POST", "/calls", api.coordinator, json=api.terms())  # a draft is not listed

    listed = await api.request("GET", "/calls/open", None)

    assert listed.status_code == 200
    ours = [c for c in listed.json()["items"] if c["id"] == call["id"]]
    assert len(ours) == 1
    assert set(ours[0]["title"]) == {"es", "pt", "en"}
    assert ours[0]["accepting_applications"] is True
    assert all(c["accepting_applications"] is not None for c in listed.json()["items"])
    statuses = [(await api.request("GET", "/calls/open", None)).status_code for _ in range(5)]
    assert statuses[-1] == 429
    limited = await api.request("GET", "/calls/open", None)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1


async def test_a_coordinator_declares_ineligible_with_reasons_in_three_languages_and_can_reverse_it(
    api,
) -> None:
    call = await api.open_call()
    ana = api.who("ana", "participant", country="BR")
    application = await api.apply(call["id"], ana, api.form("BR"))
    path = f"/applications/{application['id']}/eligibility"

    unexplained = await api.request(
        "POST", path, api.coordinator, json={"eligible": False, "justification": "no"}
    )
    assert unexplained.status_code == 422
    reason = {
        "es": "La carta institucional no corresponde al museo declarado.",
        "pt": "A carta institucional não corresponde ao museu declarado.",
        "en": "The institutional letter is not from the declared museum.",
    }
    ineligible = await api.ok(
        "POST",
        path,
        api.coordinator,
        json={"eligible": False, "justification": "Letter mismatch", "reasons": [reason]},
    )
    assert ineligible["status"] == "ineligible"
    assert ineligible["eligibility"]["reasons"] == [{"code": "coordinator_decision", "explanation": reason}]
    seen_by_ana = await api.ok("GET", f"/applications/{application['id']}", ana)
    assert seen_by_ana["eligibility"]["reasons"][0]["explanation"]["pt"] == reason["pt"]

    eligible = await api.ok(
        "POST",
        path,
        api.coordinator,
        json={"eligible": True, "justification": "The museum sent the right letter"},
    )
    assert eligible["eligibility"] == {"eligible": True, "reasons": [], "overridden": True}
    audit = await api.ok("GET", f"/audit?application_id={application['id']}", api.coordinator)
    assert [(e["action"], e["justification"]) for e in audit["items"][:2]] == [
        ("declared_eligible", "The museum sent the right letter"),
        ("declared_ineligible", "Letter mismatch"),
    ]


async def test_a_draft_is_discarded_with_its_documents_but_a_submitted_application_is_not(
    api, pdf: bytes
) -> None:
    call = await api.open_call()
    ana = api.who("ana", "participant", country="BR")
    draft = await api.ok("POST", f"/calls/{call['id']}/applications", ana, json=api.form("BR"))
    document = await api.ok(
        "POST",
        f"/applications/{draft['id']}/documents?kind=cv&filename=cv.pdf",
        {**ana, "Content-Type": "application/pdf"},
        content=pdf,
    )
    assert await api.stored_content(document["id"]) == pdf

    assert (await api.request("DELETE", f"/applications/{draft['id']}", ana)).status_code == 204
    assert await api.stored_content(document["id"]) is None
    assert (await api.request("GET", f"/applications/{draft['id']}", ana)).status_code == 404
    again = await api.apply(call["id"], ana, api.form("BR"))
    assert (await api.request("DELETE", f"/applications/{again['id']}", ana)).status_code == 409
