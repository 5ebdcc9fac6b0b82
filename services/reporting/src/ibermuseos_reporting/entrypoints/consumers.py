"""Kafka subscribers: every public event reporting reads is projected into the serving read models."""

from typing import Any

from ibermuseos_contracts import Envelope, Event
from ibermuseos_platform.consumer import Handler
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters.schemas import schema_for_writing
from ..adapters.store import apply_live
from ..domain.projections import PROJECTIONS, project


async def on_event(session: AsyncSession, event: Any, envelope: Envelope) -> None:
    """Apply the event's facts to the serving projections, in the consumer's batch transaction."""
    facts = project(envelope.type, event)
    schema = await schema_for_writing(session)
    await apply_live(session, schema, facts, envelope.time)


HANDLERS: dict[type[Event], Handler] = dict.fromkeys(PROJECTIONS, on_event)
