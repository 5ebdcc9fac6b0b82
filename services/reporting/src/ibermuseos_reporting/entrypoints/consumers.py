"""Kafka subscribers: every public event reporting reads is projected into the serving read models."""

from collections.abc import Sequence
from typing import Any

from ibermuseos_contracts import Envelope, Event
from ibermuseos_platform.consumer import Batched
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters.schemas import schema_for_writing
from ..adapters.store import apply_live
from ..domain.projections import PROJECTIONS, project


async def on_events(session: AsyncSession, events: Sequence[tuple[Any, Envelope]]) -> None:
    """Apply a run of events' facts to the serving projections, in the consumer's batch transaction: the facts
    merge alike in any order and however often (`domain.facts`), so a run is written as one set of rows."""
    schema = await schema_for_writing(session)
    facts = [fact for event, envelope in events for fact in project(envelope.type, event)]
    await apply_live(session, schema, facts, max(envelope.time for _, envelope in events), events=len(events))


HANDLERS: dict[type[Event], Batched] = dict.fromkeys(PROJECTIONS, Batched(on_events))
