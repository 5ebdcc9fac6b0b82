"""A small program driven through the applications and courses APIs ends with reporting's exact figures;
the same after a rebuild from scratch, and the same when every public event is delivered twice.

Other tests of the session publish into the same topics, so the figures checked are those of this
test's own call, offerings and institutions (named with a tag of its own): each is exact.

Ana completes a training course, attends a conversatorio and accepts a grant (one beneficiary);
Bruno completes the course; Carla misses it and declines her grant; Diego attends the conversatorio.
Ana's replication reaches her colleague Diego's museum again and two institutions no beneficiary
came from.
"""

import asyncio
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from ibermuseos_platform.testing.waiting import eventually
from platform_harness import Platform

pytestmark = pytest.mark.e2e

CRITERIA = [
    {"id": "relevance", "name": {"es": "Pertinencia", "pt": "Pertinência", "en": "Relevance"}, "weight": "3"},
    {"id": "impact", "name": {"es": "Impacto", "pt": "Impacto", "en": "Impact"}, "weight": "2"},
]
PUBLIC_TOPICS = [
    "public.applications.call.v1",
    "public.applications.application.v1",
    "public.courses.offering.v1",
    "public.courses.run.v1",
    "public.courses.enrolment.v1",
    "public.courses.certificate.v1",
]


class Flow:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.http = platform.http
        self.tag = uuid.uuid4().hex[:6]
        self.coordinator = platform.token(f"coord-{self.tag}", "coordinator", country="MX")

    def person(self, name: str, country: str) -> dict[str, str]:
        """A participant whose sign-in carries their name and verified e-mail."""
        return self.platform.token(
            f"{name}-{self.tag}",
            "participant",
            country=country,
            name=f"Persona {name}",
            email=f"{name}-{self.tag}@museo.example",
        )

    async def ok(self, service: str, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> Any:
        response = await self.http.request(
            method, f"{self.platform.url(service)}{path}", headers=headers, **kwargs
        )
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def institution(self, which: str) -> dict[str, str]:
        return {
            "mna": {
                "name": f"Museo Nacional de Antropología {self.tag}",
                "type": "museum",
                "city": "Ciudad de México",
                "country": "MX",
            },
            "mna_caps": {
                "name": f"MUSEO NACIONAL DE ANTROPOLOGIA {self.tag.upper()}",
                "type": "museum",
                "city": "CIUDAD DE MEXICO",
                "country": "MX",
            },
            "mali": {"name": f"Museo de Arte {self.tag}", "type": "museum", "city": "Lima", "country": "PE"},
            "mali_caps": {
                "name": f"MUSEO DE ARTE {self.tag.upper()}",
                "type": "museum",
                "city": "Lima",
                "country": "PE",
            },
            "regional": {
                "name": f"Museo Regional {self.tag}",
                "type": "museum",
                "city": "Cusco",
                "country": "PE",
            },
            "casa": {
                "name": f"Casa de la Cultura {self.tag}",
                "type": "cultural_centre",
                "city": "Cusco",
                "country": "PE",
            },
        }[which]

    # ------------------------------------------------------------------------ courses

    async def offering(self, kind: str, title: str, **extra: Any) -> dict[str, Any]:
        body = {
            "kind": kind,
            "title": {"es": title, "pt": title, "en": title},
            "description": {"es": "Curso", "pt": "Curso", "en": "Course"},
            "subject_area": "conservation",
            "hours": "20",
            "publish": True,
            **extra,
        }
        return dict(await self.ok("courses", "POST", "/offerings", self.coordinator, json=body))

    async def run(self, offering_id: str) -> dict[str, Any]:
        now = datetime.now(UTC)
        sessions = [
            (now - timedelta(hours=3), now - timedelta(hours=2)),
            (now - timedelta(hours=1), now - timedelta(minutes=30)),
            (now - timedelta(minutes=20), now + timedelta(seconds=8)),
        ]
        body = {
            "offering_id": offering_id,
            "sessions": [{"starts_at": s.isoformat(), "ends_at": e.isoformat()} for s, e in sessions],
            "timezone": "America/Mexico_City",
            "modality": "online",
            "language": "es",
            "capacity": 30,
            "enrolment_opens_at": (now - timedelta(days=1)).isoformat(),
            "enrolment_closes_at": (now + timedelta(seconds=7)).isoformat(),
            "eligible_countries": [],
            "instructors": [f"instructor-{self.tag}"],
        }
        return dict(await self.ok("courses", "POST", "/runs", self.coordinator, json=body))

    async def enrol(self, run: dict[str, Any], name: str, country: str, institution: str) -> dict[str, Any]:
        body = {
            "name": f"Persona {name}",
            "email": f"{name}-{self.tag}@museo.example",
            "preferred_language": "es",
            "country": country,
            "institution": self.institution(institution),
        }
        return dict(
            await self.ok(
                "courses", "POST", f"/runs/{run['id']}/enrolments", self.person(name, country), json=body
            )
        )

    async def attend(self, run: dict[str, Any], enrolments: list[dict[str, Any]]) -> None:
        instructor = self.platform.token(f"instructor-{self.tag}", "instructor")
        for session in run["sessions"]:
            await self.ok(
                "courses",
                "PUT",
                f"/runs/{run['id']}/sessions/{session['session_id']}/attendance",
                instructor,
                json={"records": [{"enrolment_id": e["id"], "present": True} for e in enrolments]},
            )

    async def close(self, run: dict[str, Any]) -> None:
        async def closed() -> bool:
            response = await self.http.post(
                f"{self.platform.url('courses')}/runs/{run['id']}/close", headers=self.coordinator
            )
            return response.status_code < 300

        await eventually(closed, timeout=60, what="the run closed once ended")

    # ------------------------------------------------------------------------- grants

    async def call(self) -> dict[str, Any]:
        today, now = datetime.now(UTC).date(), datetime.now(UTC)
        terms = {
            "year": today.year,
            "title": {"es": f"Becas {self.tag}", "pt": f"Bolsas {self.tag}", "en": f"Grants {self.tag}"},
            "rules": {"es": "Bases", "pt": "Regras", "en": "Rules"},
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=1)).isoformat(),
            "timezone": "America/Mexico_City",
            "currency": "USD",
            "budget": "12000.00",
            "max_per_grant": "2000.00",
            "eligible_residence_countries": ["MX", "PE"],
            "eligible_host_countries": ["MX", "PE", "ES"],
            "eligible_activity_kinds": ["course"],
            "activities_from": (today - timedelta(days=300)).isoformat(),
            "activities_until": (today - timedelta(days=2)).isoformat(),
            "criteria": CRITERIA,
            "evaluators_per_application": 2,
        }
        call = await self.ok("applications", "POST", "/calls", self.coordinator, json=terms)
        return dict(await self.ok("applications", "POST", f"/calls/{call['id']}/publish", self.coordinator))

    async def apply(self, call_id: str, name: str, country: str, institution: str) -> str:
        today = datetime.now(UTC).date()
        form = {
            "applicant": {
                "preferred_language": "es",
                "gender": "female",
                "role": "Conservadora",
                "country_of_residence": country,
            },
            "institution": self.institution(institution),
            "activity": {
                "title": "Conservación preventiva",
                "organiser": "INAH",
                "kind": "course",
                "host_country": "ES",
                "host_city": "Madrid",
                "starts_on": (today - timedelta(days=60)).isoformat(),
                "ends_on": (today - timedelta(days=50)).isoformat(),
                "modality": "in_person",
                "link": "https://inah.example/curso",
            },
            "budget": {"travel": "1500.00"},
            "motivation": "Llevar la conservación preventiva al acervo.",
            "replication_commitment": True,
        }
        person = self.person(name, country)
        draft = await self.ok("applications", "POST", f"/calls/{call_id}/applications", person, json=form)
        await self.ok("applications", "POST", f"/applications/{draft['id']}/submit", person)
        return str(draft["id"])

    async def decide(self, call_id: str) -> None:
        coordinator = self.coordinator
        await self.ok(
            "applications",
            "POST",
            f"/calls/{call_id}/close",
            coordinator,
            json={"justification": "End-to-end test"},
        )
        panel = {f"eval-es-{self.tag}": "ES", f"eval-uy-{self.tag}": "UY"}
        await self.ok(
            "applications",
            "PUT",
            f"/calls/{call_id}/panel",
            coordinator,
            json={"evaluators": [{"evaluator_id": e, "country": c} for e, c in panel.items()]},
        )
        await self.ok("applications", "POST", f"/calls/{call_id}/assignments", coordinator)
        for evaluator, country in panel.items():
            token = self.platform.token(evaluator, "evaluator", country=country)
            mine = (await self.ok("applications", "GET", "/evaluations?limit=100", token))["items"]
            for item in mine:
                await self.ok(
                    "applications",
                    "POST",
                    f"/evaluations/{item['application_id']}/scores",
                    token,
                    json={
                        "scores": {
                            "relevance": {"score": "8", "comment": "Pertinente"},
                            "impact": {"score": "7", "comment": "Buen efecto"},
                        }
                    },
                )
        await self.ok(
            "applications", "POST", f"/calls/{call_id}/proposal", coordinator, json={"waitlist_length": 0}
        )
        await self.ok("applications", "POST", f"/calls/{call_id}/results", coordinator)


async def reporting(flow: Flow, path: str, **params: Any) -> Any:
    response = await flow.http.get(
        f"{flow.platform.url('reporting')}{path}", params=params, headers=flow.coordinator
    )
    assert response.status_code == 200, response.text
    return response.json()


async def figures(flow: Flow, call_id: str, offerings: dict[str, str]) -> dict[str, Any]:
    """This test's own figures, as a coordinator sees them."""
    grants = await reporting(flow, "/figures/grants", by="call")
    courses = await reporting(flow, "/figures/courses", by="offering")
    keep = ("enrolments", "evaluated", "completed", "completion_rate", "certificates", "hours_certified")
    by_institution: dict[str, Any] = {}
    for country in ("MX", "PE"):
        body = await reporting(flow, "/figures/beneficiaries", by="institution", country=country)
        by_institution.update(
            {row["label"]: row["people"] for row in body["rows"] if flow.tag in row["label"]}
        )
    institutions = await reporting(flow, "/institutions", q=flow.tag)
    return {
        "grants": next(
            {k: v for k, v in row.items() if k not in ("key", "label", "suppressed", "protecting", "exact")}
            for row in grants["rows"]
            if row["key"] == call_id
        ),
        "courses": {
            kind: next({k: row[k] for k in keep} for row in courses["rows"] if row["key"] == offering_id)
            for kind, offering_id in offerings.items()
        },
        "beneficiaries_by_institution": by_institution,
        "institutions": sorted(
            (item["name"], item["beneficiaries"], item["replication_mentions"], len(item["spellings"]))
            for item in institutions["items"]
        ),
    }


def expected(tag: str) -> dict[str, Any]:
    return {
        "grants": {
            "applications": 2,
            "eligible": 2,
            "ineligible": 0,
            "withdrawn": 0,
            "awarded": 2,
            "waitlisted": 0,
            "rejected": 0,
            "accepted": 1,
            "declined": 1,
            "reports": 1,
            "net_awarded": 1,
            "on_waitlist": 0,
            "amount_awarded": {"USD": "3000.00"},
            "amount_accepted": {"USD": "1500.00"},
            "amount_net_awarded": {"USD": "1500.00"},
        },
        "courses": {
            "training_course": {
                "enrolments": 3,
                "evaluated": 3,
                "completed": 2,
                "completion_rate": 0.6667,
                "certificates": 2,
                "hours_certified": "40",
            },
            # The courses service certifies conversatorios too unless the offering says otherwise.
            "conversatorio": {
                "enrolments": 2,
                "evaluated": 2,
                "completed": 2,
                "completion_rate": 1.0,
                "certificates": 2,
                "hours_certified": "40",
            },
        },
        # Ana (course, conversatorio, grant) and Bruno at the MNA, written two ways; Diego at the museum of
        # art (Carla, of the same museum, neither completed nor kept her grant).
        "beneficiaries_by_institution": {
            f"Museo Nacional de Antropología {tag}": 2,
            f"Museo de Arte {tag}": 1,
        },
        "institutions": sorted(
            [
                (f"Casa de la Cultura {tag}", 0, 1, 1),
                (f"Museo Nacional de Antropología {tag}", 2, 0, 1),
                (f"Museo Regional {tag}", 0, 1, 1),
                (f"Museo de Arte {tag}", 1, 1, 1),
            ]
        ),
    }


def rebuild(platform: Platform) -> None:
    command = [str(Path(sys.executable).parent / "ibermuseos-reporting-rebuild"), "--batch-size", "500"]
    result = subprocess.run(
        command, env=platform.services["reporting"].env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "switched to" in result.stderr


async def deliver_everything_again(platform: Platform) -> int:
    """Every record of the public topics produced once more, with the same key, headers and value."""
    env = platform.services["reporting"].env
    bootstrap, prefix = env["REPORTING_KAFKA__BOOTSTRAP_SERVERS"], env["REPORTING_KAFKA__TOPIC_PREFIX"]
    # earliest: otherwise the fetcher may reset the assigned partitions to their end before the
    # seek to the beginning below takes effect, and nothing would be read.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await consumer.start()
    await producer.start()
    try:
        # Right after a broker restart (another test's) metadata may lack leaders for a while.
        deadline = time.monotonic() + 60
        while True:
            cluster = await consumer._client.fetch_all_metadata()
            known = {topic: cluster.partitions_for_topic(prefix + topic) for topic in PUBLIC_TOPICS}
            if all(known.values()) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        partitions = [
            TopicPartition(prefix + topic, p) for topic in PUBLIC_TOPICS for p in sorted(known[topic] or ())
        ]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        records = []
        while [p for p in partitions if await consumer.position(p) < ends[p]]:
            for partition, batch in (await consumer.getmany(timeout_ms=500)).items():
                records += [record for record in batch if record.offset < ends[partition]]
        for record in records:
            await producer.send(record.topic, record.value, key=record.key, headers=list(record.headers))
        await producer.flush()
        return len(records)
    finally:
        await producer.stop()
        await consumer.stop()


async def test_a_program_driven_through_the_apis_gives_exact_figures_also_rebuilt_and_redelivered(
    platform: Platform,
) -> None:
    flow = Flow(platform)
    # ------------------------------------------------------------------------ courses
    course = await flow.offering(
        "training_course",
        f"Conservación {flow.tag}",
        completion={"min_attendance_rate": "0.75", "pass_mark": "60"},
    )
    talk = await flow.offering("conversatorio", f"Conversatorio {flow.tag}")
    course_run, talk_run = await flow.run(course["id"]), await flow.run(talk["id"])
    ana_c = await flow.enrol(course_run, "ana", "MX", "mna")
    bruno_c = await flow.enrol(course_run, "bruno", "MX", "mna_caps")
    await flow.enrol(course_run, "carla", "PE", "mali")
    ana_t = await flow.enrol(talk_run, "ana", "MX", "mna")
    diego_t = await flow.enrol(talk_run, "diego", "PE", "mali_caps")
    await flow.attend(course_run, [ana_c, bruno_c])
    await flow.ok(
        "courses",
        "PUT",
        f"/runs/{course_run['id']}/grades",
        flow.platform.token(f"instructor-{flow.tag}", "instructor"),
        json={
            "grades": [
                {"enrolment_id": ana_c["id"], "grade": "85"},
                {"enrolment_id": bruno_c["id"], "grade": "90"},
            ]
        },
    )
    await flow.attend(talk_run, [ana_t, diego_t])
    # ------------------------------------------------------------------------- grants
    call = await flow.call()
    ana_a = await flow.apply(call["id"], "ana", "MX", "mna")
    carla_a = await flow.apply(call["id"], "carla", "PE", "mali")
    await flow.decide(call["id"])
    await flow.ok("applications", "POST", f"/applications/{ana_a}/accept", flow.person("ana", "MX"))
    await flow.ok("applications", "POST", f"/applications/{carla_a}/decline", flow.person("carla", "PE"))
    today = datetime.now(UTC).date()
    await flow.ok(
        "applications",
        "POST",
        f"/applications/{ana_a}/report",
        flow.person("ana", "MX"),
        json={
            "attended": True,
            "learned": "Planes de conservación",
            "replications": [
                {
                    "held_on": (today - timedelta(days=10)).isoformat(),
                    "colleagues_trained": 12,
                    "institutions": [flow.institution(i) for i in ("mali_caps", "regional", "casa")],
                }
            ],
        },
    )
    await flow.close(course_run)
    await flow.close(talk_run)

    offerings = {"training_course": course["id"], "conversatorio": talk["id"]}
    wanted = expected(flow.tag)
    seen: dict[str, Any] = {}

    async def arrived() -> bool:
        try:
            seen.update(await figures(flow, call["id"], offerings))
        except (StopIteration, RuntimeError):
            return False
        return seen == wanted

    try:
        await eventually(arrived, timeout=90, what="reporting's figures of the program")
    except AssertionError:
        assert seen == wanted  # shows what differs
        raise
    # The same after a rebuild from scratch.
    rebuild(platform)
    assert await figures(flow, call["id"], offerings) == wanted
    # The same when every event is delivered twice: the live consumer, then a rebuild.
    assert await deliver_everything_again(platform) > 0
    redelivered_at = datetime.now(UTC)

    async def caught_up() -> bool:
        # Only a lag measured after the redelivery says the duplicates were consumed.
        lag = (await reporting(flow, "/freshness"))["consumer_lag"]
        measured_at = lag["measured_at"]
        return (
            measured_at is not None
            and datetime.fromisoformat(measured_at) > redelivered_at
            and lag["total"] == 0
        )

    await eventually(caught_up, timeout=60, what="the duplicates consumed")
    assert await figures(flow, call["id"], offerings) == wanted
    rebuild(platform)
    assert await figures(flow, call["id"], offerings) == wanted
