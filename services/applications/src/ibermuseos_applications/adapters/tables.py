"""The service's tables (and the platform's outbox, inbox and idempotency tables)."""

from ibermuseos_platform.db import add_platform_tables, new_metadata
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = new_metadata()
add_platform_tables(metadata)

calls = Table(
    "calls",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("status", String(20), nullable=False),
    Column("year", Integer, nullable=False),
    Column("terms", JSONB, nullable=False),
    Column("opens_at", DateTime(timezone=True), nullable=False),
    Column("closes_at", DateTime(timezone=True), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("budget", Numeric(14, 2), nullable=False),
    Column("committed", Numeric(14, 2), nullable=False, server_default="0"),
    Column("max_awards_per_country", Integer, nullable=True),
    Column("panel", JSONB, nullable=False, server_default="[]"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(255), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("results_released_at", DateTime(timezone=True), nullable=True),
    # The waitlist's term (also in `terms`, here for the closing job) and when it closed.
    Column("waitlist_closes_at", DateTime(timezone=True), nullable=True),
    Column("waitlist_closed_at", DateTime(timezone=True), nullable=True),
    Column("version", Integer, nullable=False),
    # The last line of defence of "never award past the budget", under any concurrency.
    CheckConstraint("committed >= 0 AND committed <= budget", name="committed_within_budget"),
    Index("ix_calls_status_closes_at", "status", "closes_at"),
    Index(
        "ix_calls_waitlist_to_close",
        "waitlist_closes_at",
        postgresql_where=text("status = 'results_released' AND waitlist_closed_at IS NULL"),
    ),
)

applications = Table(
    "applications",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("call_id", Uuid, ForeignKey("calls.id"), nullable=False),
    Column("call_year", Integer, nullable=False),
    Column("applicant_id", String(255), nullable=False),
    # Lower-cased, for the rule of one application per person and call.
    Column("applicant_email", String(320), nullable=True),
    Column("country", String(2), nullable=True),
    Column("status", String(30), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    Column("accept_by", DateTime(timezone=True), nullable=True),
    Column("document", JSONB, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_applications_call_id_status", "call_id", "status"),
    Index("ix_applications_applicant_id", "applicant_id"),
    Index("ix_applications_country", "country"),
    Index("ix_applications_applicant_email", "applicant_email"),
    Index(
        "uq_applications_one_per_call_and_person",
        "call_id",
        "applicant_id",
        unique=True,
        postgresql_where=text("status <> 'withdrawn'"),
    ),
    Index("ix_applications_awaiting_acceptance", "accept_by", postgresql_where=text("status = 'awarded'")),
)

# The bytes of the documents that applications list (what each is, is in the application's JSON too): written and
# deleted in the transactions that attach and remove them, backed up with the rest. `content` is stored
# uncompressed out of line (migration 0005: STORAGE EXTERNAL), so that a download reads it a slice at a time.
documents = Table(
    "documents",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column(
        "application_id", Uuid, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("content", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
    Column("declared_type", String(100), nullable=False),
    Column("detected_type", String(100), nullable=True),
    Column("sha256", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("size = octet_length(content)", name="size_is_the_contents"),
)

assignments = Table(
    "assignments",
    metadata,
    Column("application_id", Uuid, ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True),
    Column("evaluator_id", String(255), primary_key=True),
    Column("call_id", Uuid, nullable=False),
    Column("evaluator_country", String(2), nullable=False),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
    Column("scores", JSONB, nullable=True),
    Column("comments", JSONB, nullable=True),
    Column("scored_at", DateTime(timezone=True), nullable=True),
    Column("round_id", Uuid, nullable=True),
    Column("replaces", String(255), nullable=True),
    # Given back by the evaluator (declined) or taken away by a coordinator (reassigned), before scoring.
    Column("released_at", DateTime(timezone=True), nullable=True),
    Column("release", String(20), nullable=True),
    Column("release_ground", String(30), nullable=True),
    Column("release_reason", Text, nullable=True),
    Column("released_by", String(255), nullable=True),
    Index("ix_assignments_evaluator_id_call_id", "evaluator_id", "call_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(255), nullable=False),
    Column("action", String(60), nullable=False),
    Column("call_id", Uuid, nullable=True, index=True),
    Column("application_id", Uuid, nullable=True, index=True),
    Column("justification", Text, nullable=True),
    Column("details", JSONB, nullable=False),
)
