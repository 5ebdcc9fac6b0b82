"""Delivering due messages: to the inbox at once, by e-mail through the relays, with retries and quiet hours.

Each message is delivered in its own transaction, holding its row lock while the relay
answers; another worker skips it. A crash between the relay's acceptance and the commit
sends that one mail again on restart: SMTP gives no stronger promise, and the stable
Message-ID lets the receiving side drop the copy.
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from ibermuseos_contracts.notifications import BounceKind

from ..domain.languages import choose_language
from ..domain.messages import Channel, FailureReason, Message
from ..domain.recipes import ABOUT_A_RUN
from ..domain.recipients import Recipient
from ..domain.schedule import retry_delay
from ..domain.timezones import zone
from .ports import (
    Clock,
    Composed,
    Composer,
    DeliveryPolicy,
    Mailer,
    MissingDetails,
    NoLongerRelevant,
    PermanentFailure,
    RecipientRefused,
    TemplateError,
    TemporaryFailure,
    UnitOfWork,
)

log = logging.getLogger(__name__)


async def deliver_due(
    uow_factory: Callable[[], UnitOfWork],
    composer: Composer,
    mailer: Mailer,
    clock: Clock,
    policy: DeliveryPolicy,
) -> int:
    """Deliver every message that is due; returns how many were looked at."""
    handled = 0
    while True:
        async with uow_factory() as uow:
            ids = await uow.messages.due_ids(clock.now(), policy.batch_size)
        for id in ids:
            # A shutdown lets the message in hand finish (the relay's answer recorded) before
            # stopping: cancelled between the relay's acceptance and the commit, it would go twice.
            one = asyncio.ensure_future(_deliver_one(uow_factory, id, composer, mailer, clock, policy))
            try:
                handled += await asyncio.shield(one)
            except asyncio.CancelledError:
                await one
                raise
        if len(ids) < policy.batch_size:
            return handled


async def _deliver_one(
    uow_factory: Callable[[], UnitOfWork],
    id: int,
    composer: Composer,
    mailer: Mailer,
    clock: Clock,
    policy: DeliveryPolicy,
) -> int:
    async with uow_factory() as uow:
        message = await uow.messages.claim(id, clock.now())
        if message is None:
            return 0
        await deliver(uow, message, composer, mailer, clock, policy)
        await uow.messages.save(message)
        await uow.commit()
    return 1


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


async def deliver(
    uow: UnitOfWork,
    message: Message,
    composer: Composer,
    mailer: Mailer,
    clock: Clock,
    policy: DeliveryPolicy,
) -> None:
    """Take one due message a step further: delivered, postponed, retried later, or failed."""
    now = clock.now()
    recipient = await uow.recipients.get(message.recipient_id)
    if recipient is not None and not recipient.wants(message.category):
        message.cancel("the recipient opted out of these messages")
        return
    waited_too_long = now - message.created_at > timedelta(seconds=policy.details_wait_seconds)
    if message.channel is Channel.EMAIL:
        if recipient is None or not recipient.email:
            if waited_too_long:
                message.fail(now, FailureReason.NO_CONTACT, "no e-mail address of this person arrived")
            else:
                message.postpone(now + timedelta(seconds=policy.details_poll_seconds))
            return
        if recipient.email_invalid_since is not None:
            message.fail(now, FailureReason.ADDRESS_INVALID, "the address bounced; waiting for a new one")
            return
        if not message.category.urgent:
            quiet = recipient.quiet_hours or policy.quiet_hours
            allowed = quiet.next_allowed(now, zone(recipient.timezone))
            if allowed > now:
                message.postpone(allowed)
                return
    try:
        details = await _details(uow, message, now)
        # The run may have become known only after the message was recorded: its language counts too.
        run = details.get("run")
        context_language = message.context_language or (str(run["language"]) if run else None)
        choice = choose_language(recipient.preferred_language if recipient else None, context_language)
        composed = composer.compose(
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
        return
    except NoLongerRelevant as moot:
        message.cancel(str(moot))
        return
    except TemplateError as error:
        log.error("template failed", extra={"template": message.template, "error": str(error)})
        message.fail(now, FailureReason.TEMPLATE_ERROR, str(error))
        return
    message.render(composed.language, composed.subject, composed.text)
    if message.channel is Channel.INBOX:
        message.deliver(now)
        return
    assert recipient is not None
    assert recipient.email is not None
    await _send(uow, message, recipient, composed, mailer, clock, policy)


async def _send(
    uow: UnitOfWork,
    message: Message,
    recipient: Recipient,
    composed: Composed,
    mailer: Mailer,
    clock: Clock,
    policy: DeliveryPolicy,
) -> None:
    address = recipient.email
    assert address is not None
    try:
        relay = await mailer.send(message, composed, to=address, to_name=recipient.name)
    except TemporaryFailure as failure:
        now = clock.now()
        retry_at = None
        if message.retries + 1 < policy.max_attempts:
            retry_at = now + retry_delay(
                message.retries + 1,
                base_seconds=policy.retry_base_seconds,
                cap_seconds=policy.retry_cap_seconds,
            )
        message.attempt_failed(
            now, relay=failure.relay, code=failure.code, detail=failure.detail, retry_at=retry_at
        )
    except RecipientRefused as refused:
        now = clock.now()
        message.bounce(now, address=address, kind=BounceKind.HARD, detail=refused.detail, relay=refused.relay)
        await uow.recipients.mark_invalid(message.recipient_id, address, now)
    except PermanentFailure as failure:
        message.refused(clock.now(), relay=failure.relay, code=failure.code, detail=failure.detail)
    else:
        message.deliver(clock.now(), relay=relay, address=address)
