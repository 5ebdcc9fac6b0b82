"""E-mail: MIME messages and the SMTP relays that carry them, with a fallback relay when the first keeps failing."""

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib
from prometheus_client import Counter

from ..application.ports import PermanentFailure, RecipientRefused, TemporaryFailure, Unaddressable
from ..domain.messages import Message
from ..settings import SmtpSettings
from .composer import ComposedMail

log = logging.getLogger(__name__)

SMTP_RESULTS = Counter(
    "notifications_smtp_results_total",
    "Mails handed to SMTP relays, by relay and outcome (sent, temporary, permanent, recipient_refused)",
    ["relay", "outcome"],
)
FAILED = Counter(
    "notifications_messages_failed_total",
    "Messages that failed for good, by reason (as NotificationFailed says it; see /deliveries)",
    ["reason"],
)
POSSIBLE_DUPLICATES = Counter(
    "notifications_possible_duplicates_total",
    "E-mails sent again after an attempt was interrupted between the relay and its record (flagged in /deliveries)",
)


class PrometheusTally:
    """What operators count, as Prometheus metrics."""

    def failed(self, reason: str) -> None:
        FAILED.labels(reason=reason).inc()

    def possible_duplicate(self) -> None:
        POSSIBLE_DUPLICATES.inc()


def build_email(
    composed: ComposedMail,
    *,
    sender: str,
    sender_name: str,
    to: str,
    to_name: str | None,
    message_id: str,
    date: datetime,
    headers: dict[str, str],
) -> EmailMessage:
    """A multipart mail: plain text and HTML alternatives, attachments, and the headers that identify it."""
    mail = EmailMessage()
    mail["Subject"] = composed.subject
    mail["From"] = Address(display_name=sender_name, addr_spec=sender)
    try:
        mail["To"] = Address(display_name=to_name or "", addr_spec=to)
    except (ValueError, TypeError, IndexError, HeaderParseError) as refused:
        # A line break in a name (a header injection, by intent or not), an address that is no address.
        raise Unaddressable(str(refused)) from None
    mail["Date"] = format_datetime(date)
    mail["Message-ID"] = message_id
    mail["Auto-Submitted"] = "auto-generated"
    for name, value in headers.items():
        mail[name] = value
    mail.set_content(composed.text)
    mail.add_alternative(composed.html, subtype="html")
    for attachment in composed.attachments:
        maintype, subtype = attachment.content_type.split("/", 1)
        mail.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
            params=attachment.params,
        )
    # set_content drops Content-* headers: the language is set once the parts are in place.
    mail["Content-Language"] = composed.language
    return mail


def message_id_for(notification_id: object, domain: str) -> str:
    """A Message-ID derived from the notification, so a bounce report leads back to it."""
    return f"<{notification_id}@{domain}>"


class SmtpRelay:
    """One SMTP relay, reached with aiosmtplib: STARTTLS or implicit TLS and login when configured."""

    def __init__(self, name: str, settings: SmtpSettings) -> None:
        self.name = name
        self._settings = settings

    async def send(self, mail: EmailMessage) -> None:
        settings = self._settings
        try:
            errors, _ = await aiosmtplib.send(
                mail,
                hostname=settings.host,
                port=settings.port,
                username=settings.username,
                password=settings.password.get_secret_value() if settings.password else None,
                use_tls=settings.security == "tls",
                start_tls=settings.security == "starttls",
                timeout=settings.timeout_seconds,
                local_hostname=settings.helo_name,
            )
        except aiosmtplib.SMTPRecipientsRefused as refused:
            first = refused.recipients[0] if refused.recipients else None
            code = first.code if first else None
            detail = first.message if first else str(refused)
            if code is not None and code >= 500:
                raise RecipientRefused(self.name, code, detail) from None
            raise TemporaryFailure(self.name, code, detail) from None
        except aiosmtplib.SMTPResponseException as response:
            if response.code >= 500:
                raise PermanentFailure(self.name, response.code, response.message) from None
            raise TemporaryFailure(self.name, response.code, response.message) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise TemporaryFailure(self.name, None, f"{type(error).__name__}: {error}") from None
        if errors:
            _address, (code, detail) = next(iter(errors.items()))
            if code >= 500:
                raise RecipientRefused(self.name, code, detail)
            raise TemporaryFailure(self.name, code, detail)


class RelayChain:
    """The primary relay, and a fallback that takes over after `failover_after` consecutive failures.

    The primary is tried again after `cooldown_seconds` (one message probes it; a failure
    sends the next one to the fallback at once). The count is per process, which is enough:
    each replica notices a failing relay on its own.
    """

    def __init__(
        self,
        primary: SmtpRelay,
        fallback: SmtpRelay | None = None,
        *,
        failover_after: int = 3,
        cooldown_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.failover_after = failover_after
        self.cooldown_seconds = cooldown_seconds
        self._clock = clock
        self._failures = 0
        self._failed_over_at: float | None = None

    def current(self) -> SmtpRelay:
        if self.fallback is None or self._failures < self.failover_after:
            return self.primary
        if self._failed_over_at is not None and self._clock() - self._failed_over_at >= self.cooldown_seconds:
            self._failures = self.failover_after - 1
            self._failed_over_at = None
            return self.primary
        return self.fallback

    async def send(self, mail: EmailMessage) -> str:
        """Send through the relay in charge; returns its name. Raises a DeliveryError."""
        relay = self.current()
        try:
            await relay.send(mail)
        except RecipientRefused:
            SMTP_RESULTS.labels(relay.name, "recipient_refused").inc()
            raise
        except PermanentFailure:
            SMTP_RESULTS.labels(relay.name, "permanent").inc()
            raise
        except TemporaryFailure:
            SMTP_RESULTS.labels(relay.name, "temporary").inc()
            if relay is self.primary:
                self._failures += 1
                if self._failures >= self.failover_after and self.fallback is not None:
                    self._failed_over_at = self._clock()
                    log.warning("SMTP relay %s keeps failing; %s takes over", relay.name, self.fallback.name)
            raise
        SMTP_RESULTS.labels(relay.name, "sent").inc()
        if relay is self.primary:
            self._failures = 0
        return relay.name


class SmtpMailer:
    """Mails a composed message through the relay chain, with headers that lead a bounce back to it."""

    def __init__(
        self, relays: RelayChain, *, sender: str, sender_name: str, domain: str, preferences_url: str
    ) -> None:
        self._relays = relays
        self._sender = sender
        self._sender_name = sender_name
        self._domain = domain
        self._preferences_url = preferences_url

    def address(self, message: Message, composed: object, *, to: str, to_name: str | None) -> EmailMessage:
        """The mail, built and addressed to `to`; Unaddressable when the recipient cannot be written in it."""
        assert isinstance(composed, ComposedMail)
        headers = {
            "X-Ibermuseos-Notification-Id": str(message.notification_id),
            "X-Ibermuseos-Template": message.template,
        }
        if message.category.optional:
            headers["List-Unsubscribe"] = f"<{self._preferences_url}>"
        return build_email(
            composed,
            sender=self._sender,
            sender_name=self._sender_name,
            to=to,
            to_name=to_name,
            message_id=message_id_for(message.notification_id, self._domain),
            date=datetime.now(UTC),
            headers=headers,
        )

    async def send(self, mail: object) -> str:
        """Hand the mail to the relay in charge; returns its name. Raises a DeliveryError."""
        assert isinstance(mail, EmailMessage)
        return await self._relays.send(mail)
