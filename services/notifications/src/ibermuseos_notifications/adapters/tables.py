"""The service's tables (and the platform's outbox, inbox and idempotency tables)."""

import sqlalchemy as sa
from ibermuseos_platform.db import add_platform_tables, new_metadata
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = new_metadata()
add_platform_tables(metadata)

messages = sa.Table(
    "messages",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    # The notice's key: the causing event's id, or derived from it for several notices of one event.
    sa.Column("event_id", sa.Uuid, nullable=False),
    sa.Column("recipient_id", sa.String(255), nullable=False, index=True),
    sa.Column("channel", sa.String(10), nullable=False),
    sa.Column("template", sa.String(100), nullable=False),
    sa.Column("language", sa.String(10), nullable=False),
    sa.Column("address", sa.String(320), nullable=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column(
        "notification_id", sa.Uuid, nullable=False, unique=True, server_default=sa.text("gen_random_uuid()")
    ),
    sa.Column("cause_id", sa.Uuid, nullable=True),
    sa.Column("cause_type", sa.String(200), nullable=False, server_default=""),
    sa.Column("category", sa.String(30), nullable=False, server_default="acknowledgement"),
    sa.Column("about", sa.String(255), nullable=False, server_default=""),
    sa.Column("context", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("context_language", sa.String(10), nullable=True),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("retries", sa.Integer, nullable=False, server_default="0"),
    sa.Column("subject", sa.Text, nullable=True),
    sa.Column("body", sa.Text, nullable=True),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("relay", sa.String(50), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    # Set when the retention policy (or a person's erasure) removed the content; the key and metadata stay.
    sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
    # Why it failed, as NotificationFailed said it.
    sa.Column("failure_reason", sa.String(30), nullable=True),
    # The e-mail attempt under way (on record before the mail goes to a relay), until its outcome is.
    sa.Column("sending_attempt", sa.Integer, nullable=True),
    # An attempt was interrupted after the relay may have accepted the mail: the next copy may be a second one.
    sa.Column("possible_duplicate", sa.Boolean, nullable=False, server_default="false"),
    sa.UniqueConstraint(
        "event_id", "recipient_id", "channel", name="uq_messages_one_per_event_recipient_channel"
    ),
    sa.Index("ix_messages_due", "next_attempt_at", postgresql_where=sa.text("status = 'pending'")),
    sa.Index("ix_messages_about", "about", "template"),
    sa.Index(
        "ix_messages_inbox",
        "recipient_id",
        "sent_at",
        "id",
        postgresql_where=sa.text("channel = 'inbox' AND status = 'sent'"),
    ),
    sa.Index("ix_messages_status_updated", "status", "updated_at"),
    sa.Index("ix_messages_not_erased", "status", "sent_at", postgresql_where=sa.text("erased_at IS NULL")),
)

delivery_attempts = sa.Table(
    "delivery_attempts",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column(
        "message_id",
        sa.BigInteger,
        sa.ForeignKey("messages.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("relay", sa.String(50), nullable=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("code", sa.Integer, nullable=True),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
    sa.UniqueConstraint("message_id", "number", name="uq_delivery_attempts_message_number"),
)

# What the service keeps of a person: how to reach them, in which language, and their choices.
recipients = sa.Table(
    "recipients",
    metadata,
    sa.Column("person_id", sa.String(255), primary_key=True),
    sa.Column("name", sa.String(300), nullable=True),
    sa.Column("email", sa.String(320), nullable=True),
    sa.Column("preferred_language", sa.String(10), nullable=True),
    sa.Column("timezone", sa.String(64), nullable=True),
    sa.Column("timezone_known", sa.Boolean, nullable=False, server_default="false"),
    sa.Column("email_invalid_since", sa.DateTime(timezone=True), nullable=True),
    sa.Column("opted_out", ARRAY(sa.String(30)), nullable=False, server_default="{}"),
    sa.Column("quiet_start", sa.Time, nullable=True),
    sa.Column("quiet_end", sa.Time, nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

focal_points = sa.Table(
    "focal_points",
    metadata,
    sa.Column("person_id", sa.String(255), primary_key=True),
    sa.Column("country", sa.String(2), nullable=False, index=True),
    sa.Column("updated_by", sa.String(255), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

calls = sa.Table(
    "calls",
    metadata,
    sa.Column("call_id", sa.Uuid, primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("title", JSONB, nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
)

applications = sa.Table(
    "applications",
    metadata,
    sa.Column("application_id", sa.Uuid, primary_key=True),
    sa.Column("applicant_id", sa.String(255), nullable=False, index=True),
    sa.Column("call_id", sa.Uuid, nullable=False),
    sa.Column("call_year", sa.Integer, nullable=False),
    sa.Column("activity_title", sa.String(300), nullable=False),
    sa.Column("remembered_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("run_id", sa.Uuid, primary_key=True),
    sa.Column("offering_id", sa.Uuid, nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("title", JSONB, nullable=False),
    sa.Column("sessions", JSONB, nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("modality", sa.String(20), nullable=False),
    sa.Column("venue", JSONB, nullable=True),
    sa.Column("language", sa.String(10), nullable=False),
    sa.Column("hours", sa.String(10), nullable=False),
    sa.Column("first_starts_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("remembered_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

enrolments = sa.Table(
    "enrolments",
    metadata,
    sa.Column("enrolment_id", sa.Uuid, primary_key=True),
    sa.Column("run_id", sa.Uuid, nullable=False, index=True),
    sa.Column("offering_id", sa.Uuid, nullable=False),
    sa.Column("person_id", sa.String(255), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("remembered_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index("ix_enrolments_person_id", "person_id"),
)

certificates = sa.Table(
    "certificates",
    metadata,
    sa.Column("certificate_id", sa.Uuid, primary_key=True),
    sa.Column("person_id", sa.String(255), nullable=False),
    sa.Column("run_id", sa.Uuid, nullable=False),
    sa.Column("title", JSONB, nullable=False),
    sa.Column("completed_on", sa.Date, nullable=False),
    sa.Index("ix_certificates_person_id", "person_id"),
)

# What evaluators were assigned (from EvaluationAssigned), to tell them once per round and remind them of the rest.
evaluation_assignments = sa.Table(
    "evaluation_assignments",
    metadata,
    sa.Column("application_id", sa.Uuid, primary_key=True),
    sa.Column("evaluator_id", sa.String(255), primary_key=True),
    sa.Column("call_id", sa.Uuid, nullable=False),
    sa.Column("round_id", sa.Uuid, nullable=False, index=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("score_by", sa.DateTime(timezone=True), nullable=True),
    sa.Column("remembered_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index("ix_evaluation_assignments_call_id_evaluator_id", "call_id", "evaluator_id"),
    sa.Index("ix_evaluation_assignments_evaluator_id", "evaluator_id"),
)

# Erasures on a person's request, audited without personal data: the person's keyed pseudonym, who, when, how much.
person_erasures = sa.Table(
    "person_erasures",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True, server_default=sa.text("gen_random_uuid()")),
    sa.Column("person_pseudonym", sa.String(64), nullable=False, index=True),
    sa.Column("requested_by", sa.String(255), nullable=False),
    sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("counts", JSONB, nullable=False),
)
