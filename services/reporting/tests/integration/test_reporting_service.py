"""The reporting service as a process on the real broker and database: public events in, figures out.

The scenario's events are produced to the public topics (in a namespace of this module's own,
so that the end-to-end tests of the same session never see them); the service's live
consumer projects them, the rebuild command replays them, and the API serves them.
"""

import csv
import io
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from ibermuseos_platform.dev_issuer import DevIssuer
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.services import Launcher, RunningService
from ibermuseos_platform.testing.waiting import eventually
from ibermuseos_reporting.application.queries import BREAKDOWNS
from ibermuseos_reporting.domain.disclosure import headline as headline_text
from jsonschema import Draft202012Validator
from lxml import etree
from reporting_standards import giving_validator

pytestmark = pytest.mark.integration

IATI_SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "iati-2.03" / "iati-activities-schema.xsd"


class Running:
    def __init__(
        self, service: RunningService, issuer: DevIssuer, kafka: KafkaTestClient, scenario: Any
    ) -> None:
        self.service = service
        self.issuer = issuer
        self.kafka = kafka
        self.scenario = scenario
        self.url = service.url

    def token(self, subject: str, *roles: str, country: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.issuer.token(subject, roles=list(roles), country=country)}"}

    @property
    def coordinator(self) -> dict[str, str]:
        return self.token("coordinator-1", "coordinator", country="MX")

    async def produce(self, items: list[Any]) -> None:
        for item in items:
            await self.kafka.produce(item.topic, item.value, key=item.key, headers=item.headers)

    def rebuild(self) -> str:
        command = [str(Path(sys.executable).parent / "ibermuseos-reporting-rebuild"), "--batch-size", "10"]
        result = subprocess.run(command, env=self.service.env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stderr


@pytest.fixture(scope="module")
async def running(reporting_fed_with: Any, module_scenario: Any) -> AsyncIterator[Running]:
    async with reporting_fed_with(module_scenario.published) as fed:
        yield Running(fed.service, fed.issuer, fed.kafka, module_scenario)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


async def _figures(http: httpx.AsyncClient, running: Running, headers: dict[str, str]) -> dict[str, Any]:
    async def cells(by: str) -> dict[str, Any]:
        body = (
            await http.get(f"{running.url}/figures/beneficiaries", params={"by": by}, headers=headers)
        ).json()
        return {row["key"]: row["people"] for row in body["rows"]}

    institutions = (
        await http.get(f"{running.url}/figures/institutions", params={"by": "country"}, headers=headers)
    ).json()
    grants = (await http.get(f"{running.url}/figures/grants", headers=headers)).json()["rows"][0]
    courses = (await http.get(f"{running.url}/figures/courses", headers=headers)).json()["rows"]
    keep = (
        "enrolments",
        "evaluated",
        "completed",
        "completion_rate",
        "certificates",
        "hours_certified",
        "cancellations",
    )
    return {
        "beneficiaries": (await http.get(f"{running.url}/figures/beneficiaries", headers=headers)).json()[
            "total"
        ],
        "by_country": await cells("country"),
        "by_program": await cells("program"),
        "by_year": await cells("year"),
        "by_gender": await cells("gender"),
        "institutions": {key: institutions[key] for key in ("total", "direct", "through_replication_only")},
        "institutions_by_country": {row["key"]: row["institutions"] for row in institutions["rows"]},
        "grants": {
            key: value
            for key, value in grants.items()
            if key not in ("key", "label", "suppressed", "protecting", "exact")
        },
        "courses": {row["label"]: {key: row[key] for key in keep} for row in courses},
        "applications_by_country": (
            await http.get(f"{running.url}/figures/applications", headers=headers)
        ).json()["by_country"],
    }


async def test_the_live_consumer_projects_the_public_events_into_the_exact_figures(
    running: Running, http: httpx.AsyncClient, expected: dict[str, Any]
) -> None:
    assert await _figures(http, running, running.coordinator) == expected
    skeleton = (await http.get(f"{running.url}/figures/applications", headers=running.coordinator)).json()
    assert skeleton == {"total": 4, "by_country": {"MX": 2, "PE": 2}}
    public = (await http.get(f"{running.url}/figures/applications")).json()
    assert all(count % 3 == 0 for count in public["by_country"].values())


async def test_public_figures_are_protected_and_cached_with_an_etag(
    running: Running, http: httpx.AsyncClient
) -> None:
    response = await http.get(f"{running.url}/figures/beneficiaries", params={"by": "country"})
    body = response.json()
    assert (body["exact"], body["protection"]["base"]) == (False, 3)
    assert all(count % 3 == 0 for count in [body["total"], *(row["people"] for row in body["rows"])])
    assert response.headers["cache-control"].startswith("public, max-age=")
    again = await http.get(
        f"{running.url}/figures/beneficiaries",
        params={"by": "country"},
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304
    exact = await http.get(
        f"{running.url}/figures/beneficiaries", params={"by": "country"}, headers=running.coordinator
    )
    assert exact.headers["cache-control"] == "private, no-cache"
    assert {row["key"]: row["people"] for row in exact.json()["rows"]} == {"MX": 3, "PE": 1, "CL": 1, "BR": 1}
    # A participant's token sees the public figures, in an answer that is still that caller's alone.
    participant = await http.get(
        f"{running.url}/figures/beneficiaries",
        params={"by": "country"},
        headers=running.token("participant-1", "participant", country="PE"),
    )
    assert participant.json()["rows"] == body["rows"]
    assert (participant.headers["cache-control"], participant.headers["vary"]) == (
        "private, no-cache",
        "Authorization",
    )
    headline = (await http.get(f"{running.url}/figures/headline", params={"lang": "en"})).json()
    assert headline["text"] == headline_text(headline["beneficiaries"], headline["institutions"], "en")
    assert headline["freshness"]["events_applied"] == len(running.scenario.published)
    exact_headline = (
        await http.get(f"{running.url}/figures/headline", params={"lang": "en"}, headers=running.coordinator)
    ).json()
    assert exact_headline["text"] == "6 museum professionals benefited, and 6 institutions"


async def test_a_focal_point_sees_its_country_in_detail_and_another_country_is_not_found(
    running: Running, http: httpx.AsyncClient
) -> None:
    peru = running.token("focal-pe", "focal_point", country="PE")
    report = await http.get(f"{running.url}/countries/PE/report", headers=peru)
    assert report.status_code == 200, report.text
    body = report.json()
    assert [(row["key"], row["people"]) for row in body["beneficiaries"]["program"]["rows"]] == [
        ("training_grants", 1)
    ]
    assert [(row["label"], row["people"]) for row in body["beneficiaries"]["institution"]["rows"]] == [
        ("Museo de Arte de Lima", 1)
    ]
    assert (await http.get(f"{running.url}/countries/CL/report", headers=peru)).status_code == 404
    participant = running.token("someone", "participant", country="PE")
    assert (await http.get(f"{running.url}/countries/PE/report", headers=participant)).status_code == 403
    assert (await http.get(f"{running.url}/countries/PE/report")).status_code == 401
    by_institution = await http.get(f"{running.url}/figures/beneficiaries", params={"by": "institution"})
    assert by_institution.status_code == 401
    bad = await http.get(
        f"{running.url}/figures/beneficiaries", params={"by": "shoe_size", "country": "XX", "year": 1}
    )
    assert bad.status_code == 422
    assert {problem["field"] for problem in bad.json()["errors"]} == {
        "query.by",
        "query.country",
        "query.year",
    }


async def test_each_table_exports_as_csv_with_the_same_figures(
    running: Running, http: httpx.AsyncClient
) -> None:
    response = await http.get(
        f"{running.url}/figures/beneficiaries.csv", params={"by": "program"}, headers=running.coordinator
    )
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {row["key"]: row["people"] for row in rows} == {
        "training_courses": "2",
        "conversatorios": "2",
        "mini_courses": "2",
        "training_grants": "2",
    }
    public = list(csv.DictReader(io.StringIO((await http.get(f"{running.url}/figures/grants.csv")).text)))
    as_json = (await http.get(f"{running.url}/figures/grants")).json()["rows"]
    assert [(row["key"], int(row["accepted"]), row["suppressed"]) for row in public] == [
        (row["key"], row["accepted"], "") for row in as_json
    ]


async def test_open_data_files_publish_only_protected_aggregates_valid_against_their_standards(
    running: Running, http: httpx.AsyncClient
) -> None:
    iati = await http.get(f"{running.url}/open-data/iati-activity.xml")
    assert iati.status_code == 200
    assert '<default-aid-type code="E01" vocabulary="1" />' in iati.text
    document = etree.fromstring(iati.content)
    schema = etree.XMLSchema(etree.parse(IATI_SCHEMA))  # the official IATI 2.03 schema
    assert schema.validate(document), schema.error_log
    people = document.xpath(
        "//indicator[reference/@code='beneficiaries' or reference/@code='grantees']//actual/@value"
    )
    assert all(int(value) % 3 == 0 for value in people)  # counts of people, protected (institutions are not)
    giving = await http.get(f"{running.url}/open-data/360giving.json")
    # Two grantees, one in Mexico, one in Peru: as published, each country counts 0 or 3 of them.
    if giving.status_code == 404:
        assert giving.headers["content-type"] == "application/problem+json"
        assert "No grants to publish yet" in giving.json()["title"]
        assert (await http.get(f"{running.url}/open-data/360giving.csv")).status_code == 404
    else:
        assert giving.status_code == 200
        errors = [error.message for error in giving_validator().iter_errors(giving.json())]
        assert errors == [], errors
    for person in running.scenario.people.values():
        assert person not in iati.text
        assert person not in giving.text


async def test_a_rebuild_from_scratch_switches_to_fresh_tables_with_the_same_figures(
    running: Running, http: httpx.AsyncClient, expected: dict[str, Any]
) -> None:
    before = (await http.get(f"{running.url}/freshness")).json()["serving"]["schema"]
    output = running.rebuild()
    assert "events/s" in output
    assert "switched to" in output
    freshness = (await http.get(f"{running.url}/freshness")).json()
    assert freshness["serving"]["schema"] != before
    assert freshness["serving"]["built_by_rebuild_at"] is not None
    assert freshness["last_rebuild"]["state"] == "switched"
    assert freshness["last_rebuild"]["events_done"] == len(running.scenario.published), (output, freshness)
    assert await _figures(http, running, running.coordinator) == expected


async def test_every_event_delivered_twice_changes_no_figure_live_or_rebuilt(
    running: Running, http: httpx.AsyncClient, expected: dict[str, Any]
) -> None:
    await running.produce(list(running.scenario.published))
    produced_at = datetime.now(UTC)

    async def caught_up() -> bool:
        # Only a lag measured after the duplicates were produced says they were consumed.
        lag = (await http.get(f"{running.url}/freshness")).json()["consumer_lag"]
        measured_at = lag["measured_at"]
        return (
            measured_at is not None
            and datetime.fromisoformat(measured_at) > produced_at
            and lag["total"] == 0
        )

    await eventually(caught_up, timeout=60, what="the duplicates consumed")
    assert await _figures(http, running, running.coordinator) == expected
    running.rebuild()
    assert await _figures(http, running, running.coordinator) == expected


async def test_a_coordinator_splits_a_wrong_match_and_merges_it_back(
    running: Running, http: httpx.AsyncClient
) -> None:
    listed = (
        await http.get(f"{running.url}/institutions", params={"country": "MX"}, headers=running.coordinator)
    ).json()
    assert listed["total"] == 1
    mna = listed["items"][0]
    assert mna["name"] == "Museo Nacional de Antropología"
    assert mna["beneficiaries"] == 3
    abbreviation = next(spelling for spelling in mna["spellings"] if spelling["name"] == "MNA")
    split = await http.post(
        f"{running.url}/institutions/{mna['institution_id']}/split",
        json={"spellings": [abbreviation["id"]]},
        headers={**running.coordinator, "Idempotency-Key": "split-mna-1"},
    )
    assert split.status_code == 201, split.text
    replay = await http.post(
        f"{running.url}/institutions/{mna['institution_id']}/split",
        json={"spellings": [abbreviation["id"]]},
        headers={**running.coordinator, "Idempotency-Key": "split-mna-1"},
    )
    assert replay.json() == split.json()
    by_country = (
        await http.get(
            f"{running.url}/figures/institutions", params={"by": "country"}, headers=running.coordinator
        )
    ).json()
    assert {row["key"]: row["institutions"] for row in by_country["rows"]}["MX"] == 2
    merged = await http.post(
        f"{running.url}/institutions/merge",
        json={"into": mna["institution_id"], "institutions": [split.json()["id"]]},
        headers=running.coordinator,
    )
    assert merged.status_code == 200, merged.text
    after = (
        await http.get(
            f"{running.url}/figures/institutions", params={"by": "country"}, headers=running.coordinator
        )
    ).json()
    assert {row["key"]: row["institutions"] for row in after["rows"]}["MX"] == 1
    peru = running.token("focal-pe", "focal_point", country="PE")
    assert (
        await http.get(f"{running.url}/institutions/{mna['institution_id']}", headers=peru)
    ).status_code == 404
    refused = await http.post(
        f"{running.url}/institutions/merge",
        json={"into": mna["institution_id"], "institutions": [mna["institution_id"]], "status": "done"},
        headers=running.coordinator,
    )
    assert refused.status_code == 422
    assert (
        await http.post(
            f"{running.url}/institutions/merge",
            json={"into": mna["institution_id"], "institutions": []},
            headers=peru,
        )
    ).status_code == 403


async def test_the_public_api_answers_429_to_a_client_asking_too_often_and_never_to_staff(
    running: Running, launcher: Launcher
) -> None:
    strict = await launcher.start(
        "reporting",
        topic_prefix=running.kafka.prefix,
        database_url=running.service.database_url,
        extra_env={"REPORTING_RATE_LIMIT__RATE_PER_SECOND": "0.1", "REPORTING_RATE_LIMIT__BURST": "3"},
    )
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            statuses = [(await http.get(f"{strict.url}/figures/headline")).status_code for _ in range(4)]
            limited = await http.get(f"{strict.url}/figures/headline")
        assert statuses == [200, 200, 200, 429]
        assert int(limited.headers["retry-after"]) >= 1
        # Issue 14: a coordinator got 429 after about 60 quick calls; staff are not held to the public limit.
        async with httpx.AsyncClient(timeout=30) as http:
            staff = [
                (
                    await http.get(f"{strict.url}/figures/applications", headers=running.coordinator)
                ).status_code
                for _ in range(200)
            ]
        assert set(staff) == {200}
    finally:
        await strict.stop()


async def test_projections_of_another_version_are_back_filled_by_the_service_and_switched_in(
    running: Running, http: httpx.AsyncClient, expected: dict[str, Any]
) -> None:
    """What happens when a new projection is deployed: the serving schema is of an older version."""
    import asyncpg

    before = (await http.get(f"{running.url}/freshness")).json()["serving"]
    connection = await asyncpg.connect(running.service.database_url.replace("+asyncpg", ""))
    try:
        await connection.execute("UPDATE serving SET version = 'older'")
    finally:
        await connection.close()

    async def switched() -> bool:
        serving = (await http.get(f"{running.url}/freshness")).json()["serving"]
        return bool(serving["current_version"]) and serving["schema"] != before["schema"]

    await eventually(switched, timeout=60, what="the service rebuilding and switching to the current version")
    assert await _figures(http, running, running.coordinator) == expected


async def test_every_answer_holds_to_the_openapi_document_with_figures_in_it(
    running: Running, http: httpx.AsyncClient
) -> None:
    """The conformance run sees an empty service; here every table has rows, every view its own exactness."""
    document = (await http.get(f"{running.url}/openapi.json")).json()
    peru = running.token("focal-pe", "focal_point", country="PE")
    coordinator = running.coordinator
    mexico = (
        await http.get(f"{running.url}/institutions", params={"country": "MX"}, headers=coordinator)
    ).json()
    asked: list[tuple[str, str, dict[str, Any], dict[str, str]]] = [
        ("/figures/headline", "/figures/headline", {}, {}),
        ("/figures/headline", "/figures/headline", {}, coordinator),
        ("/figures/applications", "/figures/applications", {}, peru),
        ("/freshness", "/freshness", {}, {}),
        ("/countries/{country}/report", "/countries/PE/report", {}, peru),
        ("/institutions", "/institutions", {"limit": 1}, coordinator),
        (
            "/institutions/{institution_id}",
            f"/institutions/{mexico['items'][0]['institution_id']}",
            {},
            coordinator,
        ),
        ("/institutions/suggestions", "/institutions/suggestions", {}, coordinator),
        ("/institutions/abbreviations", "/institutions/abbreviations", {"country": "MX"}, coordinator),
    ]
    for table, kinds in BREAKDOWNS.items():
        for by in kinds:
            for headers in ({}, peru, coordinator):
                if by != "institution" or headers is coordinator:
                    asked.append((f"/figures/{table}", f"/figures/{table}", {"by": by}, headers))
    asked.append(
        ("/figures/beneficiaries", "/figures/beneficiaries", {"by": "institution", "country": "PE"}, peru)
    )
    asked.append(
        ("/figures/institutions", "/figures/institutions", {"by": "country", "year": 2027}, coordinator)
    )

    for template, path, params, headers in asked:
        answer = await http.get(f"{running.url}{path}", params=params, headers=headers)
        assert answer.status_code == 200, (path, params, answer.text)
        schema = document["paths"][template]["get"]["responses"]["200"]["content"]["application/json"][
            "schema"
        ]
        validator = Draft202012Validator({**schema, "components": document["components"]})
        errors = [
            f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(answer.json())
        ]
        assert errors == [], (path, params, errors)
