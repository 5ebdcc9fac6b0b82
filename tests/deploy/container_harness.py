"""The services' images run as containers, the way operations run them: host network (never a bridge),
read-only root filesystem, the migrations as a one-shot container before the service starts."""

import asyncio
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
from ibermuseos_platform.testing.services import free_port, started
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

REPO = Path(__file__).resolve().parents[2]
TAG = os.environ.get("IMAGE_TAG", "local")
JWKS_IN_CONTAINER = "/run/dev-issuer/jwks.json"


def engine() -> str:
    """docker where an engine answers, else podman (what `make images` built with)."""
    chosen = os.environ.get("CONTAINER_ENGINE")
    if chosen:
        return chosen
    if shutil.which("docker") and subprocess.run(["docker", "info"], capture_output=True).returncode == 0:
        return "docker"
    return "podman"


def image(service: str, tag: str = TAG) -> str:
    return f"ibermuseos/{service}:{tag}"


def image_exists(name: str) -> bool:
    return run("image", "inspect", name, check=False).returncode == 0


def run(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([engine(), *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{engine()} {' '.join(args[:3])}… failed ({result.returncode}):\n{result.stderr}"
        )
    return result


def _env_args(env: Mapping[str, str]) -> list[str]:
    return [part for name, value in env.items() for part in ("-e", f"{name}={value}")]


# Every container: the host's network (no bridge is ever used here), nothing writable but /tmp.
LOCKED_DOWN = ("--network=host", "--read-only", "--tmpfs", "/tmp", "--no-healthcheck")


def run_once(
    image_name: str, command: list[str], env: Mapping[str, str] = {}
) -> subprocess.CompletedProcess[str]:
    """Run the image's command to its end, in a container removed afterwards."""
    return run("run", "--rm", *LOCKED_DOWN, *_env_args(env), image_name, *command, check=False)


def migrate(image_name: str, service: str, database_url: str) -> subprocess.CompletedProcess[str]:
    """The image's migrations against `database_url`, as the Kubernetes Job runs them."""
    return run_once(image_name, ["migrate"], {f"{service.upper()}_DATABASE__URL": database_url})


@dataclass
class Container:
    service: str
    image: str
    name: str
    url: str
    env: dict[str, str]

    @property
    def port(self) -> int:
        return int(self.env["PORT"])

    def logs(self) -> str:
        result = run("logs", self.name, check=False)
        return (result.stdout + result.stderr)[-4000:]

    def state(self) -> dict[str, object]:
        state: dict[str, object] = json.loads(run("inspect", "--format", "{{json .State}}", self.name).stdout)
        return state

    async def stop(self, grace_seconds: int = 20) -> int:
        """SIGTERM, then SIGKILL after `grace_seconds`; returns the exit code (137 if it had to be killed)."""
        await asyncio.to_thread(run, "stop", "-t", str(grace_seconds), self.name, timeout=grace_seconds + 30)
        code = self.state()["ExitCode"]
        assert isinstance(code, int)
        return code

    async def remove(self) -> None:
        await asyncio.to_thread(run, "rm", "-f", self.name, check=False)


async def start(
    service: str, image_name: str, env: Mapping[str, str], jwks: Path, *, port: int | None = None
) -> Container:
    """Start the image as a service container on a free loopback port and wait until it serves."""
    port = port or free_port()
    name = f"ibermuseos-test-{service}-{uuid.uuid4().hex[:8]}"
    all_env = {**env, "HOST": "127.0.0.1", "PORT": str(port)}
    await asyncio.to_thread(
        run,
        "run",
        "-d",
        "--name",
        name,
        *LOCKED_DOWN,
        "-v",
        f"{jwks}:{JWKS_IN_CONTAINER}:ro",
        *_env_args(all_env),
        image_name,
    )
    container = Container(service, image_name, name, f"http://127.0.0.1:{port}", all_env)
    await wait_started(container)
    return container


async def wait_started(container: Container, timeout: float = 90.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with httpx.AsyncClient() as client:
        while loop.time() < deadline:
            if container.state().get("Running") is False:
                raise AssertionError(f"{container.service} exited:\n{container.logs()}")
            try:
                if started(await client.get(f"{container.url}/health/ready", timeout=3)):
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    raise AssertionError(f"{container.service} not started within {timeout}s:\n{container.logs()}")


async def database_revision(url: str) -> str:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return str(
                (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
            )
    finally:
        await engine.dispose()
