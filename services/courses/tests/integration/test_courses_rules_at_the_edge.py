"""Bad input gets 4xx with every problem listed and changes nothing; each caller sees only what is theirs."""

from typing import Any

import pytest

pytestmark = pytest.mark.integration


async def test_an_offering_with_many_mistakes_lists_every_one_and_nothing_is_created(api: Any) -> None:
    before = (
        await api.http.get(f"{api.url}/offerings", params={"limit": 200}, headers=api.coordinator)
    ).json()["items"]
    response = await api.http.post(
        f"{api.url}/offerings",
        json={
            "kind": "workshop",
            "title": {"es": "", "pt": "Título"},
            "description": {"es": "d", "pt": "d", "en": "d"},
            "subject_area": "Conservation!",
            "hours": "-3",
            "status": "published",
        },
        headers=api.coordinator,
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {
        "body.kind",
        "body.title.es",
        "body.title.en",
        "body.subject_area",
        "body.hours",
        "body.status",
    } <= fields
    after = (
        await api.http.get(f"{api.url}/offerings", params={"limit": 200}, headers=api.coordinator)
    ).json()["items"]
    assert after == before


async def test_the_rules_of_an_offering_are_checked_together(api: Any) -> None:
    response = await api.http.post(
        f"{api.url}/offerings",
        json={
            "kind": "training_course",
            "title": {"es": "t", "pt": "t", "en": "t"},
            "description": {"es": "d", "pt": "d", "en": "d"},
            "subject_area": "astrology",
            "hours": "10",
            "completion": {"min_attendance_rate": "0.8"},
            "certificate": False,
        },
        headers=api.coordinator,
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {
        "completion.pass_mark",
        "subject_area",
        "certificate",
    }


async def test_a_run_with_an_incoherent_calendar_lists_every_problem(api: Any) -> None:
    offering = await api.offering("mini_course")
    body = {
        "offering_id": offering["id"],
        "sessions": [
            {"starts_at": "2027-05-10T10:00:00", "ends_at": "2027-05-10T09:00:00"},
            {"starts_at": "2027-05-10T08:30:00", "ends_at": "2027-05-10T12:00:00"},
        ],
        "timezone": "Mars/Olympus",
        "modality": "in_person",
        "language": "es",
        "capacity": 10,
        "quota_per_country": 20,
        "enrolment_opens_at": "2027-05-01T00:00:00",
        "enrolment_closes_at": "2027-04-01T00:00:00",
        "eligible_countries": ["PE", "PE"],
    }
    # A zone that is no zone is refused with the body's other types, before the run's rules are read.
    no_zone = await api.http.post(f"{api.url}/runs", json=body, headers=api.coordinator)
    assert no_zone.status_code == 422
    assert [e["field"] for e in no_zone.json()["errors"]] == ["body.timezone"], no_zone.json()

    response = await api.http.post(
        f"{api.url}/runs", json={**body, "timezone": "America/Lima"}, headers=api.coordinator
    )
    assert response.status_code == 422
    fields = sorted(e["field"] for e in response.json()["errors"])
    assert fields == sorted(
        [
            "sessions.1",
            "sessions.1",
            "venue",
            "quota_per_country",
            "enrolment_closes_at",
            "eligible_countries",
        ]
    ), response.json()
    runs = (
        await api.http.get(f"{api.url}/runs", params={"offering_id": offering["id"]}, headers=api.coordinator)
    ).json()["items"]
    assert runs == []


async def test_enrolment_is_checked_against_the_run_and_refused_twice(api: Any) -> None:
    offering = await api.offering("conversatorio", certificate=False)
    run = await api.run(offering["id"], eligible_countries=["PE", "CL"])
    refused = await api.enrol(
        run["id"], "eve-br", "BR", email="not-an-email", timezone="Nowhere/City", extra="x"
    )
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} >= {"body.email", "body.extra"}
    wrong_country = await api.enrol(run["id"], "eve-br", "BR")
    assert wrong_country.status_code == 422
    assert wrong_country.json()["errors"] == [
        {"field": "country", "problem": "this run is open to CL, PE only"}
    ]
    first = await api.enrol(run["id"], "eve-pe", "PE")
    again = await api.enrol(run["id"], "eve-pe", "PE")
    assert (first.status_code, again.status_code) == (201, 409)
    seats = (await api.http.get(f"{api.url}/runs/{run['id']}", headers=api.coordinator)).json()
    assert seats["seats_taken"] == 1


async def test_a_retried_enrolment_with_the_same_idempotency_key_enrols_once(api: Any) -> None:
    run = await api.run((await api.offering("mini_course"))["id"])
    body = {
        "preferred_language": "pt-BR",
        "country": "BR",
        "institution": {"name": "Museu", "type": "museum", "city": "Recife", "country": "BR"},
    }
    headers = {
        **api.token("rita", "participant", country="BR", name="Rita Lobo", email="rita@museu.example"),
        "Idempotency-Key": "k-1",
    }
    first = await api.http.post(f"{api.url}/runs/{run['id']}/enrolments", json=body, headers=headers)
    second = await api.http.post(f"{api.url}/runs/{run['id']}/enrolments", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.json()["participant"]["name"] == "Rita Lobo"  # from the token's claims


async def test_a_webinar_report_with_unreadable_rows_lists_them_all_and_records_nothing(api: Any) -> None:
    run = await api.run((await api.offering("conversatorio"))["id"])
    enrolled = (await api.enrol(run["id"], "ximena", "MX")).json()
    session = run["sessions"][0]["session_id"]
    instructor = {**api.token("instructor-1", "instructor"), "Content-Type": "text/csv"}
    report = "Email,Join Time,Leave Time\nximena@museo.example,yesterday,2027-05-10 10:00\na@b.c,2027-05-10 10:00,2027-05-10 09:00\n"
    url = f"{api.url}/runs/{run['id']}/sessions/{session}/attendance-report"
    response = await api.http.post(url, content=report, headers=instructor)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["report.line.2", "report.line.3"]
    no_header = await api.http.post(url, content="a,b\n1,2\n", headers=instructor)
    assert no_header.status_code == 422
    too_big = await api.http.post(url, content="x" * 2_000_001, headers=instructor)
    assert too_big.status_code == 413
    not_csv = await api.http.post(
        url, content=b"%PDF", headers={**instructor, "Content-Type": "application/pdf"}
    )
    assert not_csv.status_code == 415
    records = await api.http.get(f"{api.url}/runs/{run['id']}/attendance", headers=instructor)
    assert records.json()["items"] == []
    assert enrolled["status"] == "enrolled"


async def test_each_caller_sees_only_the_enrolments_and_runs_that_are_theirs(api: Any) -> None:
    run = await api.run((await api.offering("mini_course"))["id"], instructors=["teacher-a"])
    peru = (await api.enrol(run["id"], "pia", "PE")).json()
    chile = (await api.enrol(run["id"], "cata", "CL")).json()
    url = f"{api.url}/enrolments"

    focal_pe = api.token("focal-pe", "focal_point", country="PE")
    assert (await api.http.get(f"{url}/{peru['id']}", headers=focal_pe)).status_code == 200
    assert (await api.http.get(f"{url}/{chile['id']}", headers=focal_pe)).status_code == 404
    listed = (await api.http.get(url, params={"run_id": run["id"]}, headers=focal_pe)).json()["items"]
    assert [e["id"] for e in listed] == [peru["id"]]

    other = api.participant("cata", "CL")
    assert (await api.http.get(f"{url}/{peru['id']}", headers=other)).status_code == 404
    assert (await api.http.post(f"{url}/{peru['id']}/cancel", headers=other)).status_code == 404
    assert (await api.http.post(f"{url}/{peru['id']}/cancel", headers=focal_pe)).status_code == 403

    teacher = api.token("teacher-a", "instructor")
    stranger = api.token("teacher-b", "instructor")
    assert (await api.http.get(f"{url}/{chile['id']}", headers=teacher)).status_code == 200
    assert (await api.http.get(f"{url}/{chile['id']}", headers=stranger)).status_code == 404
    mark = {"records": [{"enrolment_id": chile["id"], "present": True}]}
    session = run["sessions"][0]["session_id"]
    attendance = f"{api.url}/runs/{run['id']}/sessions/{session}/attendance"
    assert (await api.http.put(attendance, json=mark, headers=stranger)).status_code == 403
    assert (await api.http.put(attendance, json=mark, headers=other)).status_code == 403
    assert (await api.http.put(attendance, json=mark, headers=teacher)).status_code == 200
    assert (await api.http.get(f"{api.url}/runs/{run['id']}", headers=stranger)).json()["instructors"] is None

    participant_only = api.participant("pia", "PE")
    assert (
        await api.http.post(f"{api.url}/runs/{run['id']}/close", headers=participant_only)
    ).status_code == 403
    assert (await api.http.post(f"{api.url}/offerings", json={}, headers=participant_only)).status_code == 403
    assert (await api.http.get(f"{api.url}/runs")).status_code == 401
    assert (await api.http.post(f"{url}/{peru['id']}/cancel", headers=participant_only)).status_code == 200


async def test_drafts_are_for_coordinators_and_publishing_happens_once(api: Any) -> None:
    draft = await api.offering(
        "training_course", publish=False, completion={"min_attendance_rate": "1", "pass_mark": "70"}
    )
    reader = api.participant("lector", "PE")
    assert (await api.http.get(f"{api.url}/offerings/{draft['id']}", headers=reader)).status_code == 404
    not_yet = await api.http.post(
        f"{api.url}/runs",
        json={
            "offering_id": draft["id"],
            "sessions": [{"starts_at": "2027-05-10T10:00:00", "ends_at": "2027-05-10T12:00:00"}],
            "timezone": "America/Lima",
            "modality": "online",
            "language": "es",
            "capacity": 10,
            "enrolment_opens_at": "2027-04-01T00:00:00",
            "enrolment_closes_at": "2027-05-01T00:00:00",
        },
        headers=api.coordinator,
    )
    assert not_yet.status_code == 422
    assert not_yet.json()["errors"] == [
        {"field": "offering_id", "problem": "the offering is not published yet"}
    ]
    published = await api.http.post(f"{api.url}/offerings/{draft['id']}/publish", headers=api.coordinator)
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert (
        await api.http.post(f"{api.url}/offerings/{draft['id']}/publish", headers=api.coordinator)
    ).status_code == 409
    assert (await api.http.get(f"{api.url}/offerings/{draft['id']}", headers=reader)).status_code == 200


async def test_a_place_on_the_waitlist_counts_only_who_is_still_ahead(api: Any) -> None:
    run = await api.run((await api.offering("mini_course"))["id"], capacity=1)
    people = ["abel", "berta", "ciro", "dora"]
    enrolled = {name: (await api.enrol(run["id"], f"{name}-{run['id'][:8]}", "PE")).json() for name in people}
    assert [enrolled[name]["waitlist_position"] for name in people] == [None, 1, 2, 3]

    async def positions() -> dict[str, int | None]:
        listed = await api.http.get(f"{api.url}/runs/{run['id']}/enrolments", headers=api.coordinator)
        by_id = {e["id"]: e["waitlist_position"] for e in listed.json()["items"]}
        return {name: by_id[enrolled[name]["id"]] for name in people}

    async def own_position(name: str) -> int | None:
        mine = await api.http.get(
            f"{api.url}/enrolments/{enrolled[name]['id']}",
            headers=api.participant(f"{name}-{run['id'][:8]}", "PE"),
        )
        position: int | None = mine.json()["waitlist_position"]
        return position

    left = await api.http.post(
        f"{api.url}/enrolments/{enrolled['berta']['id']}/cancel",
        headers=api.participant(f"berta-{run['id'][:8]}", "PE"),
    )
    assert left.status_code == 200
    assert await positions() == {"abel": None, "berta": None, "ciro": 1, "dora": 2}

    freed = await api.http.post(
        f"{api.url}/enrolments/{enrolled['abel']['id']}/cancel", headers=api.coordinator
    )
    assert freed.json()["promoted"] == [enrolled["ciro"]["id"]]
    assert await positions() == {"abel": None, "berta": None, "ciro": None, "dora": 1}
    assert await own_position("dora") == 1
