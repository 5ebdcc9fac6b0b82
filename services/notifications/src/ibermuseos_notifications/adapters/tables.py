"""The service's tables (and the platform's outbox, inbox and idempotency tables)."""

from ibermuseos_platform.db import add_platform_tables, new_metadata
from sqlalchemy import BigInteger, Column, DateTime, Identity, String, Table, UniqueConstraint, Uuid, func

metadata = new_metadata()
add_platform_tables(metadata)

messages = Table(
    "messages",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("event_id", Uuid, nullable=False),
    Column("recipient_id", String(255), nullable=False, index=True),
    Column("channel", String(10), nullable=False),
    Column("template", String(100), nullable=False),
    Column("language", String(10), nullable=False),
    Column("address", String(320), nullable=True),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint(
        "event_id", "recipient_id", "channel", name="uq_messages_one_per_event_recipient_channel"
    ),
)
