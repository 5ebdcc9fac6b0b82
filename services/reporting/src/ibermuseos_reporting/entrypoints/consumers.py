"""Kafka subscribers: public events projected into the read models."""

from typing import Any

from ibermuseos_contracts import Envelope, Event
from ibermuseos_contracts.applications import ApplicationSubmittedV1
from ibermuseos_platform.consumer import Handler
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters.projections import project_application_submitted


async def on_application_submitted(session: AsyncSession, event: Any, envelope: Envelope) -> None:
    await project_application_submitted(session, event)


HANDLERS: dict[type[Event], Handler] = {ApplicationSubmittedV1: on_application_submitted}
