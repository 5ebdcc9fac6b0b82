"""A PostgreSQL server of a test's own, which the test may stop and start: the shared one is never touched.

A throw-away cluster (Debian's server binaries, `initdb` and `pg_ctl`) in a temporary folder, on a
free port of 127.0.0.1, trusting local connections, without durability (fsync off). `initdb`
refuses to run as root, so as root the server runs as the `postgres` user, like
deploy/local/postgres.sh runs it.
"""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .postgres import TestDatabases
from .services import free_port

SERVER_USER = "postgres"
"""The OS user the server runs as when the tests run as root."""


def server_bindir() -> Path:
    """The newest of Debian's /usr/lib/postgresql/*/bin holding initdb, else the folder of initdb on PATH."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3].split(".")[0])
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
    return Path(initdb).parent


class PrivatePostgres:
    """One cluster: `start()`, `stop()` (fast: every connection is cut, as when a server goes down), `remove()`."""

    def __init__(self, base: Path | None = None) -> None:
        self.folder = Path(base or tempfile.mkdtemp(prefix="ibermuseos-private-pg-"))
        self.port = free_port()
        self._bin = server_bindir()
        self._as_root = os.geteuid() == 0
        self.folder.chmod(0o700)
        if self._as_root:
            shutil.chown(self.folder, SERVER_USER, SERVER_USER)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        settings = (
            "listen_addresses = '127.0.0.1'\n"
            f"port = {self.port}\n"
            f"unix_socket_directories = '{self.folder}'\n"
            "max_connections = 100\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
        )
        self._run("sh", "-c", f"cat >> '{self.data}/postgresql.conf'", input=settings)
        self.databases = TestDatabases(self.admin_url)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def running(self) -> bool:
        status = self._run("pg_ctl", "-D", str(self.data), "status", check=False)
        return status.returncode == 0

    def remove(self) -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        log = self.folder / "server.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""

    def _run(
        self, program: str, *args: str, input: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        binary = str(self._bin / program) if (self._bin / program).exists() else program
        command = [binary, *args]
        if self._as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(command, input=input, capture_output=True, text=True, cwd="/", check=False)
        if check and result.returncode != 0:
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr or result.stdout}")
        return result


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started private cluster, removed afterwards (databases, files and all)."""
    cluster = PrivatePostgres()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()
