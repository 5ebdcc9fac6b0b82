"""The service's tables (and the platform's outbox, inbox and idempotency tables).

Columns are typed with what they hold (enumerations, JSON documents read as their models), so
that the aggregates map onto them without converting by hand (`mapping`).
"""

from typing import Any

import sqlalchemy as sa
from ibermuseos_contracts.common import Modality
from ibermuseos_contracts.courses import OfferingKind, Outcome, Participant, Session, Venue
from ibermuseos_contracts.types import Localized
from ibermuseos_platform.db import JsonDocument, add_platform_tables, enum_column, new_metadata
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

    impl = sa.LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Bitstring | None, dialect: Dialect) -> bytes | None:
        return None if value is None else value.to_bytes()

    def process_result_value(self, value: Any, dialect: Dialect) -> Bitstring | None:
        return None if value is None else Bitstring(value)


metadata = new_metadata()
add_platform_tables(metadata)

subject_areas = sa.Table(
    "subject_areas",
    metadata,
    sa.Column("code", sa.String(60), primary_key=True),
    sa.Column("name", JsonDocument(Localized), nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
)

offerings = sa.Table(
    "offerings",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("kind", enum_column(OfferingKind), nullable=False, index=True),
    sa.Column("title", JsonDocument(Localized), nullable=False),
    sa.Column("description", JsonDocument(Localized), nullable=False),
    sa.Column("subject_area", sa.String(60), sa.ForeignKey("subject_areas.code"), nullable=False),
    sa.Column("hours", sa.Numeric(6, 1), nullable=False),
    sa.Column("min_attendance_rate", sa.Numeric(4, 3), nullable=False),
    sa.Column("pass_mark", sa.Numeric(5, 2), nullable=True),
    sa.Column("certificate", sa.Boolean, nullable=False),
    sa.Column("status", enum_column(OfferingStatus, 20), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("offering_id", sa.Uuid, sa.ForeignKey("offerings.id"), nullable=False, index=True),
    sa.Column("kind", enum_column(OfferingKind), nullable=False),
    sa.Column("title", JsonDocument(Localized), nullable=False),
    sa.Column("subject_area", sa.String(60), nullable=False),
    sa.Column("hours", sa.Numeric(6, 1), nullable=False),
    sa.Column("min_attendance_rate", sa.Numeric(4, 3), nullable=False),
    sa.Column("pass_mark", sa.Numeric(5, 2), nullable=True),
    sa.Column("certificate", sa.Boolean, nullable=False),
    sa.Column("sessions", JsonDocument(list[Session]), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("modality", enum_column(Modality, 20), nullable=False),
    sa.Column("venue", JsonDocument(Venue), nullable=True),
    sa.Column("language", sa.String(10), nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("enrolment_opens_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("enrolment_closes_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("eligible_countries", JSONB, nullable=False),
    sa.Column("quota_per_country", sa.Integer, nullable=True),
    sa.Column("instructors", JSONB, nullable=False),
    sa.Column("status", enum_column(RunStatus, 20), nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("arrivals", sa.Integer, nullable=False),
    sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("cancelled_by", sa.String(255), nullable=True),
    sa.Column("cancellation_reason", sa.Text, nullable=True),
    sa.Column("revision", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("rescheduled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_runs_open_ends_at", "ends_at", postgresql_where=sa.text("status = 'scheduled'")),
)

enrolments = sa.Table(
    "enrolments",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("run_id", sa.Uuid, sa.ForeignKey("runs.id"), nullable=False),
    sa.Column("offering_id", sa.Uuid, nullable=False),
    sa.Column("kind", enum_column(OfferingKind), nullable=False),
    # person_id, country and email repeat the participant's, for queries (see `mapping`).
    sa.Column("person_id", sa.String(255), nullable=False, index=True),
    sa.Column("country", sa.String(2), nullable=False, index=True),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("participant", JsonDocument(Participant), nullable=False),
    sa.Column("status", enum_column(EnrolmentStatus, 20), nullable=False),
    sa.Column("arrival", sa.Integer, nullable=False),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("from_waitlist", sa.Boolean, nullable=False),
    sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("grade", sa.Numeric(5, 2), nullable=True),
    sa.Column("outcome", enum_column(Outcome, 20), nullable=True),
    sa.Column("attendance_rate", sa.Float, nullable=True),
    sa.Column("hours", sa.Numeric(6, 1), nullable=True),
    sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_enrolments_run_status_arrival", "run_id", "status", "arrival"),
    sa.Index("uq_enrolments_run_arrival", "run_id", "arrival", unique=True),
    # One enrolment per person and run, except cancelled ones: the backstop behind the run's lock.
    sa.Index(
        "uq_enrolments_run_person_current",
        "run_id",
        "person_id",
        unique=True,
        postgresql_where=sa.text("status <> 'cancelled'"),
    ),
)

attendance = sa.Table(
    "attendance",
    metadata,
    sa.Column("enrolment_id", sa.Uuid, sa.ForeignKey("enrolments.id"), primary_key=True),
    sa.Column("session_id", sa.Uuid, primary_key=True),
    sa.Column("run_id", sa.Uuid, nullable=False, index=True),
    sa.Column("present", sa.Boolean, nullable=False),
    sa.Column("minutes", sa.Integer, nullable=True),
    sa.Column("source", sa.String(40), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recorded_by", sa.String(255), nullable=False),
)

status_lists = sa.Table(
    "status_lists",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("purpose", enum_column(StatusPurpose, 20), nullable=False),
    sa.Column("revoked", Bits, nullable=False),
    sa.Column("allocated", Bits, nullable=False),
    sa.Column("allocated_count", sa.Integer, nullable=False),
    sa.Column("open", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # One list per purpose takes new entries at a time.
    sa.Index("uq_status_lists_open_purpose", "purpose", unique=True, postgresql_where=sa.text("open")),
)

certificates = sa.Table(
    "certificates",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("enrolment_id", sa.Uuid, sa.ForeignKey("enrolments.id"), nullable=False, unique=True),
    sa.Column("run_id", sa.Uuid, nullable=False, index=True),
    sa.Column("offering_id", sa.Uuid, nullable=False),
    sa.Column("kind", enum_column(OfferingKind), nullable=False),
    sa.Column("person_id", sa.String(255), nullable=False, index=True),
    sa.Column("country", sa.String(2), nullable=False, index=True),
    sa.Column("holder_name", sa.String(300), nullable=False),
    sa.Column("code", sa.String(32), nullable=False, unique=True),
    sa.Column("wording", JsonDocument(Wording), nullable=False),
    sa.Column("hours", sa.Numeric(6, 1), nullable=False),
    sa.Column("completed_on", sa.Date, nullable=False),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("language", sa.String(10), nullable=False),
    sa.Column("status", enum_column(CertificateStatus, 20), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_by", sa.String(255), nullable=True),
    sa.Column("revocation_reason", sa.Text, nullable=True),
    # Its bit in a status list; NULL for certificates issued before status lists.
    sa.Column("status_list_id", sa.Uuid, sa.ForeignKey("status_lists.id"), nullable=True),
    sa.Column("status_list_index", sa.Integer, nullable=True),
    # No two certificates share a bit: the backstop behind the status list's row lock.
    sa.Index("uq_certificates_status_list_index", "status_list_id", "status_list_index", unique=True),
)
