from ibermuseos_applications.adapters.tables import metadata
from ibermuseos_platform.migrations import run_migrations

run_migrations(metadata, "APPLICATIONS_DATABASE__URL")
