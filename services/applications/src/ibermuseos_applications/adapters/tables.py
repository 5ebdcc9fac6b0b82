"""The service's tables (and the platform's outbox, inbox and idempotency tables)."""

from ibermuseos_platform.db import add_platform_tables, new_metadata
from sqlalchemy import Column, DateTime, Integer, String, Table, Uuid
from sqlalchemy.dialects.postgresql import JSONB

metadata = new_metadata()
add_platform_tables(metadata)

applications = Table(
    "applications",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("call_id", Uuid, nullable=False, index=True),
    Column("call_year", Integer, nullable=False),
    Column("applicant_id", String(255), nullable=False, index=True),
    Column("applicant_country", String(2), nullable=False, index=True),
    Column("status", String(30), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("submission", JSONB, nullable=False),
)
