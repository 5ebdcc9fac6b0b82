"""Tables: the durable ones (migrated by Alembic) and the projection tables (one disposable schema per build).

Durable, in the database's default schema: the platform's inbox, outbox and idempotency
keys, the pointer to the serving projection schema, the record of rebuilds, and the
coordinator's decisions about institutions (abbreviations, merges, splits, confirmations),
which no rebuild may lose. Projection tables are defined from the domain's fact tables
and created in a fresh schema by each build; statements name the placeholder schema
`projection`, translated to the real one at execution.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ibermuseos_platform.db import add_platform_tables, new_metadata
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Double,
    Index,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeEngine

from ..domain.facts import ColumnType, FactTable
from ..domain.projections import TABLES

metadata = new_metadata()
add_platform_tables(metadata)

serving = Table(
    "serving",
    metadata,
    Column("id", SmallInteger, primary_key=True, default=1),
    Column("schema_name", String(63), nullable=False),
    Column("version", String(32), nullable=False),
    Column("switched_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("id = 1", name="single_row"),
)
"""Which projection schema answers; replaced atomically when a rebuild has caught up."""

rebuild_runs = Table(
    "rebuild_runs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("schema_name", String(63), nullable=False),
    Column("version", String(32), nullable=False),
    Column("state", String(20), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("events_done", BigInteger, nullable=False, server_default="0"),
    Column("events_total", BigInteger, nullable=False, server_default="0"),
    Column("events_per_second", Double, nullable=True),
    Column("error", Text, nullable=True),
)

institution_abbreviations = Table(
    "institution_abbreviations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("abbreviation", String(60), nullable=False),
    Column("name", String(300), nullable=False),
    Column("country", String(2), nullable=False),
    Column("city", String(300), nullable=True),
    Column("abbreviation_norm", String(60), nullable=False),
    Column("name_norm", String(300), nullable=False),
    Column("city_norm", String(300), nullable=False, server_default=""),
    Column("created_by", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("country", "city_norm", "abbreviation_norm", name="uq_institution_abbreviations_scope"),
)

institution_key_links = Table(
    "institution_key_links",
    metadata,
    Column("matched_key", String(700), primary_key=True),
    Column("institution_id", Uuid, nullable=False),
    Column("decided_by", String(255), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
"""A coordinator's merge: every spelling matching this key counts as that institution."""

institution_spelling_links = Table(
    "institution_spelling_links",
    metadata,
    Column("spelling", String(700), primary_key=True),
    Column("institution_id", Uuid, nullable=False),
    Column("decided_by", String(255), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
"""A coordinator's split: this spelling counts as that institution, whatever its key matches."""

institution_reviews = Table(
    "institution_reviews",
    metadata,
    Column("institution_id", Uuid, primary_key=True),
    Column("name", String(300), nullable=True),
    Column("confirmed", Boolean, nullable=False, server_default="false"),
    Column("decided_by", String(255), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

curation_log = Table(
    "curation_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("by", String(255), nullable=False),
    Column("action", String(40), nullable=False),
    Column("detail", JSONB, nullable=False),
)
"""Who decided what about institutions, and when."""

# ------------------------------------------------------------------- projection tables

PLACEHOLDER = "projection"

_TYPES: dict[ColumnType, TypeEngine[Any]] = {
    str: Text(),
    int: BigInteger(),
    bool: Boolean(),
    Decimal: Numeric(16, 4),
    datetime: DateTime(timezone=True),
    date: Date(),
    UUID: Uuid(),
}

projection_metadata = MetaData(schema=PLACEHOLDER)


def _table(fact: FactTable) -> Table:
    columns = [Column(name, _TYPES[kind], primary_key=True) for name, kind in fact.key.items()]
    columns += [Column(name, _TYPES[column.type], nullable=True) for name, column in fact.columns.items()]
    indexes = [Index(f"ix_{fact.name}_{'_'.join(names)}", *names) for names in fact.indexes]
    return Table(fact.name, projection_metadata, *columns, *indexes)


PROJECTION_TABLES: dict[FactTable, Table] = {fact: _table(fact) for fact in TABLES}

projection_state = Table(
    "projection_state",
    projection_metadata,
    Column("id", SmallInteger, primary_key=True),
    Column("events_applied", BigInteger, nullable=False, server_default="0"),
    Column("last_event_time", DateTime(timezone=True), nullable=True),
    Column("built_at", DateTime(timezone=True), nullable=True),
    Column("rebuild_events", BigInteger, nullable=True),
)
