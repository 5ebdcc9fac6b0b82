"""Messages stored in PostgreSQL."""

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.messages import Message
from .tables import messages


async def add_messages(session: AsyncSession, new: list[Message]) -> None:
    """Record messages once: the same event never makes a second message for a person and channel."""
    if not new:
        return
    rows = [
        {
            "event_id": m.event_id,
            "recipient_id": m.recipient_id,
            "channel": m.channel.value,
            "template": m.template,
            "language": m.language,
            "address": m.address,
            "status": m.status.value,
        }
        for m in new
    ]
    await session.execute(insert(messages).values(rows).on_conflict_do_nothing())


async def inbox_of(session: AsyncSession, recipient_id: str) -> list[dict[str, object]]:
    result = await session.execute(
        select(messages.c.id, messages.c.template, messages.c.language, messages.c.created_at)
        .where(messages.c.recipient_id == recipient_id, messages.c.channel == "inbox")
        .order_by(messages.c.id.desc())
    )
    return [dict(row._mapping) for row in result]
