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

import sqlalchemy as sa
from ibermuseos_platform.db import add_platform_tables, new_metadata
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeEngine

from ..domain.facts import ColumnType, FactTable
from ..domain.projections import TABLES

metadata = new_metadata()
add_platform_tables(metadata)

serving = sa.Table(
    "serving",
    metadata,
    sa.Column("id", sa.SmallInteger, primary_key=True, default=1),
    sa.Column("schema_name", sa.String(63), nullable=False),
    sa.Column("version", sa.String(32), nullable=False),
    sa.Column("switched_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("id = 1", name="single_row"),
)
"""Which projection schema answers; replaced atomically when a rebuild has caught up."""

rebuild_runs = sa.Table(
    "rebuild_runs",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("schema_name", sa.String(63), nullable=False),
    sa.Column("version", sa.String(32), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("events_done", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("events_total", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("events_per_second", sa.Double, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
)

institution_abbreviations = sa.Table(
    "institution_abbreviations",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("abbreviation", sa.String(60), nullable=False),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("city", sa.String(300), nullable=True),
    sa.Column("abbreviation_norm", sa.String(60), nullable=False),
    sa.Column("name_norm", sa.String(300), nullable=False),
    sa.Column("city_norm", sa.String(300), nullable=False, server_default=""),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint(
        "country", "city_norm", "abbreviation_norm", name="uq_institution_abbreviations_scope"
    ),
)

institution_key_links = sa.Table(
    "institution_key_links",
    metadata,
    sa.Column("matched_key", sa.String(700), primary_key=True),
    sa.Column("institution_id", sa.Uuid, nullable=False),
    sa.Column("decided_by", sa.String(255), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
"""A coordinator's merge: every spelling matching this key counts as that institution."""

institution_spelling_links = sa.Table(
    "institution_spelling_links",
    metadata,
    sa.Column("spelling", sa.String(700), primary_key=True),
    sa.Column("institution_id", sa.Uuid, nullable=False),
    sa.Column("decided_by", sa.String(255), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
"""A coordinator's split: this spelling counts as that institution, whatever its key matches."""

institution_reviews = sa.Table(
    "institution_reviews",
    metadata,
    sa.Column("institution_id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(300), nullable=True),
    sa.Column("confirmed", sa.Boolean, nullable=False, server_default="false"),
    sa.Column("decided_by", sa.String(255), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

curation_log = sa.Table(
    "curation_log",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("by", sa.String(255), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("detail", JSONB, nullable=False),
)
"""Who decided what about institutions, and when."""

# ------------------------------------------------------------------- projection tables

PLACEHOLDER = "projection"

_TYPES: dict[ColumnType, TypeEngine[Any]] = {
    str: sa.Text(),
    int: sa.BigInteger(),
    bool: sa.Boolean(),
    Decimal: sa.Numeric(16, 4),
    datetime: sa.DateTime(timezone=True),
    date: sa.Date(),
    UUID: sa.Uuid(),
}

projection_metadata = sa.MetaData(schema=PLACEHOLDER)


def _table(fact: FactTable) -> sa.Table:
    columns = [sa.Column(name, _TYPES[kind], primary_key=True) for name, kind in fact.key.items()]
    columns += [sa.Column(name, _TYPES[column.type], nullable=True) for name, column in fact.columns.items()]
    indexes = [sa.Index(f"ix_{fact.name}_{'_'.join(names)}", *names) for names in fact.indexes]
    return sa.Table(fact.name, projection_metadata, *columns, *indexes)


PROJECTION_TABLES: dict[FactTable, sa.Table] = {fact: _table(fact) for fact in TABLES}

projection_state = sa.Table(
    "projection_state",
    projection_metadata,
    sa.Column("id", sa.SmallInteger, primary_key=True),
    sa.Column("events_applied", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("last_event_time", sa.DateTime(timezone=True), nullable=True),
    sa.Column("built_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("rebuild_events", sa.BigInteger, nullable=True),
)
