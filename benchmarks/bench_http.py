"""Enrolments over HTTP through the real services, with the CPU each part spends per enrolment.

The services run as processes of their own on fresh databases and topics, one process per role
(`<SERVICE>_ROLES`: the API, the relay, the consumers, the jobs, such as notifications' mail
delivery), so that the kernel's count of CPU time per process says what each stage costs;
BENCH_HTTP_PROCESSES=services runs one process per service instead, as `make run` does. The broker, the database server, a mail
server (in this process) and wrk (Debian's package) are the same for the baselines.

Phases, each on runs of its own so that every request is a new enrolment of a distinct person:
1. raw baselines: wrk against a FastAPI JSON endpoint with no database and one with an asyncpg
   two-INSERT transaction (`http_baseline.py`), and raw asyncpg two-INSERT transactions from here;
2. many runs: wrk with BENCH_HTTP_CONNECTIONS clients for BENCH_HTTP_SECONDS spreading enrolments
   over BENCH_HTTP_RUNS runs; then the wait until every mail has reached the mail server and every
   enrolment is counted in reporting's figures. CPU per process is read before and after;
3. one hot run: the same, every enrolment on one run (its row lock);
4. one client, one enrolment at a time;
5. latency at half the rate phase 2 sustained (open loop, from here): per enrolment, the API's
   answer, API commit -> mail at the mail server, and API commit -> counted in reporting's figures
   (polled); the commit is taken as the moment the 201 arrived, a little after it happened;
6. py-spy profiles of the processes that spent most per enrolment, under the load of phase 2,
   saved as collapsed stacks in .run/bench/ (open in speedscope or flamegraph.pl), summarised here.

BENCH_QUICK=1 runs every phase briefly, to check that the benchmark works.
Run: `python -m benchmarks bench_http`.
"""

import asyncio
import collections
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiosmtpd.controller import Controller
from ibermuseos_contracts import all_events
from ibermuseos_platform.dev_issuer import DevIssuer
from ibermuseos_platform.kafka import ensure_topics, published_topics
from ibermuseos_platform.settings import KafkaSettings
from ibermuseos_platform.testing.infrastructure import Infrastructure
from ibermuseos_platform.testing.kafka import delete_topics
from ibermuseos_platform.testing.postgres import TestDatabases
from ibermuseos_platform.testing.services import RunningService, free_port, start_service

from .measure import KAFKA, PG_ADMIN_URL, QUICK, Latencies
from .processes import DATABASE_BACKENDS, CpuMeter, used

SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "4" if QUICK else "20"))
CONNECTIONS = int(os.environ.get("BENCH_HTTP_CONNECTIONS", "16"))
RUNS = int(os.environ.get("BENCH_HTTP_RUNS", "20"))
# A prime, so that participant i % P and run i % RUNS repeat together only after P * RUNS requests.
PARTICIPANTS = int(os.environ.get("BENCH_HTTP_PARTICIPANTS", "1009" if QUICK else "8009"))
SINGLE_REQUESTS = 50 if QUICK else 300
PROFILE_SECONDS = 3.0 if QUICK else 10.0
PROFILED = 4
# The most requests a phase may need: wrk's list of requests is made for this rate at most.
MAX_RATE = 2000
PROCESSES = os.environ.get("BENCH_HTTP_PROCESSES", "roles")
DRAIN_SECONDS = 60.0 if QUICK else 300.0
REPO = Path(__file__).resolve().parents[1]
OUT = REPO / ".run" / "bench"
LUA = Path(__file__).with_name("requests.lua")
BODY = {
    "preferred_language": "es",
    "timezone": "America/Bogota",
    "country": "CO",
    "institution": {"name": "Museo del Oro", "type": "museum", "city": "Bogotá", "country": "CO"},
}

# The roles of each service the enrolment goes through, each its own process (name, role).
PARTS: dict[str, list[tuple[str, str]]] = {
    "courses": [("API", "api"), ("outbox relay", "relay"), ("jobs", "jobs")],
    "notifications": [
        ("API", "api"),
        ("consumer", "consumers"),
        ("jobs: mail rendering and sending", "jobs"),
        ("outbox relay", "relay"),
    ],
    "reporting": [
        ("API (the bench's polling)", "api"),
        ("consumer: projections", "consumers"),
        ("jobs", "jobs"),
    ],
}
# As `make run` and the end-to-end tests configure them, with a mail server of the bench's own.
SERVICE_ENV: dict[str, dict[str, str]] = {
    "notifications": {"NOTIFICATIONS_QUIET_HOURS__START": "00:00", "NOTIFICATIONS_QUIET_HOURS__END": "00:00"},
    "reporting": {"REPORTING_RATE_LIMIT__RATE_PER_SECOND": "100000", "REPORTING_RATE_LIMIT__BURST": "100000"},
}


def now() -> float:
    return time.monotonic()


# ---------------------------------------------------------------- the mail server


class MailServer:
    """An SMTP server that notes when each recipient's mail was handed to it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[tuple[float, str]] = []
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        at = now()
        self.received.extend((at, address.lower()) for address in envelope.rcpt_tos)
        return "250 kept"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def since(self, mark: int) -> list[tuple[float, str]]:
        return self.received[mark:]


# ---------------------------------------------------------------- the platform, as processes


@dataclass
class Bench:
    """The services' processes, the people and runs of the benchmark, and how to reach them."""

    issuer: DevIssuer
    http: httpx.AsyncClient
    processes: dict[str, RunningService] = field(default_factory=dict)
    apis: dict[str, str] = field(default_factory=dict)
    tokens: list[str] = field(default_factory=list)
    coordinator: dict[str, str] = field(default_factory=dict)
    databases: list[str] = field(default_factory=list)

    def url(self, service: str) -> str:
        return self.apis[service]

    async def post(self, service: str, path: str, body: dict[str, Any]) -> Any:
        response = await self.http.post(f"{self.url(service)}{path}", json=body, headers=self.coordinator)
        if response.status_code >= 300:
            raise RuntimeError(f"POST {path}: {response.status_code} {response.text}")
        return response.json()


def email_of(participant: int) -> str:
    return f"p{participant}@bench.example"


async def start_platform(stack: AsyncExitStack, infra: Infrastructure, mail: MailServer) -> Bench:
    folder = Path(tempfile.mkdtemp(prefix="bench-http-"))
    stack.callback(shutil.rmtree, folder, True)
    shutil.rmtree(OUT / "logs", ignore_errors=True)
    issuer = DevIssuer(folder / "issuer")
    issuer.write_key_set()
    databases = TestDatabases(infra.postgres_admin_url)
    stack.push_async_callback(databases.drop_all)
    prefix = f"bench-http-{uuid.uuid4().hex[:6]}."
    stack.push_async_callback(delete_topics, infra.kafka_bootstrap, prefix)
    # Every contract topic, those of applications too (not started: no enrolment goes through it).
    kafka = KafkaSettings(bootstrap_servers=infra.kafka_bootstrap, topic_prefix=prefix)
    await ensure_topics(kafka, published_topics({event.topic for event in all_events()}, kafka))
    http = await stack.enter_async_context(httpx.AsyncClient(timeout=60))
    bench = Bench(issuer, http)
    env = {name: dict(values) for name, values in SERVICE_ENV.items()}
    env["notifications"]["NOTIFICATIONS_SMTP__PORT"] = str(mail.port)

    async def start(service: str, name: str, part: str, database_url: str | None) -> RunningService:
        running = await start_service(
            service,
            repo=REPO,
            infra=infra,
            databases=databases,
            issuer=issuer,
            topic_prefix=prefix,
            logs=OUT / "logs" / f"{service}-{part or 'all'}",
            extra_env={
                **{name: value for name, value in env.get(service, {}).items() if name not in os.environ},
                **({f"{service.upper()}_ROLES": json.dumps([part])} if part else {}),
            },
            database_url=database_url,
        )
        stack.push_async_callback(running.stop)
        bench.processes[f"{service} {name}" if part else f"{service} (every part)"] = running
        if part in ("api", ""):
            bench.apis[service] = running.url
        return running

    migrating = asyncio.Lock()  # Alembic's migrations run one at a time in a process

    async def start_all(service: str) -> None:
        """The first process migrates the service's new database; the others then start on it."""
        (first, *others) = PARTS[service] if PROCESSES == "roles" else [("API", "")]
        async with migrating:
            database_url = (await start(service, *first, None)).database_url
        bench.databases.append(database_url.rsplit("/", 1)[1])
        # One after another: many processes importing at once on two busy cores miss the ready deadline.
        for name, part in others:
            await start(service, name, part, database_url)

    await asyncio.gather(*(start_all(service) for service in PARTS))
    bench.coordinator = {
        "Authorization": f"Bearer {issuer.token('bench-coordinator', roles=['coordinator'], country='MX')}"
    }
    started = now()
    bench.tokens = [
        issuer.token(
            f"bench-{n}", roles=["participant"], country="CO", name=f"Participante {n}", email=email_of(n)
        )
        for n in range(PARTICIPANTS)
    ]
    print(f"  {PARTICIPANTS} participants' tokens minted in {now() - started:.1f}s", flush=True)
    return bench


@dataclass
class Course:
    """An offering of its own per phase (its enrolments are one figure in reporting) and its runs."""

    offering_id: str
    runs: list[str]


async def course(bench: Bench, runs: int, title: str) -> Course:
    text = {"es": title, "pt": title, "en": title}
    offering = await bench.post(
        "courses",
        "/offerings",
        {
            "kind": "conversatorio",
            "title": text,
            "description": text,
            "subject_area": "engagement",
            "hours": "2",
            "publish": True,
        },
    )
    at = datetime.now(UTC)
    body = {
        "offering_id": offering["id"],
        "sessions": [
            {
                "starts_at": (at + timedelta(days=30)).isoformat(),
                "ends_at": (at + timedelta(days=30, hours=2)).isoformat(),
            }
        ],
        "timezone": "America/Bogota",
        "modality": "online",
        "language": "es",
        "capacity": 100_000,
        "enrolment_opens_at": (at - timedelta(minutes=1)).isoformat(),
        "enrolment_closes_at": (at + timedelta(days=29)).isoformat(),
    }
    ids = [(await bench.post("courses", "/runs", body))["id"] for _ in range(runs)]
    return Course(offering["id"], ids)


def requests_of(course: Course, count: int, first: int = 0) -> list[tuple[str, int]]:
    """(path, participant) of `count` enrolments spread over the course's runs, each pair new."""
    return [
        (f"/runs/{course.runs[i % len(course.runs)]}/enrolments", i % PARTICIPANTS)
        for i in range(first, first + count)
    ]


# ---------------------------------------------------------------- waiting for the pipeline


async def figure(bench: Bench, course: Course) -> int:
    """Enrolments of the course's offering in reporting's figures, as the API shows them now."""
    response = await bench.http.get(
        f"{bench.url('reporting')}/figures/courses", params={"by": "offering"}, headers=bench.coordinator
    )
    response.raise_for_status()
    for row in response.json()["rows"]:
        if row["key"] == course.offering_id:
            return int(row["enrolments"] or 0)
    return 0


async def drained(
    bench: Bench, mail: MailServer, mark: int, course: Course, expected: int, to: set[str] | None = None
) -> float:
    """Wait until `expected` enrolments have their mail (to each of `to`, if given) and their figure;
    returns the seconds waited."""
    started = now()
    while True:
        arrived = mail.since(mark)
        mails = len(arrived) if to is None else len(to & {address for _, address in arrived})
        counted = await figure(bench, course)
        if mails >= expected and counted >= expected:
            return now() - started
        if now() - started > DRAIN_SECONDS:
            raise RuntimeError(
                f"after {DRAIN_SECONDS:.0f}s: {mails} of {expected} mails, {counted} counted in reporting"
            )
        await asyncio.sleep(0.5)


# ---------------------------------------------------------------- wrk


@dataclass(frozen=True)
class Load:
    """What wrk measured: requests answered 2xx per second and latency percentiles (ms)."""

    name: str
    ok: int
    seconds: float
    other: int
    p50: float
    p99: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds


async def wrk(
    name: str, base_url: str, lines: Sequence[str], *, seconds: float, connections: int, threads: int = 2
) -> Load:
    """Run wrk against `base_url` replaying `lines`; its CPU time is in `wrk_cpu_ms`."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as requests_file:
        requests_file.write("\n".join(lines) + "\n")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as body_file:
        json.dump(BODY, body_file)
    threads = min(threads, connections)
    try:
        process = await asyncio.create_subprocess_exec(
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            str(LUA),
            base_url,
            "--",
            requests_file.name,
            body_file.name,
            str(threads),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = await process.communicate()
    finally:
        os.unlink(requests_file.name)
        os.unlink(body_file.name)
    for line in out.decode().splitlines():
        if line.startswith("wrk-json "):
            result = json.loads(line.removeprefix("wrk-json "))
            load = Load(
                name,
                result["ok"],
                result["microseconds"] / 1e6,
                result["other"] + result["socket_errors"],
                result["p50"] / 1000,
                result["p99"] / 1000,
                result,
            )
            return load
    raise RuntimeError(f"wrk gave no result: {out.decode()} {err.decode()}")


def children_cpu_ms() -> float:
    """CPU of this process's children that have ended: here, the wrk runs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def request_lines(bench: Bench, requests: Sequence[tuple[str, int]]) -> list[str]:
    return [f"POST {path} {bench.tokens[participant]}" for path, participant in requests]


# ---------------------------------------------------------------- baselines


@dataclass
class Baselines:
    json_only: Load
    write: Load
    raw_pg: Load
    cpu_ms: dict[str, float]


async def baselines(stack: AsyncExitStack, databases: TestDatabases) -> Baselines:
    url = (await databases.create("bench_baseline")).replace("postgresql+asyncpg://", "postgresql://", 1)
    port = free_port()
    server = subprocess.Popen(  # noqa: ASYNC220 - starting is instant; readiness is awaited below
        [
            sys.executable,
            "-m",
            "uvicorn",
            "benchmarks.http_baseline:app",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env={**os.environ, "BENCH_BASELINE_DATABASE": url},
    )
    stack.callback(server.wait, 10)
    stack.callback(server.terminate)
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as client:
        for _ in range(200):
            try:
                if (await client.post(f"{base}/json/{uuid.uuid4()}", json=BODY)).status_code == 201:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    meter = CpuMeter(admin_url=PG_ADMIN_URL, databases=(url.rsplit("/", 1)[1],))
    meter.add("app", server.pid)
    meter.add("here", os.getpid())
    cpu: dict[str, float] = {}
    results = []
    for name, path in (
        ("FastAPI JSON endpoint, no database", "json"),
        ("FastAPI + asyncpg two-INSERT transaction", "write"),
    ):
        lines = [f"POST /{path}/{uuid.uuid4()} none" for _ in range(100)]
        before = await meter.snapshot()
        load = await wrk(name, base, lines, seconds=SECONDS, connections=CONNECTIONS)
        spent = used(before, await meter.snapshot())
        cpu[f"{path} app"] = spent["app"] / max(1, load.ok)
        cpu[f"{path} backends"] = spent.get(DATABASE_BACKENDS, 0.0) / max(1, load.ok)
        results.append(load)
    raw, spent = await raw_transactions(url, meter)
    cpu["raw client"] = spent["here"] / max(1, raw.ok)
    cpu["raw backends"] = spent.get(DATABASE_BACKENDS, 0.0) / max(1, raw.ok)
    return Baselines(results[0], results[1], raw, cpu)


async def raw_transactions(url: str, meter: CpuMeter) -> tuple[Load, dict[str, float]]:
    """asyncpg from this process, CONNECTIONS at a time: BEGIN; two INSERTs; COMMIT, for SECONDS."""
    pool = await asyncpg.create_pool(url, min_size=CONNECTIONS, max_size=CONNECTIONS)
    before = await meter.snapshot()
    payload = json.dumps(BODY)
    done: list[float] = []
    deadline = now() + SECONDS

    async def worker() -> None:
        while now() < deadline:
            started = now()
            async with pool.acquire() as connection, connection.transaction():
                await connection.execute(
                    "INSERT INTO enrolments VALUES ($1, $2, $3)", uuid.uuid4(), uuid.uuid4(), payload
                )
                await connection.execute(
                    "INSERT INTO events (event_id, payload) VALUES ($1, $2)", uuid.uuid4(), payload
                )
            done.append(now() - started)

    started = now()
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    seconds = now() - started
    spent = used(before, await meter.snapshot())
    await pool.close()
    latencies = Latencies("raw", done)
    load = Load(
        "raw asyncpg two-INSERT transactions (no HTTP)",
        len(done),
        seconds,
        0,
        latencies.percentile(50) * 1000,
        latencies.percentile(99) * 1000,
    )
    return load, spent


# ---------------------------------------------------------------- the platform under load


@dataclass
class Phase:
    load: Load
    drain_seconds: float
    cpu_ms: dict[str, float]


async def loaded(
    bench: Bench, mail: MailServer, meter: CpuMeter, name: str, course: Course, first: int
) -> Phase:
    """wrk for SECONDS on the course's runs, then the wait for every mail and figure; CPU before and after."""
    count = PARTICIPANTS if len(course.runs) == 1 else int(SECONDS * MAX_RATE)
    lines = request_lines(bench, requests_of(course, count, first))
    mark = len(mail.received)
    before, wrk_before = await meter.snapshot(), children_cpu_ms()
    load = await wrk(name, bench.url("courses"), lines, seconds=SECONDS, connections=CONNECTIONS)
    drain = await drained(bench, mail, mark, course, load.ok)
    cpu = used(before, await meter.snapshot())
    cpu["wrk (the load generator)"] = children_cpu_ms() - wrk_before
    if load.other:
        print(
            f"  {name}: {load.other} requests not answered 2xx (wrapped {load.extra.get('wrapped')} times: "
            "raise BENCH_HTTP_PARTICIPANTS)",
            flush=True,
        )
    print(
        f"  {name}: {load.ok} enrolments in {load.seconds:.1f}s; every mail and figure {drain:.1f}s after",
        flush=True,
    )
    return Phase(load, drain, cpu)


async def single_client(bench: Bench, mail: MailServer, course: Course, first: int) -> Load:
    lines = request_lines(bench, requests_of(course, SINGLE_REQUESTS, first))
    mark = len(mail.received)
    load = await wrk(
        "one client, one enrolment at a time",
        bench.url("courses"),
        lines,
        seconds=max(1.0, SECONDS / 4),
        connections=1,
        threads=1,
    )
    # Its mails and figures go out before the next phase, which counts its own.
    await drained(bench, mail, mark, course, load.ok)
    return load


@dataclass
class Timings:
    rate: float
    api: Latencies
    mail: Latencies
    figure: Latencies
    behind: bool


async def at_rate(bench: Bench, mail: MailServer, course: Course, rate: float, first: int) -> Timings:
    """Open loop: enrolments started at `rate` for SECONDS, each timed to its mail and its figure."""
    count = max(10, min(PARTICIPANTS, int(rate * SECONDS)))
    requests = requests_of(course, count, first)
    mark = len(mail.received)
    answered: dict[int, float] = {}
    api: list[float] = []
    failures = collections.Counter[int]()
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    visible: list[tuple[float, int]] = []
    stop_polling = asyncio.Event()

    async def poll() -> None:
        while not stop_polling.is_set():
            visible.append((now(), await figure(bench, course)))
            await asyncio.sleep(0.05)

    async with httpx.AsyncClient(base_url=bench.url("courses"), limits=limits, timeout=60) as client:

        async def enrol(path: str, participant: int, due: float) -> None:
            response = await client.post(
                path, json=BODY, headers={"Authorization": f"Bearer {bench.tokens[participant]}"}
            )
            at = now()
            if response.status_code != 201:
                failures[response.status_code] += 1
                return
            api.append(at - due)
            answered[participant] = at

        polling = asyncio.create_task(poll())
        started = now()
        tasks = []
        for n, (path, participant) in enumerate(requests):
            due = started + n / rate
            if (delay := due - now()) > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(enrol(path, participant, due)))
        await asyncio.gather(*tasks)
        took = now() - started
        try:
            await drained(bench, mail, mark, course, len(answered), {email_of(p) for p in answered})
        finally:
            stop_polling.set()
            await polling
    if failures:
        print(f"  at {rate:.0f}/s: answers other than 201: {dict(failures)}", flush=True)
    mailed = {}
    for at, address in mail.since(mark):
        mailed.setdefault(address, at)
    mail_latency = [mailed[email_of(p)] - t0 for p, t0 in answered.items() if email_of(p) in mailed]
    # Reporting shows a count: the k-th enrolment answered is taken as visible when the count reaches k.
    commits = sorted(answered.values())
    figure_latency = []
    polls = iter(visible)
    seen_at, seen = next(polls, (math.inf, 0))
    for k, t0 in enumerate(commits, start=1):
        while seen < k:
            seen_at, seen = next(polls, (math.inf, k))
        figure_latency.append(max(0.0, seen_at - t0))
    return Timings(
        rate,
        Latencies("API: request due -> 201 answered", api),
        Latencies("API commit -> mail handed to the SMTP server", mail_latency),
        Latencies("API commit -> counted in reporting's figures (polled every 50 ms)", figure_latency),
        behind=count / took < 0.95 * rate,
    )


# ---------------------------------------------------------------- profiles


async def profile(bench: Bench, names: Sequence[str], course: Course, first: int) -> dict[str, Path]:
    """py-spy on the named processes while wrk loads the platform; collapsed stacks per process."""
    py_spy = Path(sys.executable).with_name("py-spy")
    OUT.mkdir(parents=True, exist_ok=True)
    files = {name: OUT / f"py-spy-{name.replace(' ', '-').replace(':', '')}.txt" for name in names}
    spies = [
        await asyncio.create_subprocess_exec(
            str(py_spy),
            "record",
            "--pid",
            str(bench.processes[name].process.pid),
            "--duration",
            str(round(PROFILE_SECONDS)),
            "--rate",
            "200",
            "--gil",
            "--format",
            "raw",
            "--output",
            str(files[name]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for name in names
    ]
    lines = request_lines(bench, requests_of(course, int((PROFILE_SECONDS + 1) * MAX_RATE), first))
    await wrk("profiled", bench.url("courses"), lines, seconds=PROFILE_SECONDS + 1, connections=CONNECTIONS)
    for spy in spies:
        await spy.communicate()
    return {name: path for name, path in files.items() if path.exists()}


def hottest(collapsed: Path, top: int = 8) -> list[tuple[float, float, str]]:
    """(self %, inclusive %, function) of the functions most often on CPU in a py-spy raw profile."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        frames = stack.split(";")
        samples += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    if not samples:
        return []
    return [(100 * n / samples, 100 * inclusive[frame] / samples, frame) for frame, n in own.most_common(top)]


# ---------------------------------------------------------------- the report


def print_loads(baseline: Load, loads: Sequence[Load]) -> None:
    print(f"  {'what':<66} {'2xx/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs baseline':>11}")
    for load in (baseline, *loads):
        print(
            f"  {load.name:<66} {load.rate:>8.0f} {load.p50:>8.1f} {load.p99:>8.1f} {load.rate / baseline.rate:>10.3f}x"
        )


def print_cpu(phase: Phase, baselines: Baselines) -> None:
    events = max(1, phase.load.ok)
    rows = sorted(phase.cpu_ms.items(), key=lambda item: -item[1])
    whole = sum(ms for _, ms in rows)
    cpu = baselines.cpu_ms
    # The least the same work costs in the raw baselines of this run, where there is one.
    raw = {
        "courses API": ("FastAPI + asyncpg two-INSERT endpoint", cpu["write app"]),
        "courses (every part)": ("FastAPI + asyncpg two-INSERT endpoint", cpu["write app"]),
        DATABASE_BACKENDS: ("backends of one raw two-INSERT transaction", cpu["raw backends"]),
    }
    print(f"  {'process':<58} {'CPU ms/enrolment':>16} {'share':>6}   raw baseline (ms): ratio")
    for name, ms in rows:
        per_event = ms / events
        baseline = (
            f"{raw[name][0]} ({raw[name][1]:.2f}): {per_event / raw[name][1]:.1f}x" if name in raw else ""
        )
        print(f"  {name:<58} {per_event:>16.2f} {ms / whole:>6.0%}   {baseline}")
    least = cpu["write app"] + cpu["write backends"]
    print(
        f"  {'all of the above':<58} {whole / events:>16.2f} {'':>6}   "
        f"FastAPI + asyncpg endpoint and its backends ({least:.2f}): {whole / events / least:.1f}x"
    )


def print_latency(timings: Timings, single: Load) -> None:
    print(f"  {'what (milliseconds)':<66} {'events':>7} {'p50':>8} {'p99':>8} {'max':>8}")
    for latencies in (timings.api, timings.mail, timings.figure):
        cells = (
            "".join(f"{latencies.percentile(p) * 1000:>9.1f}" for p in (50, 99, 100))
            if latencies.seconds
            else ""
        )
        print(f"  {latencies.name:<66} {len(latencies.seconds):>7}{cells}")
    print(
        f"  {'one client, one enrolment at a time (wrk -c1)':<66} {single.ok:>7} {single.p50:>8.1f} {single.p99:>8.1f}"
    )
    if timings.behind:
        print("  the load generator fell behind the rate: the latencies include its queueing")


async def main() -> None:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: `make bench` installs it (apt-get install wrk)")
    infra = Infrastructure(KAFKA, PG_ADMIN_URL)
    mail = MailServer()
    mail.start()
    async with AsyncExitStack() as stack:
        stack.callback(mail.stop)
        print(
            f"{'quick mode; ' if QUICK else ''}{SECONDS:.0f}s per phase, {CONNECTIONS} clients, {RUNS} runs, "
            f"{PARTICIPANTS} participants; one process per {'role of a service' if PROCESSES == 'roles' else 'service'}; "
            f"Kafka {KAFKA}; delivery polls every {os.environ.get('NOTIFICATIONS_DELIVERY__POLL_SECONDS', '2 (default)')}s",
            flush=True,
        )
        bench = await start_platform(stack, infra, mail)
        meter = CpuMeter(
            admin_url=PG_ADMIN_URL, databases=tuple(bench.databases), kafka_port=int(KAFKA.rsplit(":", 1)[1])
        )
        for name, running in bench.processes.items():
            meter.add(name, running.process.pid)
        meter.add("the bench (mail server, polling)", os.getpid())

        many, hot, single_run, rated, profiled = [
            await course(bench, runs, f"bench {what}")
            for what, runs in (("many", RUNS), ("hot", 1), ("single", 1), ("rated", RUNS), ("profiled", RUNS))
        ]
        # Warm up every process and make every run known to notifications before measuring.
        warm = requests_of(many, RUNS, first=PARTICIPANTS * RUNS - RUNS)
        for path, participant in warm:
            response = await bench.http.post(
                f"{bench.url('courses')}{path}",
                json=BODY,
                headers={"Authorization": f"Bearer {bench.tokens[participant]}"},
            )
            response.raise_for_status()
        await drained(bench, mail, 0, many, RUNS)
        for other in (hot, single_run, rated, profiled):
            await figure(bench, other)

        databases = TestDatabases(infra.postgres_admin_url)
        stack.push_async_callback(databases.drop_all)
        base = await baselines(stack, databases)

        print("  platform, many runs:", flush=True)
        spread = await loaded(bench, mail, meter, f"platform: enrolments over {RUNS} runs", many, 0)
        print("  platform, one hot run:", flush=True)
        hot_phase = await loaded(bench, mail, meter, "platform: enrolments on one hot run", hot, 0)
        single = await single_client(bench, mail, single_run, 0)
        half = spread.load.rate / 2
        print(f"  platform at {half:.0f}/s (half of what the many runs sustained):", flush=True)
        timings = await at_rate(bench, mail, rated, half, 0)

        ranked = sorted(
            (name for name in spread.cpu_ms if name in bench.processes),
            key=lambda name: -spread.cpu_ms[name],
        )[:PROFILED]
        profiles = await profile(bench, ranked, profiled, 0)

    print("\nEnrolments over HTTP (wrk, POST /runs/{id}/enrolments with a participant's token; 2xx only)")
    print_loads(base.json_only, [base.write, base.raw_pg, spread.load, hot_phase.load, single])
    for title, phase in (("many runs", spread), ("one hot run", hot_phase)):
        print(
            f"\nCPU per enrolment, {title}: {phase.load.ok} enrolments, from the request to its mail and its figure "
            f"(/proc/<pid>/stat before and after)"
        )
        print_cpu(phase, base)
    print(f"\nLatency at {timings.rate:.0f} enrolments/s, half the rate sustained over many runs (open loop)")
    print_latency(timings, single)
    print(
        f"\nProfiles (py-spy, {PROFILE_SECONDS:.0f}s under the many-runs load) in {OUT}: the functions most on CPU"
    )
    for name, path in profiles.items():
        print(f"  {name} ({path.name}): self%  incl%  function")
        for own, inclusive, frame in hottest(path):
            print(f"    {own:5.1f} {inclusive:6.1f}  {frame}")
