from ibermuseos_notifications.adapters.tables import metadata
from ibermuseos_platform.migrations import run_migrations

run_migrations(metadata, "NOTIFICATIONS_DATABASE__URL")
