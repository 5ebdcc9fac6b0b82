"""Read models (and the platform's outbox, inbox and idempotency tables)."""

from ibermuseos_platform.db import add_platform_tables, new_metadata
from sqlalchemy import Column, Integer, String, Table, Uuid

metadata = new_metadata()
add_platform_tables(metadata)

submitted_applications = Table(
    "submitted_applications",
    metadata,
    Column("application_id", Uuid, primary_key=True),
    Column("call_year", Integer, nullable=False),
    Column("country", String(2), nullable=False),
)
