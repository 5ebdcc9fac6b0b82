"""A test-only event contract and tables, for the platform's own tests of outbox and consumer."""

from typing import Annotated, Any

from ibermuseos_contracts import Event, Topic
from ibermuseos_contracts.types import PERSONAL, PersonId
from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.ext.asyncio import AsyncEngine

from ..db import add_platform_tables, new_metadata
from ..kafka import new_producer
from ..outbox import OutboxRelay
from ..settings import KafkaSettings, OutboxSettings

PROBES = Topic("platformtest", "probe")


class ProbeRecordedV1(Event, topic=PROBES, subject="probe_id"):
    """A test event: one probe's numbered reading, by a person with a name."""

    probe_id: str
    sequence: int
    person_id: PersonId
    person_name: Annotated[str, PERSONAL]


class ProbeResetV1(Event, topic=PROBES, subject="probe_id"):
    """A test event: a probe's count set back to zero (applied in order with its readings)."""

    probe_id: str


def probe_metadata() -> MetaData:
    """The platform tables plus `effects`, where test handlers count what they applied."""
    metadata = new_metadata()
    add_platform_tables(metadata)
    Table(
        "effects",
        metadata,
        Column("probe_id", String, primary_key=True),
        Column("applied", Integer, nullable=False),
    )
    return metadata


def probe_relay(
    engine: AsyncEngine, table: Table, kafka: KafkaSettings, *, service: str = "test", **outbox: Any
) -> OutboxRelay:
    """The relay of a probe outbox `table`, its settings `outbox` (OutboxSettings' fields)."""
    return OutboxRelay(
        service=service,
        engine=engine,
        table=table,
        kafka=kafka,
        settings=OutboxSettings(**outbox),
        producer_factory=lambda: new_producer(kafka, f"{service}-relay"),
    )
