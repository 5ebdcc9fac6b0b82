"""The service's tables (and the platform's outbox, inbox and idempotency tables).

Columns are typed with what they hold (enumerations, JSON documents read as their models), so
that the aggregates map onto them without converting by hand (`mapping`).
"""

from typing import Any

from ibermuseos_contracts.common import Modality
from ibermuseos_contracts.courses import OfferingKind, Outcome, Participant, Session, Venue
from ibermuseos_contracts.types import Localized
from ibermuseos_platform.db import JsonDocument, add_platform_tables, enum_column, new_metadata
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
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
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from ..domain.bitstring import Bitstring
from ..domain.catalogue import OfferingStatus
from ..domain.certificates import CertificateStatus, Wording
from ..domain.enrolments import EnrolmentStatus
from ..domain.runs import RunStatus
from ..domain.status_lists import StatusPurpose


class Bits(TypeDecorator[Bitstring]):
    """A bit string kept as its bytes."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Bitstring | None, dialect: Dialect) -> bytes | None:
        return None if value is None else value.to_bytes()

    def process_result_value(self, value: Any, dialect: Dialect) -> Bitstring | None:
        return None if value is None else Bitstring(value)


metadata = new_metadata()
add_platform_tables(metadata)

subject_areas = Table(
    "subject_areas",
    metadata,
    Column("code", String(60), primary_key=True),
    Column("name", JsonDocument(Localized), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

offerings = Table(
    "offerings",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", enum_column(OfferingKind), nullable=False, index=True),
    Column("title", JsonDocument(Localized), nullable=False),
    Column("description", JsonDocument(Localized), nullable=False),
    Column("subject_area", String(60), ForeignKey("subject_areas.code"), nullable=False),
    Column("hours", Numeric(6, 1), nullable=False),
    Column("min_attendance_rate", Numeric(4, 3), nullable=False),
    Column("pass_mark", Numeric(5, 2), nullable=True),
    Column("certificate", Boolean, nullable=False),
    Column("status", enum_column(OfferingStatus, 20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("offering_id", Uuid, ForeignKey("offerings.id"), nullable=False, index=True),
    Column("kind", enum_column(OfferingKind), nullable=False),
    Column("title", JsonDocument(Localized), nullable=False),
    Column("subject_area", String(60), nullable=False),
    Column("hours", Numeric(6, 1), nullable=False),
    Column("min_attendance_rate", Numeric(4, 3), nullable=False),
    Column("pass_mark", Numeric(5, 2), nullable=True),
    Column("certificate", Boolean, nullable=False),
    Column("sessions", JsonDocument(list[Session]), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("modality", enum_column(Modality, 20), nullable=False),
    Column("venue", JsonDocument(Venue), nullable=True),
    Column("language", String(10), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("enrolment_opens_at", DateTime(timezone=True), nullable=False),
    Column("enrolment_closes_at", DateTime(timezone=True), nullable=False),
    Column("eligible_countries", JSONB, nullable=False),
    Column("quota_per_country", Integer, nullable=True),
    Column("instructors", JSONB, nullable=False),
    Column("status", enum_column(RunStatus, 20), nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("arrivals", Integer, nullable=False),
    Column("scheduled_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("cancelled_at", DateTime(timezone=True), nullable=True),
    Column("cancelled_by", String(255), nullable=True),
    Column("cancellation_reason", Text, nullable=True),
    Column("revision", Integer, nullable=False, server_default=text("0")),
    Column("rescheduled_at", DateTime(timezone=True), nullable=True),
    Index("ix_runs_open_ends_at", "ends_at", postgresql_where=text("status = 'scheduled'")),
)

enrolments = Table(
    "enrolments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("run_id", Uuid, ForeignKey("runs.id"), nullable=False),
    Column("offering_id", Uuid, nullable=False),
    Column("kind", enum_column(OfferingKind), nullable=False),
    # person_id, country and email repeat the participant's, for queries (see `mapping`).
    Column("person_id", String(255), nullable=False, index=True),
    Column("country", String(2), nullable=False, index=True),
    Column("email", String(320), nullable=False),
    Column("participant", JsonDocument(Participant), nullable=False),
    Column("status", enum_column(EnrolmentStatus, 20), nullable=False),
    Column("arrival", Integer, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("enrolled_at", DateTime(timezone=True), nullable=True),
    Column("from_waitlist", Boolean, nullable=False),
    Column("cancelled_at", DateTime(timezone=True), nullable=True),
    Column("grade", Numeric(5, 2), nullable=True),
    Column("outcome", enum_column(Outcome, 20), nullable=True),
    Column("attendance_rate", Float, nullable=True),
    Column("hours", Numeric(6, 1), nullable=True),
    Column("evaluated_at", DateTime(timezone=True), nullable=True),
    Index("ix_enrolments_run_status_arrival", "run_id", "status", "arrival"),
    Index("uq_enrolments_run_arrival", "run_id", "arrival", unique=True),
    # One enrolment per person and run, except cancelled ones: the backstop behind the run's lock.
    Index(
        "uq_enrolments_run_person_current",
        "run_id",
        "person_id",
        unique=True,
        postgresql_where=text("status <> 'cancelled'"),
    ),
)

attendance = Table(
    "attendance",
    metadata,
    Column("enrolment_id", Uuid, ForeignKey("enrolments.id"), primary_key=True),
    Column("session_id", Uuid, primary_key=True),
    Column("run_id", Uuid, nullable=False, index=True),
    Column("present", Boolean, nullable=False),
    Column("minutes", Integer, nullable=True),
    Column("source", String(40), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", String(255), nullable=False),
)

status_lists = Table(
    "status_lists",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("purpose", enum_column(StatusPurpose, 20), nullable=False),
    Column("revoked", Bits, nullable=False),
    Column("allocated", Bits, nullable=False),
    Column("allocated_count", Integer, nullable=False),
    Column("open", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # One list per purpose takes new entries at a time.
    Index("uq_status_lists_open_purpose", "purpose", unique=True, postgresql_where=text("open")),
)

certificates = Table(
    "certificates",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("enrolment_id", Uuid, ForeignKey("enrolments.id"), nullable=False, unique=True),
    Column("run_id", Uuid, nullable=False, index=True),
    Column("offering_id", Uuid, nullable=False),
    Column("kind", enum_column(OfferingKind), nullable=False),
    Column("person_id", String(255), nullable=False, index=True),
    Column("country", String(2), nullable=False, index=True),
    Column("holder_name", String(300), nullable=False),
    Column("code", String(32), nullable=False, unique=True),
    Column("wording", JsonDocument(Wording), nullable=False),
    Column("hours", Numeric(6, 1), nullable=False),
    Column("completed_on", Date, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("language", String(10), nullable=False),
    Column("status", enum_column(CertificateStatus, 20), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("revoked_by", String(255), nullable=True),
    Column("revocation_reason", Text, nullable=True),
    # Its bit in a status list; NULL for certificates issued before status lists.
    Column("status_list_id", Uuid, ForeignKey("status_lists.id"), nullable=True),
    Column("status_list_index", Integer, nullable=True),
    # No two certificates share a bit: the backstop behind the status list's row lock.
    Index("uq_certificates_status_list_index", "status_list_id", "status_list_index", unique=True),
)
