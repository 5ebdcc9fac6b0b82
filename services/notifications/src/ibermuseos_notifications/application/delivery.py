"""Delivering due messages: to the inbox at once, by e-mail through the relays, with retries and quiet hours.

A message is taken up in a short transaction of its own (its row locked; another worker skips
it): rendered, addressed and, for an e-mail, its attempt put on record as `sending` with a lease
on the message. The mail then goes to a relay with no transaction open, and the relay's answer
is written in a second transaction. When the database is away at that moment the answer is kept
and the write retried until it goes through: a mail a relay accepted is never sent again for a
database's absence. A sender stopped between the relay's answer and its record leaves the
attempt open; once the lease runs out, whoever takes the message up closes the attempt as
`interrupted` and sends it again flagged `possible_duplicate`, which operators see (the stable
Message-ID lets the receiving side drop the copy).

A message that cannot be rendered or addressed fails alone, with its reason: the rest go out.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from ibermuseos_contracts.notifications import BounceKind
from ibermuseos_kernel.clock import Clock

from ..domain.languages import choose_language
from ..domain.messages import Channel, FailureReason, Message, Status
from ..domain.recipes import ABOUT_A_RUN
from ..domain.schedule import retry_delay
from ..domain.timezones import zone
from .ports import (
    Composer,
    DeliveryError,
    DeliveryPolicy,
    Mailer,
    MissingDetails,
    NoLongerRelevant,
    Outgoing,
    PermanentFailure,
    RecipientRefused,
    Tally,
    TemplateError,
    TemporaryFailure,
    Unaddressable,
    UnitOfWork,
)

log = logging.getLogger(__name__)

STOPPING_GRACE_SECONDS = 30.0
"""At a shutdown, how long the mail in hand may take to be sent and recorded before it is left to the lease."""


@dataclass(frozen=True)
class Courier:
    """What the delivery loop works with."""

    uows: Callable[[], UnitOfWork]
    composer: Composer
    mailer: Mailer
    clock: Clock
    policy: DeliveryPolicy
    tally: Tally
    unavailable: Callable[[BaseException], bool]
    """Whether an error says the database (or the way to it) is away: nothing is failed for that."""


@dataclass(frozen=True)
class Sending:
    """An e-mail whose attempt is on record, to be handed to a relay."""

    id: int
    attempt: int
    mail: Outgoing
    address: str


async def deliver_due(courier: Courier) -> int:
    """Deliver every message that is due; returns how many were looked at."""
    handled = 0
    while True:
        async with courier.uows() as uow:
            ids = await uow.messages.due_ids(courier.clock.now(), courier.policy.batch_size)
        moved = 0
        for id in ids:
            # A shutdown lets the message in hand finish (the relay's answer recorded) before stopping.
            one = asyncio.ensure_future(_deliver_one(courier, id))
            try:
                moved += await asyncio.shield(one)
            except asyncio.CancelledError:
                done, _ = await asyncio.wait({one}, timeout=STOPPING_GRACE_SECONDS)
                if not done:
                    one.cancel()
                raise
        handled += moved
        # A batch that moved nothing (held by another worker, or unreadable) is not read again at once.
        if len(ids) < courier.policy.batch_size or not moved:
            return handled


async def _deliver_one(courier: Courier, id: int) -> int:
    """1 when the message moved on (delivered, sent, postponed, failed...), 0 when it could not be."""
    try:
        sending = await _take_up(courier, id)
    except Exception as error:
        if courier.unavailable(error):
            raise
        return 1 if await _fail_alone(courier, id, error) else 0
    if sending is None:
        return 0
    if isinstance(sending, Sending):
        await _send(courier, sending)
    return 1


async def _take_up(courier: Courier, id: int) -> Sending | bool | None:
    """In one transaction: the message claimed and taken a step further. None when another worker has it;
    the mail to send when it is an e-mail ready to go; True when it is done for now."""
    now = courier.clock.now()
    async with courier.uows() as uow:
        message = await uow.messages.claim(id, now)
        if message is None:
            return None
        if message.sending_attempt is not None:
            message.interrupted(now)
            courier.tally.possible_duplicate()
            log.warning(
                "an e-mail attempt was interrupted; sending again flagged as a possible duplicate",
                extra={"notification_id": str(message.notification_id)},
            )
        ready = await prepare(uow, message, courier)
        sending = None
        if ready is not None:
            message.start_sending(now, until=now + timedelta(seconds=courier.policy.sending_lease_seconds))
            assert message.sending_attempt is not None
            sending = Sending(id, message.sending_attempt, *ready)
        await uow.messages.save(message)
        await uow.commit()
    _count(courier, message)
    return sending or True


async def _fail_alone(courier: Courier, id: int, error: Exception) -> bool:
    """A message that cannot be rendered or addressed fails for good, in a transaction of its own; False
    when even that is not possible."""
    reason = (
        FailureReason.ADDRESS_INVALID if isinstance(error, Unaddressable) else FailureReason.TEMPLATE_ERROR
    )
    what = "cannot be addressed" if isinstance(error, Unaddressable) else "could not be rendered"
    detail = f"the message {what}: {type(error).__name__}: {error}"[:1000]
    try:
        log.error("a message failed alone", extra={"message_row": id, "reason": reason.value}, exc_info=error)
        now = courier.clock.now()
        async with courier.uows() as uow:
            message = await uow.messages.claim(id, now)
            if message is None:
                return False
            message.interrupted(now)
            message.fail(now, reason, detail)
            await uow.messages.save(message)
            await uow.commit()
    except Exception as again:
        if courier.unavailable(again):
            raise
        # Not even readable: it is left pending (and logged) while the others go out.
        log.exception("a message could not be marked failed", extra={"message_row": id})
        return False
    _count(courier, message)
    return True


def _count(courier: Courier, message: Message) -> None:
    if message.status is Status.FAILED and message.failure_reason is not None:
        courier.tally.failed(message.failure_reason.value)


async def _details(uow: UnitOfWork, message: Message, now: datetime) -> dict[str, Any]:
    """What the message speaks of, looked up now; MissingDetails when it is not known yet,
    NoLongerRelevant when it is moot."""
    context = message.context
    details: dict[str, Any] = {"application": None, "call": None, "run": None}
    if "application_id" in context:
        application = await uow.directory.application(UUID(context["application_id"]))
        details["application"] = application
    if "call_id" in context:
        call = await uow.directory.call(UUID(context["call_id"]))
        details["call"] = call
    if "run_id" in context:
        run = await uow.directory.run(UUID(context["run_id"]))
        if run is None and message.template in ABOUT_A_RUN:
            raise MissingDetails("the run's schedule")
        if (
            message.template == "run_reminder"
            and run
            and run["first_starts_at"]
            and run["first_starts_at"] <= now
        ):
            # Held by quiet hours (or a retry) past the start: a reminder after the fact would mislead.
            raise NoLongerRelevant("the run has started")
        details["run"] = run
    if message.template == "evaluation_assigned":
        given = await uow.directory.round_assignments(UUID(context["round_id"]), message.recipient_id)
        if len(given) < context["expected"]:
            raise MissingDetails("the round's other assignments")
        details["assignments"] = given
    if message.template == "scoring_reminder":
        left = await uow.directory.assignments_to_score(UUID(context["call_id"]), message.recipient_id)
        if not left:
            raise NoLongerRelevant("nothing left to score")
        details["assignments"] = left
    return details


async def prepare(uow: UnitOfWork, message: Message, courier: Courier) -> tuple[Outgoing, str] | None:
    """Take one due message a step further: delivered to the inbox, postponed, cancelled or failed (None),
    or rendered and addressed: the mail to send, and the address it goes to."""
    policy = courier.policy
    now = courier.clock.now()
    recipient = await uow.recipients.get(message.recipient_id)
    if recipient is not None and not recipient.wants(message.category):
        message.cancel("the recipient opted out of these messages")
        return None
    waited_too_long = now - message.created_at > timedelta(seconds=policy.details_wait_seconds)
    if message.channel is Channel.EMAIL:
        if recipient is None or not recipient.email:
            if waited_too_long:
                message.fail(now, FailureReason.NO_CONTACT, "no e-mail address of this person arrived")
            else:
                message.postpone(now + timedelta(seconds=policy.details_poll_seconds))
            return None
        if recipient.email_invalid_since is not None:
            message.fail(now, FailureReason.ADDRESS_INVALID, "the address bounced; waiting for a new one")
            return None
        if not message.category.urgent:
            quiet = recipient.quiet_hours or policy.quiet_hours
            allowed = quiet.next_allowed(now, zone(recipient.timezone))
            if allowed > now:
                message.postpone(allowed)
                return None
    try:
        details = await _details(uow, message, now)
        # The run may have become known only after the message was recorded: its language counts too.
        run = details.get("run")
        context_language = message.context_language or (str(run["language"]) if run else None)
        choice = choose_language(recipient.preferred_language if recipient else None, context_language)
        composed = courier.composer.compose(
            message,
            {**message.context, **details},
            choice,
            name=recipient.name if recipient else None,
            timezone=recipient.timezone if recipient else None,
            address=recipient.email if recipient else None,
        )
    except MissingDetails as missing:
        if waited_too_long:
            message.fail(now, FailureReason.MISSING_DETAILS, f"{missing} never arrived")
        else:
            message.postpone(now + timedelta(seconds=policy.details_poll_seconds))
        return None
    except NoLongerRelevant as moot:
        message.cancel(str(moot))
        return None
    except TemplateError as error:
        log.error("template failed", extra={"template": message.template, "error": str(error)})
        message.fail(now, FailureReason.TEMPLATE_ERROR, str(error))
        return None
    message.render(composed.language, composed.subject, composed.text)
    if message.channel is Channel.INBOX:
        message.deliver(now)
        return None
    assert recipient is not None
    assert recipient.email is not None
    return courier.mailer.address(
        message, composed, to=recipient.email, to_name=recipient.name
    ), recipient.email


async def _send(courier: Courier, sending: Sending) -> None:
    """Hand the mail to a relay, then record its answer, however long the database takes to be back."""
    try:
        relay: str | DeliveryError = await courier.mailer.send(sending.mail)
    except DeliveryError as refused:
        relay = refused
    except Exception as error:
        # Not an answer of the relay: tried again later like a relay that is down, until the attempts run out.
        log.exception("sending failed unexpectedly", extra={"message_row": sending.id})
        relay = TemporaryFailure("unknown", None, f"{type(error).__name__}: {error}")
    answered_at = courier.clock.now()
    attempt = 0
    while True:
        try:
            await _record(courier, sending, relay, answered_at)
            return
        except Exception as error:
            if not courier.unavailable(error):
                raise
            attempt += 1
            delay = retry_delay(attempt, base_seconds=0.5, cap_seconds=10.0)
            log.warning(
                "the database is away; the relay's answer is kept and written when it is back",
                extra={"message_row": sending.id, "retry_in_seconds": delay.total_seconds()},
            )
            await asyncio.sleep(delay.total_seconds())


async def _record(
    courier: Courier, sending: Sending, answer: str | DeliveryError, answered_at: datetime
) -> None:
    """The relay's answer to attempt `sending.attempt`, as the message's next state."""
    policy = courier.policy
    async with courier.uows() as uow:
        message = await uow.messages.sending(sending.id, sending.attempt)
        if message is None:
            log.warning(
                "an attempt's answer came after the attempt was closed", extra={"message_row": sending.id}
            )
            return
        if message.status is not Status.PENDING:
            # Cancelled meanwhile (an erasure): the attempt's outcome is recorded all the same.
            if isinstance(answer, str):
                message.close_attempt(answered_at, relay=answer, outcome="sent")
            else:
                message.close_attempt(
                    answered_at, relay=answer.relay, outcome="refused", code=answer.code, detail=answer.detail
                )
        elif isinstance(answer, str):
            message.deliver(answered_at, relay=answer, address=sending.address)
        elif isinstance(answer, TemporaryFailure):
            retry_at = None
            if message.retries < policy.max_attempts:
                retry_at = answered_at + retry_delay(
                    message.retries,
                    base_seconds=policy.retry_base_seconds,
                    cap_seconds=policy.retry_cap_seconds,
                )
            message.attempt_failed(
                answered_at, relay=answer.relay, code=answer.code, detail=answer.detail, retry_at=retry_at
            )
        elif isinstance(answer, RecipientRefused):
            message.bounce(
                answered_at,
                address=sending.address,
                kind=BounceKind.HARD,
                detail=answer.detail,
                relay=answer.relay,
            )
            await uow.recipients.mark_invalid(message.recipient_id, sending.address, answered_at)
        else:
            assert isinstance(answer, PermanentFailure)
            message.refused(answered_at, relay=answer.relay, code=answer.code, detail=answer.detail)
        await uow.messages.save(message)
        await uow.commit()
    _count(courier, message)
