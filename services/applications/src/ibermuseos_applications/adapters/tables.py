"""The service's tables (and the platform's outbox, inbox and idempotency tables)."""

import sqlalchemy as sa
from ibermuseos_platform.db import add_platform_tables, new_metadata
from sqlalchemy.dialects.postgresql import JSONB

metadata = new_metadata()
add_platform_tables(metadata)

calls = sa.Table(
    "calls",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("terms", JSONB, nullable=False),
    sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("budget", sa.Numeric(14, 2), nullable=False),
    sa.Column("committed", sa.Numeric(14, 2), nullable=False, server_default="0"),
    sa.Column("max_awards_per_country", sa.Integer, nullable=True),
    sa.Column("panel", JSONB, nullable=False, server_default="[]"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("results_released_at", sa.DateTime(timezone=True), nullable=True),
    # The waitlist's term (also in `terms`, here for the closing job) and when it closed.
    sa.Column("waitlist_closes_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("waitlist_closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    # The last line of defence of "never award past the budget", under any concurrency.
    sa.CheckConstraint("committed >= 0 AND committed <= budget", name="committed_within_budget"),
    sa.Index("ix_calls_status_closes_at", "status", "closes_at"),
    sa.Index(
        "ix_calls_waitlist_to_close",
        "waitlist_closes_at",
        postgresql_where=sa.text("status = 'results_released' AND waitlist_closed_at IS NULL"),
    ),
)

applications = sa.Table(
    "applications",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("call_id", sa.Uuid, sa.ForeignKey("calls.id"), nullable=False),
    sa.Column("call_year", sa.Integer, nullable=False),
    sa.Column("applicant_id", sa.String(255), nullable=False),
    # Lower-cased, for the rule of one application per person and call.
    sa.Column("applicant_email", sa.String(320), nullable=True),
    sa.Column("country", sa.String(2), nullable=True),
    sa.Column("status", sa.String(30), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("accept_by", sa.DateTime(timezone=True), nullable=True),
    sa.Column("document", JSONB, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Index("ix_applications_call_id_status", "call_id", "status"),
    sa.Index("ix_applications_applicant_id", "applicant_id"),
    sa.Index("ix_applications_country", "country"),
    sa.Index("ix_applications_applicant_email", "applicant_email"),
    sa.Index(
        "uq_applications_one_per_call_and_person",
        "call_id",
        "applicant_id",
        unique=True,
        postgresql_where=sa.text("status <> 'withdrawn'"),
    ),
    sa.Index(
        "ix_applications_awaiting_acceptance", "accept_by", postgresql_where=sa.text("status = 'awarded'")
    ),
)

# The bytes of the documents that applications list (what each is, is in the application's JSON too): written and
# deleted in the transactions that attach and remove them, backed up with the rest. `content` is stored
# uncompressed out of line (migration 0005: STORAGE EXTERNAL), so that a download reads it a slice at a time.
documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "application_id",
        sa.Uuid,
        sa.ForeignKey("applications.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("declared_type", sa.String(100), nullable=False),
    sa.Column("detected_type", sa.String(100), nullable=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("size = octet_length(content)", name="size_is_the_contents"),
)

assignments = sa.Table(
    "assignments",
    metadata,
    sa.Column(
        "application_id", sa.Uuid, sa.ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("evaluator_id", sa.String(255), primary_key=True),
    sa.Column("call_id", sa.Uuid, nullable=False),
    sa.Column("evaluator_country", sa.String(2), nullable=False),
    sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("scores", JSONB, nullable=True),
    sa.Column("comments", JSONB, nullable=True),
    sa.Column("scored_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("round_id", sa.Uuid, nullable=True),
    sa.Column("replaces", sa.String(255), nullable=True),
    # Given back by the evaluator (declined) or taken away by a coordinator (reassigned), before scoring.
    sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("release", sa.String(20), nullable=True),
    sa.Column("release_ground", sa.String(30), nullable=True),
    sa.Column("release_reason", sa.Text, nullable=True),
    sa.Column("released_by", sa.String(255), nullable=True),
    sa.Index("ix_assignments_evaluator_id_call_id", "evaluator_id", "call_id"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("call_id", sa.Uuid, nullable=True, index=True),
    sa.Column("application_id", sa.Uuid, nullable=True, index=True),
    sa.Column("justification", sa.Text, nullable=True),
    sa.Column("details", JSONB, nullable=False),
)
