"""The service's tables (and the platform's outbox, inbox and idempotency tables)."""

from ibermuseos_platform.db import add_platform_tables, new_metadata
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = new_metadata()
add_platform_tables(metadata)

messages = Table(
    "messages",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    # The notice's key: the causing event's id, or derived from it for several notices of one event.
    Column("event_id", Uuid, nullable=False),
    Column("recipient_id", String(255), nullable=False, index=True),
    Column("channel", String(10), nullable=False),
    Column("template", String(100), nullable=False),
    Column("language", String(10), nullable=False),
    Column("address", String(320), nullable=True),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("notification_id", Uuid, nullable=False, unique=True, server_default=text("gen_random_uuid()")),
    Column("cause_id", Uuid, nullable=True),
    Column("cause_type", String(200), nullable=False, server_default=""),
    Column("category", String(30), nullable=False, server_default="acknowledgement"),
    Column("about", String(255), nullable=False, server_default=""),
    Column("context", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("context_language", String(10), nullable=True),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("retries", Integer, nullable=False, server_default="0"),
    Column("subject", Text, nullable=True),
    Column("body", Text, nullable=True),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("read_at", DateTime(timezone=True), nullable=True),
    Column("relay", String(50), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Set when the retention policy (or a person's erasure) removed the content; the key and metadata stay.
    Column("erased_at", DateTime(timezone=True), nullable=True),
    # Why it failed, as NotificationFailed said it.
    Column("failure_reason", String(30), nullable=True),
    # The e-mail attempt under way (on record before the mail goes to a relay), until its outcome is.
    Column("sending_attempt", Integer, nullable=True),
    # An attempt was interrupted after the relay may have accepted the mail: the next copy may be a second one.
    Column("possible_duplicate", Boolean, nullable=False, server_default="false"),
    UniqueConstraint(
        "event_id", "recipient_id", "channel", name="uq_messages_one_per_event_recipient_channel"
    ),
    Index("ix_messages_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
    Index("ix_messages_about", "about", "template"),
    Index(
        "ix_messages_inbox",
        "recipient_id",
        "sent_at",
        "id",
        postgresql_where=text("channel = 'inbox' AND status = 'sent'"),
    ),
    Index("ix_messages_status_updated", "status", "updated_at"),
    Index("ix_messages_not_erased", "status", "sent_at", postgresql_where=text("erased_at IS NULL")),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column(
        "message_id", BigInteger, ForeignKey("messages.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("number", Integer, nullable=False),
    Column("relay", String(50), nullable=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("outcome", String(20), nullable=False),
    Column("code", Integer, nullable=True),
    Column("detail", Text, nullable=False, server_default=""),
    UniqueConstraint("message_id", "number", name="uq_delivery_attempts_message_number"),
)

# What the service keeps of a person: how to reach them, in which language, and their choices.
recipients = Table(
    "recipients",
    metadata,
    Column("person_id", String(255), primary_key=True),
    Column("name", String(300), nullable=True),
    Column("email", String(320), nullable=True),
    Column("preferred_language", String(10), nullable=True),
    Column("timezone", String(64), nullable=True),
    Column("timezone_known", Boolean, nullable=False, server_default="false"),
    Column("email_invalid_since", DateTime(timezone=True), nullable=True),
    Column("opted_out", ARRAY(String(30)), nullable=False, server_default="{}"),
    Column("quiet_start", Time, nullable=True),
    Column("quiet_end", Time, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

focal_points = Table(
    "focal_points",
    metadata,
    Column("person_id", String(255), primary_key=True),
    Column("country", String(2), nullable=False, index=True),
    Column("updated_by", String(255), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

calls = Table(
    "calls",
    metadata,
    Column("call_id", Uuid, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("title", JSONB, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("closes_at", DateTime(timezone=True), nullable=False),
)

applications = Table(
    "applications",
    metadata,
    Column("application_id", Uuid, primary_key=True),
    Column("applicant_id", String(255), nullable=False, index=True),
    Column("call_id", Uuid, nullable=False),
    Column("call_year", Integer, nullable=False),
    Column("activity_title", String(300), nullable=False),
    Column("remembered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", Uuid, primary_key=True),
    Column("offering_id", Uuid, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("title", JSONB, nullable=False),
    Column("sessions", JSONB, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("modality", String(20), nullable=False),
    Column("venue", JSONB, nullable=True),
    Column("language", String(10), nullable=False),
    Column("hours", String(10), nullable=False),
    Column("first_starts_at", DateTime(timezone=True), nullable=True),
    Column("remembered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

enrolments = Table(
    "enrolments",
    metadata,
    Column("enrolment_id", Uuid, primary_key=True),
    Column("run_id", Uuid, nullable=False, index=True),
    Column("offering_id", Uuid, nullable=False),
    Column("person_id", String(255), nullable=False),
    Column("status", String(20), nullable=False),
    Column("remembered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_enrolments_person_id", "person_id"),
)

certificates = Table(
    "certificates",
    metadata,
    Column("certificate_id", Uuid, primary_key=True),
    Column("person_id", String(255), nullable=False),
    Column("run_id", Uuid, nullable=False),
    Column("title", JSONB, nullable=False),
    Column("completed_on", Date, nullable=False),
    Index("ix_certificates_person_id", "person_id"),
)

# What evaluators were assigned (from EvaluationAssigned), to tell them once per round and remind them of the rest.
evaluation_assignments = Table(
    "evaluation_assignments",
    metadata,
    Column("application_id", Uuid, primary_key=True),
    Column("evaluator_id", String(255), primary_key=True),
    Column("call_id", Uuid, nullable=False),
    Column("round_id", Uuid, nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("score_by", DateTime(timezone=True), nullable=True),
    Column("remembered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_evaluation_assignments_call_id_evaluator_id", "call_id", "evaluator_id"),
    Index("ix_evaluation_assignments_evaluator_id", "evaluator_id"),
)

# Erasures on a person's request, audited without personal data: the person's keyed pseudonym, who, when, how much.
person_erasures = Table(
    "person_erasures",
    metadata,
    Column("id", Uuid, primary_key=True, server_default=text("gen_random_uuid()")),
    Column("person_pseudonym", String(64), nullable=False, index=True),
    Column("requested_by", String(255), nullable=False),
    Column("erased_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("counts", JSONB, nullable=False),
)
