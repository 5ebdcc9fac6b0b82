"""The service's tables (and the platform's outbox, inbox and idempotency tables)."""

from ibermuseos_platform.db import add_platform_tables, new_metadata

metadata = new_metadata()
add_platform_tables(metadata)
