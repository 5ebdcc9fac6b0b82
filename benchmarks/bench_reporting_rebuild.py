"""Reporting's rebuild: one million generated public events replayed into fresh projections.

Generates a program's worth of public events (calls, offerings, runs, enrolments with
attendance, completions and certificates, applications through award, acceptance and report)
into a topic namespace of its own, then measures in the same run:

- the raw baseline: a bare aiokafka consumer reading every record and asyncpg COPYing the raw
  values into a table, batch by batch (the least any rebuild must do);
- reporting's rebuild (`ibermuseos-reporting-rebuild`'s code): decode and validate every event,
  project it, merge each batch and upsert it into a fresh schema, then switch.

Run: `python -m benchmarks.bench_reporting_rebuild` (BENCH_REPORTING_EVENTS=200000 for a shorter run).
"""

import asyncio
import json
import os
import random
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from ibermuseos_contracts import Envelope, decode
from ibermuseos_platform.settings import AuthSettings, DatabaseSettings, KafkaSettings
from ibermuseos_platform.testing.postgres import migrate
from ibermuseos_reporting.entrypoints.rebuild_cli import PUBLIC_TOPICS, run_rebuild
from ibermuseos_reporting.settings import Settings
from pydantic import SecretStr

from .measure import KAFKA, QUICK, Result, Stopwatch, drop_database, report, scratch_database

EVENTS = int(os.environ.get("BENCH_REPORTING_EVENTS", "20000" if QUICK else "1000000"))
PARTITIONS = 3
REPO = Path(__file__).resolve().parents[1]

COUNTRIES = ["MX", "BR", "PE", "CL", "AR", "CO", "ES", "PT", "UY", "EC", "CR", "CU", "PY", "BO", "GT"]
KINDS = ["training_course", "mini_course", "conversatorio"]
GENDERS = ["female", "male", "non_binary", None]
TYPES = ["museum", "museum", "museum", "government", "university", "cultural_centre", "ngo"]


def _t(moment: datetime) -> str:
    return moment.isoformat()


class Generator:
    """Public events of a plausible program, as (topic, key, headers, value) records."""

    def __init__(self, seed: int = 20270101) -> None:
        self.random = random.Random(seed)
        self.clock = datetime(2022, 1, 1, tzinfo=UTC)
        self.institutions = [
            (
                f"Museo {self.random.choice(['Nacional', 'Regional', 'Municipal', 'de Arte', 'de Historia'])} {n}",
                f"Ciudad {n % 97}",
                COUNTRIES[n % len(COUNTRIES)],
                TYPES[n % len(TYPES)],
            )
            for n in range(3000)
        ]
        self.calls = [(uuid.UUID(int=100 + year), 2022 + year) for year in range(5)]
        self.offerings = [(uuid.UUID(int=10_000 + n), KINDS[n % 3]) for n in range(60)]
        self.runs = [(uuid.UUID(int=20_000 + n), self.offerings[n % 60]) for n in range(300)]

    def tick(self) -> datetime:
        self.clock += timedelta(seconds=7)
        return self.clock

    def record(
        self, source: str, aggregate: str, name: str, subject: str, body: dict[str, Any]
    ) -> tuple[Any, ...]:
        event_id = uuid.uuid4()
        headers = [
            ("ce_specversion", b"1.0"),
            ("ce_id", str(event_id).encode()),
            ("ce_type", f"org.ibermuseos.{source}.{name}.v1".encode()),
            ("ce_source", source.encode()),
            ("ce_time", _t(self.tick()).encode()),
            ("ce_subject", subject.encode()),
            ("content-type", b"application/json"),
            ("correlation_id", str(event_id).encode()),
        ]
        return f"public.{source}.{aggregate}.v1", subject.encode(), headers, json.dumps(body).encode()

    def person(self, n: int) -> str:
        return f"p-{n:032x}"

    def institution(self) -> dict[str, str]:
        name, city, country, kind = self.random.choice(self.institutions)
        if self.random.random() < 0.3:
            name = name.upper()
        return {"name": name, "type": kind, "city": city, "country": country}

    @staticmethod
    def text(value: str) -> dict[str, str]:
        return {"es": value, "pt": value, "en": value}

    def catalogue(self) -> list[tuple[Any, ...]]:
        records = []
        for call_id, year in self.calls:
            opens = datetime(year, 2, 1, tzinfo=UTC)
            records.append(
                self.record(
                    "applications",
                    "call",
                    "CallOpened",
                    str(call_id),
                    {
                        "call_id": str(call_id),
                        "year": year,
                        "title": self.text(f"Becas {year}"),
                        "rules": self.text("Bases"),
                        "opens_at": _t(opens),
                        "closes_at": _t(opens + timedelta(days=45)),
                        "timezone": "America/Mexico_City",
                        "budget": {"amount": "250000.00", "currency": "USD"},
                        "max_per_grant": {"amount": "3000.00", "currency": "USD"},
                        "eligible_residence_countries": [],
                        "eligible_host_countries": [],
                        "eligible_activity_kinds": [],
                    },
                )
            )
        for offering_id, kind in self.offerings:
            records.append(
                self.record(
                    "courses",
                    "offering",
                    "CoursePublished",
                    str(offering_id),
                    {
                        "offering_id": str(offering_id),
                        "kind": kind,
                        "title": self.text(f"Oferta {offering_id.int}"),
                        "description": self.text("Descripción"),
                        "subject_area": "conservation",
                        "hours": "20",
                        "certificate": kind != "conversatorio",
                        "published_at": _t(self.tick()),
                    },
                )
            )
        for run_id, (offering_id, kind) in self.runs:
            starts = datetime(2022 + run_id.int % 5, 3, 1, 15, tzinfo=UTC)
            records.append(
                self.record(
                    "courses",
                    "run",
                    "CourseRunScheduled",
                    str(run_id),
                    {
                        "run_id": str(run_id),
                        "offering_id": str(offering_id),
                        "kind": kind,
                        "title": self.text("Edición"),
                        "subject_area": "conservation",
                        "hours": "20",
                        "sessions": [
                            {
                                "session_id": str(uuid.uuid4()),
                                "starts_at": _t(starts),
                                "ends_at": _t(starts + timedelta(hours=2)),
                            }
                        ],
                        "timezone": "UTC",
                        "modality": "online",
                        "language": "es",
                        "capacity": 500,
                        "enrolment_opens_at": _t(starts - timedelta(days=30)),
                        "enrolment_closes_at": _t(starts),
                        "eligible_countries": [],
                        "scheduled_at": _t(self.tick()),
                    },
                )
            )
        return records

    def enrolment(self, person: int) -> list[tuple[Any, ...]]:
        run_id, (offering_id, kind) = self.random.choice(self.runs)
        enrolment_id = str(uuid.uuid4())
        participant = {
            "person_id": self.person(person),
            "gender": self.random.choice(GENDERS),
            "country": COUNTRIES[person % len(COUNTRIES)],
            "institution": self.institution(),
        }
        completed = self.random.random() < 0.8
        year = 2022 + run_id.int % 5
        records = [
            self.record(
                "courses",
                "enrolment",
                "ParticipantEnrolled",
                enrolment_id,
                {
                    "enrolment_id": enrolment_id,
                    "run_id": str(run_id),
                    "offering_id": str(offering_id),
                    "kind": kind,
                    "participant": participant,
                    "enrolled_at": _t(self.tick()),
                },
            ),
            self.record(
                "courses",
                "enrolment",
                "AttendanceRecorded",
                enrolment_id,
                {
                    "enrolment_id": enrolment_id,
                    "run_id": str(run_id),
                    "session_id": str(uuid.uuid4()),
                    "person_id": participant["person_id"],
                    "present": completed,
                    "minutes": 110,
                    "recorded_at": _t(self.tick()),
                },
            ),
            self.record(
                "courses",
                "enrolment",
                "CourseCompleted",
                enrolment_id,
                {
                    "enrolment_id": enrolment_id,
                    "run_id": str(run_id),
                    "offering_id": str(offering_id),
                    "kind": kind,
                    "subject_area": "conservation",
                    "year": year,
                    "participant": participant,
                    "outcome": "completed" if completed else "not_completed",
                    "hours": "20" if completed else "0",
                    "attendance_rate": 0.95 if completed else 0.2,
                    "evaluated_at": _t(self.tick()),
                },
            ),
        ]
        if completed and kind != "conversatorio" and self.random.random() < 0.5:
            certificate_id = str(uuid.uuid4())
            records.append(
                self.record(
                    "courses",
                    "certificate",
                    "CertificateIssued",
                    certificate_id,
                    {
                        "certificate_id": certificate_id,
                        "enrolment_id": enrolment_id,
                        "run_id": str(run_id),
                        "offering_id": str(offering_id),
                        "kind": kind,
                        "person_id": participant["person_id"],
                        "title": self.text("Certificado"),
                        "hours": "20",
                        "completed_on": str(date(year, 6, 1)),
                        "issued_at": _t(self.tick()),
                    },
                )
            )
        return records

    def application(self, person: int) -> list[tuple[Any, ...]]:
        call_id, year = self.random.choice(self.calls)
        application_id = str(uuid.uuid4())
        who = self.person(person)
        base = {"application_id": application_id, "call_id": str(call_id)}
        records = [
            self.record(
                "applications",
                "application",
                "ApplicationSubmitted",
                application_id,
                {
                    **base,
                    "call_year": year,
                    "applicant": {
                        "person_id": who,
                        "gender": self.random.choice(GENDERS),
                        "role": "Conservador",
                        "country_of_residence": COUNTRIES[person % len(COUNTRIES)],
                    },
                    "institution": self.institution(),
                    "activity": {
                        "title": "Curso",
                        "organiser": "INAH",
                        "kind": "course",
                        "host_country": "MX",
                        "host_city": "Ciudad de México",
                        "starts_on": str(date(year, 5, 10)),
                        "ends_on": str(date(year, 5, 21)),
                        "modality": "in_person",
                    },
                    "requested": {"amount": "1800.00", "currency": "USD"},
                    "replication_commitment": True,
                    "submitted_at": _t(self.tick()),
                },
            ),
            self.record(
                "applications",
                "application",
                "ApplicationDeclaredEligible",
                application_id,
                {
                    **base,
                    "applicant_id": who,
                    "declared_at": _t(self.tick()),
                },
            ),
        ]
        if self.random.random() < 0.5:
            return records
        amount = {"amount": "1800.00", "currency": "USD"}
        now = self.tick()
        records += [
            self.record(
                "applications",
                "application",
                "GrantAwarded",
                application_id,
                {
                    **base,
                    "call_year": year,
                    "applicant_id": who,
                    "amount": amount,
                    "accept_by": _t(now + timedelta(days=10)),
                    "awarded_at": _t(now),
                },
            ),
            self.record(
                "applications",
                "application",
                "GrantAccepted",
                application_id,
                {
                    **base,
                    "call_year": year,
                    "applicant_id": who,
                    "amount": amount,
                    "report_due_on": str(date(year, 12, 1)),
                    "accepted_at": _t(self.tick()),
                },
            ),
            self.record(
                "applications",
                "application",
                "GrantReportSubmitted",
                application_id,
                {
                    **base,
                    "call_year": year,
                    "applicant_id": who,
                    "attended": True,
                    "replications": [
                        {
                            "held_on": str(date(year, 9, 1)),
                            "colleagues_trained": 10,
                            "institutions": [self.institution() for _ in range(3)],
                        }
                    ],
                    "submitted_at": _t(self.tick()),
                },
            ),
        ]
        return records

    def events(self, count: int) -> list[tuple[Any, ...]]:
        records = self.catalogue()
        people = max(count // 8, 10)
        while len(records) < count:
            person = self.random.randrange(people)
            records += self.application(person) if self.random.random() < 0.2 else self.enrolment(person)
        return records[:count]


def check(records: list[tuple[Any, ...]]) -> None:
    """Every kind of generated record decodes against its public contract (else the benchmark lies)."""
    seen: set[bytes] = set()
    for _, _, headers, value in records:
        kind = dict(headers)["ce_type"]
        if kind not in seen:
            seen.add(kind)
            decode(Envelope.from_headers(headers), value, public=True)


async def produce(prefix: str, records: list[tuple[Any, ...]]) -> float:
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(prefix + topic, PARTITIONS, 1) for topic in PUBLIC_TOPICS])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, linger_ms=20, max_batch_size=512 * 1024, acks=1)
    await producer.start()
    try:
        with Stopwatch() as watch:
            pending = []
            for topic, key, headers, value in records:
                pending.append(await producer.send(prefix + topic, value, key=key, headers=headers))
                if len(pending) >= 20_000:
                    await asyncio.gather(*pending)
                    pending.clear()
            await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return watch.seconds


async def raw_baseline(prefix: str, url: str, total: int) -> Result:
    """A bare consumer reading every record, and COPY of the raw values into PostgreSQL, in batches."""
    connection = await asyncpg.connect(url)
    await connection.execute("CREATE TABLE raw_events (topic text, partition int, at bigint, value bytea)")
    consumer = AIOKafkaConsumer(
        bootstrap_servers=KAFKA,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=8 * 1024 * 1024,
        fetch_max_bytes=64 * 1024 * 1024,
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(prefix + topic, p) for topic in PUBLIC_TOPICS for p in range(PARTITIONS)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        done = 0
        with Stopwatch() as watch:
            while done < total:
                batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
                rows = [
                    (r.topic, r.partition, r.offset, r.value) for records in batch.values() for r in records
                ]
                if rows:
                    await connection.copy_records_to_table("raw_events", records=rows)
                    done += len(rows)
    finally:
        await consumer.stop()
        await connection.close()
    return Result("raw: aiokafka getmany + asyncpg COPY of the values", done, watch.seconds)


async def reporting_rebuild(prefix: str, sqlalchemy_url: str, issuer_dir: Path) -> tuple[Result, Any]:
    settings = Settings(
        database=DatabaseSettings(url=SecretStr(sqlalchemy_url)),
        kafka=KafkaSettings(bootstrap_servers=KAFKA, topic_prefix=prefix),
        auth=AuthSettings(jwks_url=f"file://{issuer_dir}/jwks.json"),
    )
    with Stopwatch() as watch:
        result = await run_rebuild(settings, batch_size=5_000, out=sys.stdout)
    return Result(
        "reporting rebuild: decode, project, merge, COPY + upsert, switch", result.events, watch.seconds
    ), result


async def main() -> None:
    prefix = f"bench-reporting-{uuid.uuid4().hex[:6]}."
    print(f"generating {EVENTS:,} public events", flush=True)
    generator = Generator()
    records = generator.events(EVENTS)
    check(records)
    seconds = await produce(prefix, records)
    print(f"produced {len(records):,} events in {seconds:.1f}s", flush=True)
    del records
    raw_url, sqlalchemy_url = await scratch_database("reporting")
    try:
        await migrate(sqlalchemy_url, REPO / "services" / "reporting" / "alembic.ini")
        baseline = await raw_baseline(prefix, raw_url, EVENTS)
        measured, result = await reporting_rebuild(prefix, sqlalchemy_url, Path("/nonexistent"))
        report(f"Rebuild of {EVENTS:,} public events (2 cores shared)", baseline, [measured])
        print(
            f"  rebuild: {result.events:,} events in {result.seconds:.1f}s = {result.events_per_second:,.0f} events/s; "
            f"{baseline.seconds / measured.seconds:.2f}x the raw baseline's speed"
        )
        connection = await asyncpg.connect(raw_url)
        try:
            schema = await connection.fetchval("SELECT schema_name FROM serving")
            people = await connection.fetchval(f"SELECT COUNT(DISTINCT person) FROM {schema}.participations")  # noqa: S608
            print(f"  sanity: {people:,} unique beneficiaries in the rebuilt projections")
        finally:
            await connection.close()
    finally:
        await drop_database(raw_url)
        admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
        await admin.start()
        try:
            await admin.delete_topics([prefix + topic for topic in PUBLIC_TOPICS])
        finally:
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
