"""Kafka subscribers: events from the private topics, translated into messages to record."""

from typing import Any

from ibermuseos_contracts import Envelope, Event
from ibermuseos_contracts.applications import ApplicationSubmittedV1
from ibermuseos_platform.consumer import Handler
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters.messages import add_messages
from ..domain import messages


async def on_application_submitted(session: AsyncSession, event: Any, envelope: Envelope) -> None:
    await add_messages(session, messages.application_received(event, envelope.id))


HANDLERS: dict[type[Event], Handler] = {ApplicationSubmittedV1: on_application_submitted}
