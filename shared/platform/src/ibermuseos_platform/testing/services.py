"""Running a service as its own process for tests: fresh database, own topic namespace, free port."""

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ..dev_issuer import DevIssuer
from .infrastructure import Infrastructure
from .postgres import TestDatabases, migrate


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class RunningService:
    name: str
    url: str
    database_url: str
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    async def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                await asyncio.to_thread(self.process.wait, 15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                # Reap it: a Popen left running warns at garbage collection, an error under pytest.
                await asyncio.to_thread(self.process.wait)


async def start_service(
    name: str,
    *,
    repo: Path,
    infra: Infrastructure,
    databases: TestDatabases,
    issuer: DevIssuer,
    topic_prefix: str,
    logs: Path,
    extra_env: Mapping[str, str] | None = None,
    database_url: str | None = None,
) -> RunningService:
    """Migrate a fresh database for `name`, start `ibermuseos-<name>` on a free port, wait until ready."""
    prefix = name.upper()
    if database_url is None:
        database_url = await databases.create(name)
        await migrate(database_url, repo / "services" / name / "alembic.ini")
    port = free_port()
    env = {
        **os.environ,
        f"{prefix}_ENVIRONMENT": "test",
        f"{prefix}_DATABASE__URL": database_url,
        f"{prefix}_KAFKA__BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
        f"{prefix}_KAFKA__TOPIC_PREFIX": topic_prefix,
        f"{prefix}_AUTH__JWKS_URL": issuer.jwks_url,
        f"{prefix}_AUTH__ISSUER": issuer.issuer,
        f"{prefix}_OUTBOX__POLL_INTERVAL_SECONDS": "1",
        # Test services are many at a time on one PostgreSQL: few idle connections each (bursts still overflow).
        f"{prefix}_DATABASE__POOL_SIZE": "3",
        **(extra_env or {}),
    }
    log = logs / f"{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as sink:
        process = subprocess.Popen(  # noqa: ASYNC220 - starting is instant; the wait below is async
            [sys.executable, "-c", f"from ibermuseos_{name}.main import run; run()", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    service = RunningService(name, f"http://127.0.0.1:{port}", database_url, process, log, env)
    try:
        await wait_ready(service)
    except BaseException:
        await service.stop()  # a service that never got ready must not outlive its test
        raise
    return service


@dataclass(frozen=True)
class Launcher:
    """Starts services as their own processes on one test session's infrastructure, topics and token issuer
    (the `launcher` fixture)."""

    repo: Path
    infra: Infrastructure
    databases: TestDatabases
    issuer: DevIssuer
    topic_prefix: str
    new_folder: Callable[[str], Path]

    async def start(
        self,
        name: str,
        *,
        extra_env: Mapping[str, str] | None = None,
        topic_prefix: str | None = None,
        database_url: str | None = None,
    ) -> RunningService:
        """`start_service`, in the session's topic namespace unless given another, with a log folder of its own."""
        return await start_service(
            name,
            repo=self.repo,
            infra=self.infra,
            databases=self.databases,
            issuer=self.issuer,
            topic_prefix=self.topic_prefix if topic_prefix is None else topic_prefix,
            logs=self.new_folder(f"{name}-logs"),
            extra_env=extra_env,
            database_url=database_url,
        )


def started(ready: httpx.Response) -> bool:
    """Ready, and its Kafka part started too (readiness alone does not wait for Kafka)."""
    return ready.status_code == 200 and ready.json().get("reported", {}).get("kafka") == "up"


async def wait_ready(service: RunningService, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                raise AssertionError(f"{service.name} exited:\n{service.log_tail()}")
            try:
                if started(await client.get(f"{service.url}/health/ready", timeout=3)):
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    raise AssertionError(f"{service.name} not ready within {timeout}s:\n{service.log_tail()}")
