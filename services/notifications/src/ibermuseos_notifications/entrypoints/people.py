"""A person's in-app inbox and preferences: their own messages only, polled cheaply, and what they receive."""

import hashlib
from datetime import time
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from ibermuseos_kernel.paging import Page
from ibermuseos_platform.auth import CurrentCaller
from ibermuseos_platform.inputs import Line, Strict
from ibermuseos_platform.paging import Paged, page_of, paged
from ibermuseos_platform.ratelimit import RateLimiter
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from ..application import people, queries
from ..domain.messages import Category
from ..domain.timezones import QuietHours
from .dependencies import ContainerDep

router = APIRouter(tags=["inbox"])

_polling = RateLimiter(rate=10, burst=60)
Polite = Depends(_polling.admit)


@router.get(
    "/inbox",
    response_model=Paged[queries.InboxMessage],
    summary="The caller's in-app messages, newest first; follow `next` for older ones",
    dependencies=[Polite],
)
async def my_inbox(
    request: Request,
    caller: CurrentCaller,
    c: ContainerDep,
    page: Annotated[Page, Depends(page_of)],
    unread: Annotated[bool, Query(description="only unread messages")] = False,
) -> Paged[queries.InboxMessage]:
    return paged(request, await queries.inbox(c.uow(), caller, page, unread_only=unread))


class UnreadCount(BaseModel):
    unread: int


@router.get(
    "/inbox/unread-count",
    response_model=UnreadCount,
    summary="How many messages are unread; send If-None-Match with the last ETag to get 304 when nothing changed",
    responses={304: {"description": "nothing changed since that ETag"}},
    dependencies=[Polite],
)
async def unread_count(
    caller: CurrentCaller,
    c: ContainerDep,
    if_none_match: Annotated[Line | None, Header(max_length=1000)] = None,
) -> Response:
    found = await queries.unread(c.uow(), caller)
    etag = (
        '"'
        + hashlib.sha256(f"{caller.subject}:{found.count}:{found.version}".encode()).hexdigest()[:24]
        + '"'
    )
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if if_none_match is not None and etag in [tag.strip() for tag in if_none_match.split(",")]:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(
        UnreadCount(unread=found.count).model_dump_json(), media_type="application/json", headers=headers
    )


@router.post(
    "/inbox/{notification_id:uuid}/read",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Mark one of the caller's messages read (again: no change)",
)
async def mark_read(notification_id: UUID, caller: CurrentCaller, c: ContainerDep) -> Response:
    await people.mark_read(people.MarkRead(caller.subject, notification_id), c.uow(), c.clock)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class Marked(BaseModel):
    marked: int


@router.post("/inbox/read-all", response_model=Marked, summary="Mark all the caller's messages read")
async def mark_all_read(caller: CurrentCaller, c: ContainerDep) -> Marked:
    return Marked(marked=await people.mark_all_read(people.MarkAllRead(caller.subject), c.uow(), c.clock))


# ---------------------------------------------------------------------- preferences


def _local(moment: time) -> time:
    if moment.tzinfo is not None:
        raise ValueError("a time of day in the person's own zone, without an offset")
    return moment


LocalTime = Annotated[time, AfterValidator(_local)]


class QuietHoursIn(Strict):
    start: LocalTime
    end: LocalTime


class PreferencesIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"opted_out": ["run_reminder"], "quiet_hours": {"start": "21:00", "end": "08:00"}}]
        }
    )

    opted_out: Annotated[list[Category], Field(default_factory=list, max_length=len(Category))]
    quiet_hours: QuietHoursIn | None = None

    @field_validator("opted_out")
    @classmethod
    def _only_reminders(cls, value: list[Category]) -> list[Category]:
        refused = sorted(category.value for category in value if not category.optional)
        if refused:
            raise ValueError(f"decisions and confirmations cannot be opted out of: {', '.join(refused)}")
        return sorted(set(value))


@router.get("/preferences", response_model=queries.Preferences, summary="What the caller receives, and how")
async def my_preferences(caller: CurrentCaller, c: ContainerDep) -> queries.Preferences:
    return await queries.preferences(c.uow(), caller)


@router.put(
    "/preferences",
    response_model=queries.Preferences,
    summary="Opt out of reminder categories (never of decisions) and set one's own quiet hours",
)
async def set_my_preferences(
    body: PreferencesIn, caller: CurrentCaller, c: ContainerDep
) -> queries.Preferences:
    quiet = QuietHours(body.quiet_hours.start, body.quiet_hours.end) if body.quiet_hours else None
    command = people.SetPreferences(caller.subject, body.opted_out, quiet)
    return await people.set_preferences(command, c.uow(), c.clock)
