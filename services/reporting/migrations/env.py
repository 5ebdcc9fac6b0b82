from ibermuseos_platform.migrations import run_migrations
from ibermuseos_reporting.adapters.tables import metadata

run_migrations(metadata, "REPORTING_DATABASE__URL")
