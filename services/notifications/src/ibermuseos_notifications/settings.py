"""The service's settings, read once from NOTIFICATIONS_* environment variables (nested with __)."""

from datetime import time
from typing import Literal

from ibermuseos_platform.settings import ServiceSettings, service_config
from pydantic import BaseModel, Field, SecretStr


class SmtpSettings(BaseModel):
    """One SMTP relay."""

    host: str = "127.0.0.1"
    port: int = Field(default=1025, ge=1, le=65535)
    security: Literal["none", "starttls", "tls"] = "none"
    username: str | None = None
    password: SecretStr | None = None
    timeout_seconds: float = Field(default=30.0, gt=0)
    helo_name: str | None = None


class MailSettings(BaseModel):
    sender: str = "formacion@ibermuseos.example"
    sender_name: str = "Ibermuseos · Formación"
    message_id_domain: str = "notifications.ibermuseos.example"
    """The right-hand side of Message-IDs and calendar UIDs."""


class DeliverySettings(BaseModel):
    poll_seconds: float = Field(default=2.0, gt=0)
    """How often due messages are looked for (reminders, retries, the end of quiet hours)."""
    batch_size: int = Field(default=50, ge=1, le=1000)
    max_attempts: int = Field(default=8, ge=1)
    """Attempts before a message fails for good (an operator may resend it)."""
    retry_base_seconds: float = Field(default=30.0, gt=0)
    retry_cap_seconds: float = Field(default=3600.0, gt=0)
    failover_after: int = Field(default=3, ge=1)
    """Consecutive failures of the primary relay before the fallback takes over."""
    failover_cooldown_seconds: float = Field(default=300.0, gt=0)
    details_wait_seconds: float = Field(default=3600.0, ge=0)
    """How long a message waits for what it speaks of (a run's schedule, the person's address)."""
    details_poll_seconds: float = Field(default=10.0, gt=0)
    sending_lease_seconds: float = Field(default=300.0, gt=0)
    """How long a mail handed to a relay is its sender's: after that, an attempt with no recorded outcome is
    taken as interrupted and the mail sent again, flagged as a possible duplicate."""


class QuietHoursSettings(BaseModel):
    """In the recipient's local time; urgent messages (decisions, confirmations) ignore them."""

    start: time = time(21, 0)
    end: time = time(8, 0)


class ReminderSettings(BaseModel):
    report_days_before: list[int] = Field(default=[14, 2])
    report_local_time: time = time(9, 0)
    run_hours_before: float = Field(default=24.0, gt=0)
    run_late_hours_before: float = Field(
        default=1.0,
        gt=0,
        description="Whoever enrols after the usual reminder's moment is reminded this long before the run "
        "instead, if they enrolled at least twice as long before it (see the README).",
    )
    scoring_hours_before: float = Field(default=24.0, gt=0)


class LinkSettings(BaseModel):
    portal: str = "https://formacion.ibermuseos.example"
    """The front end people act in; messages link to its pages (acceptance, report, enrolment)."""
    certificate_verification: str = "https://formacion.ibermuseos.example/certificates/verify/{code}"


class RetentionSettings(BaseModel):
    """How long personal data is kept (days); see the README's retention table."""

    poll_seconds: float = Field(default=3600.0, gt=0)
    """How often the erasure job runs."""
    batch_size: int = Field(default=500, ge=1, le=10000)
    """Rows erased per transaction: short transactions, no long locks."""
    sent_email_days: int = Field(default=30, ge=1)
    read_inbox_days: int = Field(default=90, ge=1)
    unread_inbox_days: int = Field(default=365, ge=1)
    failed_days: int = Field(default=180, ge=1)
    """Failed and bounced e-mails: operators may resend them until then."""
    cancelled_days: int = Field(default=30, ge=1)
    contact_idle_days: int = Field(default=365, ge=1)
    run_days_after_end: int = Field(default=90, ge=1)
    application_days_after_call_closes: int = Field(default=730, ge=1)
    assignment_days_after_deadline: int = Field(default=90, ge=1)
    certificate_days: int = Field(default=365, ge=1)
    context_max_days: int = Field(default=1095, ge=1)
    """Records whose natural end is unknown (a run without sessions, a call never announced)."""


class Settings(ServiceSettings):
    model_config = service_config("notifications")

    smtp: SmtpSettings = SmtpSettings()
    smtp_fallback: SmtpSettings | None = None
    """A second relay that takes over when the first keeps failing."""
    mail: MailSettings = MailSettings()
    delivery: DeliverySettings = DeliverySettings()
    quiet_hours: QuietHoursSettings = QuietHoursSettings()
    reminders: ReminderSettings = ReminderSettings()
    links: LinkSettings = LinkSettings()
    retention: RetentionSettings = RetentionSettings()
