from ibermuseos_courses.adapters.tables import metadata
from ibermuseos_platform.migrations import run_migrations

run_migrations(metadata, "COURSES_DATABASE__URL")
