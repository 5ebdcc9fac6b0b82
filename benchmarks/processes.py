"""CPU time of the processes a benchmark runs, read from the kernel: /proc/<pid>/stat before and after.

Every thread of a process counts (utime + stime of the whole thread group); the resolution is the
kernel's clock tick (10 ms here), so phases are long enough for thousands of events. The broker
and the database server are found by what they serve: the process listening on Kafka's port, the
PostgreSQL backends connected to the benchmark's own databases, and the rest of the server.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")
DATABASE_BACKENDS = "PostgreSQL: backends of the bench's databases"
DATABASE_REST = "PostgreSQL: the rest of the server"
KAFKA_BROKER = "Kafka broker"


def cpu_ms(pid: int) -> float | None:
    """User and system CPU the process has used so far, or None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (field 2) may hold spaces; the fields after it are space-separated.
    fields = stat.rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) * TICK_MS


def parent_of(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("PPid:"):
                return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def children_of(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and parent_of(int(entry.name)) == parent:
            found.append(int(entry.name))
    return found


def listening_pid(port: int) -> int | None:
    """The process with a socket listening on TCP `port` (any address), if this user may see it."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            columns = line.split()
            local, state, inode = columns[1], columns[3], columns[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{inode}]")
    if not inodes:
        return None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in inodes:
                    return int(entry.name)
        except (PermissionError, FileNotFoundError, NotADirectoryError):
            continue
    return None


@dataclass
class Snapshot:
    """CPU milliseconds of each process at one moment, and which named part it belongs to."""

    ms: dict[int, float] = field(default_factory=dict)
    part: dict[int, str] = field(default_factory=dict)

    def add(self, name: str, pid: int) -> None:
        ms = cpu_ms(pid)
        if ms is not None:
            self.ms[pid] = ms
            self.part[pid] = name


@dataclass
class CpuMeter:
    """The processes of one benchmark run, by the name its tables give them."""

    named: dict[str, list[int]] = field(default_factory=dict)
    admin_url: str | None = None
    databases: tuple[str, ...] = ()
    kafka_port: int | None = None

    def add(self, name: str, pid: int) -> None:
        self.named.setdefault(name, []).append(pid)

    async def _database_backends(self) -> tuple[list[int], int | None]:
        if self.admin_url is None or not self.databases:
            return [], None
        connection = await asyncpg.connect(self.admin_url)
        try:
            rows = await connection.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = ANY($1::text[]) AND pid <> pg_backend_pid()",
                list(self.databases),
            )
            postmaster = parent_of(await connection.fetchval("SELECT pg_backend_pid()"))
        finally:
            await connection.close()
        return [row["pid"] for row in rows], postmaster

    async def snapshot(self) -> Snapshot:
        snapshot = Snapshot()
        for name, pids in self.named.items():
            for pid in pids:
                snapshot.add(name, pid)
        backends, postmaster = await self._database_backends()
        for pid in backends:
            snapshot.add(DATABASE_BACKENDS, pid)
        if postmaster is not None:
            for pid in [postmaster, *children_of(postmaster)]:
                if pid not in snapshot.part:
                    snapshot.add(DATABASE_REST, pid)
        if self.kafka_port is not None and (kafka := listening_pid(self.kafka_port)) is not None:
            snapshot.add(KAFKA_BROKER, kafka)
        return snapshot


def used(before: Snapshot, after: Snapshot) -> dict[str, float]:
    """CPU milliseconds each named part used between two snapshots.

    A process that appeared in between counts whole (it started during the phase); one that ended
    in between is lost, which pools of long-lived connections make rare.
    """
    parts: dict[str, float] = {}
    for pid, name in after.part.items():
        parts[name] = parts.get(name, 0.0) + after.ms[pid] - before.ms.get(pid, 0.0)
    return parts
