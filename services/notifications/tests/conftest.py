"""Fixtures of the notifications tests: a real SMTP server on loopback that keeps what it receives."""

import email
import email.policy
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from ibermuseos_platform.testing.services import free_port
from ibermuseos_platform.testing.waiting import eventually


@dataclass(frozen=True)
class Mail:
    to: str
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        assert part is not None
        return str(part.get_content())

    def attachments(self) -> list[EmailMessage]:
        return list(self.message.iter_attachments())  # type: ignore[arg-type]


class Mailbox:
    """An SMTP server's behaviour by recipient, and the mails it accepted.

    Local parts steer it: `flaky2…` is refused (451) at the first two attempts, `refuse…`
    always (451), `reject…` is refused for good (554) and `once…` only the first time, `bounce…` is an unknown user (550 at RCPT).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._mails: list[Mail] = []
        self._on_accepting: dict[str, Callable[[], None]] = {}
        self.attempts: Counter[str] = Counter()

    def on_accepting(self, address: str, action: Callable[[], None]) -> None:
        """Run `action` once, when the first mail to `address` is kept and before the server answers 250."""
        with self._lock:
            self._on_accepting[address] = action

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.startswith("bounce"):
            return f"550 5.1.1 <{address}>: user unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        to = envelope.rcpt_tos[0]
        with self._lock:
            self.attempts[to] += 1
            attempt = self.attempts[to]
        if to.startswith("flaky2") and attempt <= 2:
            return "451 4.3.0 try again later"
        if to.startswith("refuse"):
            return "451 4.3.0 try again later"
        if to.startswith("reject") or (to.startswith("once") and attempt == 1):
            return "554 5.6.0 message refused"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self._mails.append(Mail(to, message))
            action = self._on_accepting.pop(to, None)
        if action is not None:
            action()
        return "250 Message accepted for delivery"

    def mails_to(self, address: str) -> list[Mail]:
        with self._lock:
            return [mail for mail in self._mails if mail.to == address]

    async def arrived(self, address: str, subject: str) -> list[Mail]:
        """The mails to `address` whose subject starts with `subject`, once there is one."""

        def matching() -> list[Mail]:
            return [mail for mail in self.mails_to(address) if mail.subject.startswith(subject)]

        async def there() -> bool:
            return bool(matching())

        await eventually(there, what=f"the mail '{subject}' to {address}")
        return matching()

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._mails)


@dataclass
class SmtpServer:
    mailbox: Mailbox
    port: int


def _serve(name: str) -> Iterator[SmtpServer]:
    mailbox = Mailbox(name)
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(mailbox, port)
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpServer]:
    """The relay the service sends through."""
    yield from _serve("primary")


@pytest.fixture(scope="session")
def smtp_fallback() -> Iterator[SmtpServer]:
    """A second relay, for when the first keeps failing."""
    yield from _serve("fallback")
