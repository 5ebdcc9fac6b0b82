"""Where the tests' PostgreSQL and Kafka come from: the environment the Makefile sets, else testcontainers."""

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

KAFKA_ENV = "KAFKA_BOOTSTRAP_SERVERS"
POSTGRES_ENV = "PG_ADMIN_URL"


class InfrastructureMissing(RuntimeError):
    """Neither the environment nor Docker gives the tests a real broker and database."""


@dataclass(frozen=True)
class Infrastructure:
    kafka_bootstrap: str
    postgres_admin_url: str
    """postgresql://superuser@host:port/postgres — can create databases and roles."""


def _docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@contextmanager
def infrastructure() -> Iterator[Infrastructure]:
    """The running broker and database given by the environment, or containers started for the session."""
    kafka, postgres = os.environ.get(KAFKA_ENV), os.environ.get(POSTGRES_ENV)
    if kafka and postgres:
        yield Infrastructure(kafka, postgres)
        return
    if not _docker_available():
        raise InfrastructureMissing(
            f"these tests need a real Kafka and PostgreSQL: run them with `make test` (which starts both), "
            f"or set {KAFKA_ENV} and {POSTGRES_ENV}, or make a Docker engine available for testcontainers"
        )
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    with (
        PostgresContainer("postgres:16", driver=None) as pg,
        KafkaContainer("confluentinc/cp-kafka:7.9.0").with_kraft() as kf,
    ):
        yield Infrastructure(kf.get_bootstrap_server(), pg.get_connection_url())
