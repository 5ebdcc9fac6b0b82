"""Where the tests' PostgreSQL and Kafka come from: the environment (`make test` starts both and sets it).

There is no container fallback: the Makefile provisions the same Kafka 4.4.0 and PostgreSQL on any machine
(no Docker needed), and an existing broker and server can be given instead.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

KAFKA_ENV = "KAFKA_BOOTSTRAP_SERVERS"
POSTGRES_ENV = "PG_ADMIN_URL"


class InfrastructureMissing(RuntimeError):
    """The environment gives the tests no real broker and database."""


@dataclass(frozen=True)
class Infrastructure:
    kafka_bootstrap: str
    postgres_admin_url: str
    """postgresql://superuser@host:port/postgres — can create databases and roles."""


@contextmanager
def infrastructure() -> Iterator[Infrastructure]:
    """The running broker and database given by the environment."""
    kafka, postgres = os.environ.get(KAFKA_ENV), os.environ.get(POSTGRES_ENV)
    if not (kafka and postgres):
        raise InfrastructureMissing(
            f"these tests need a real Kafka and PostgreSQL: run them with `make test` (which starts both), "
            f"or set {KAFKA_ENV} (a broker) and {POSTGRES_ENV} (a superuser URL of a PostgreSQL server)"
        )
    yield Infrastructure(kafka, postgres)
