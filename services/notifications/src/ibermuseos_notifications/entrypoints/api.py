"""HTTP API: a person's in-app inbox and preferences; focal points; deliveries and bounces for operators."""

import hashlib
import re
from datetime import datetime, time
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from ibermuseos_contracts.notifications import BounceKind
from ibermuseos_contracts.types import CountryCode, LanguageTag
from ibermuseos_platform.auth import CurrentPrincipal, Principal, Role, require
from ibermuseos_platform.ratelimit import RateLimiter
from ibermuseos_platform.web import Problem
from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from ..application import operations
from ..bootstrap import Container
from ..domain.messages import OPTIONAL_CATEGORIES, Category
from ..domain.recipients import Contact
from ..domain.timezones import QuietHours, zone_of_country

router = APIRouter(tags=["inbox"])
operators = APIRouter(tags=["operators"])

_polling = RateLimiter(rate=10, burst=60)
Polite = Depends(_polling.admit)


def container(request: Request) -> Container:
    built: Container = request.app.state.container
    return built


ContainerDep = Annotated[Container, Depends(container)]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR, Role.COORDINATOR))]
Coordinator = Annotated[Principal, Depends(require(Role.COORDINATOR))]
Limit = Annotated[int, Query(ge=1, le=100, description="page size")]
CursorParam = Annotated[str | None, Query(max_length=200, description="from the previous page's Link header")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------- inbox


class InboxMessage(BaseModel):
    id: UUID
    template: str
    category: str
    language: str
    subject: str | None
    body: str | None
    about: str
    created_at: datetime
    delivered_at: datetime | None
    read_at: datetime | None


def _inbox_message(row: Any) -> InboxMessage:
    return InboxMessage(
        id=row.notification_id,
        template=row.template,
        category=row.category,
        language=row.language,
        subject=row.subject,
        body=row.body,
        about=row.about,
        created_at=row.created_at,
        delivered_at=row.sent_at,
        read_at=row.read_at,
    )


def _next_link(request: Request, response: Response, cursor: str | None) -> None:
    if cursor is not None:
        response.headers["Link"] = f'<{request.url.include_query_params(cursor=cursor)}>; rel="next"'
        response.headers["X-Next-Cursor"] = cursor


def _bad_cursor() -> Problem:
    return Problem(
        422,
        "The request is not valid",
        errors=[{"field": "query.cursor", "problem": "not a cursor of this list"}],
    )


@router.get(
    "/inbox",
    response_model=list[InboxMessage],
    summary="The caller's in-app messages, newest first; the next page's URL is in the Link header",
    dependencies=[Polite],
)
async def my_inbox(
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    c: ContainerDep,
    limit: Limit = 20,
    cursor: CursorParam = None,
    unread: Annotated[bool, Query(description="only unread messages")] = False,
) -> list[InboxMessage]:
    async with c.uow() as uow:
        try:
            rows, next_cursor = await uow.messages.inbox(
                principal.subject, limit=limit, cursor=cursor, unread_only=unread
            )
        except ValueError:
            raise _bad_cursor() from None
    _next_link(request, response, next_cursor)
    return [_inbox_message(row) for row in rows]


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
    principal: CurrentPrincipal,
    c: ContainerDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    async with c.uow() as uow:
        unread, version = await uow.messages.unread(principal.subject)
    etag = '"' + hashlib.sha256(f"{principal.subject}:{unread}:{version}".encode()).hexdigest()[:24] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if if_none_match is not None and etag in [tag.strip() for tag in if_none_match.split(",")]:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(
        UnreadCount(unread=unread).model_dump_json(), media_type="application/json", headers=headers
    )


@router.post(
    "/inbox/{notification_id}/read",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Mark one of the caller's messages read (again: no change)",
)
async def mark_read(notification_id: UUID, principal: CurrentPrincipal, c: ContainerDep) -> Response:
    try:
        await operations.mark_read(c.uow(), principal.subject, notification_id, c.clock)
    except operations.NotFound:
        raise Problem(404, "No such message") from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class Marked(BaseModel):
    marked: int


@router.post("/inbox/read-all", response_model=Marked, summary="Mark all the caller's messages read")
async def mark_all_read(principal: CurrentPrincipal, c: ContainerDep) -> Marked:
    return Marked(marked=await operations.mark_all_read(c.uow(), principal.subject, c.clock))


# ---------------------------------------------------------------------- preferences


class QuietHoursIn(Strict):
    start: time
    end: time


class PreferencesIn(Strict):
    opted_out: Annotated[list[Category], Field(max_length=len(Category))] = []
    quiet_hours: QuietHoursIn | None = None

    @field_validator("opted_out")
    @classmethod
    def _only_reminders(cls, value: list[Category]) -> list[Category]:
        refused = sorted(category.value for category in value if not category.optional)
        if refused:
            raise ValueError(f"decisions and confirmations cannot be opted out of: {', '.join(refused)}")
        return sorted(set(value))


class PreferencesOut(BaseModel):
    opted_out: list[str]
    optional_categories: list[str]
    quiet_hours: QuietHoursIn | None
    language: str | None
    timezone: str | None
    email_known: bool
    email_invalid: bool


@router.get("/preferences", response_model=PreferencesOut, summary="What the caller receives, and how")
async def my_preferences(principal: CurrentPrincipal, c: ContainerDep) -> PreferencesOut:
    async with c.uow() as uow:
        recipient = await uow.recipients.get(principal.subject)
    quiet = recipient.quiet_hours if recipient else None
    return PreferencesOut(
        opted_out=sorted(category.value for category in recipient.opted_out) if recipient else [],
        optional_categories=sorted(category.value for category in OPTIONAL_CATEGORIES),
        quiet_hours=QuietHoursIn(start=quiet.start, end=quiet.end) if quiet else None,
        language=recipient.preferred_language if recipient else None,
        timezone=recipient.timezone if recipient else None,
        email_known=bool(recipient and recipient.email),
        email_invalid=bool(recipient and recipient.email_invalid_since),
    )


@router.put(
    "/preferences",
    response_model=PreferencesOut,
    summary="Opt out of reminder categories (never of decisions) and set one's own quiet hours",
)
async def set_my_preferences(
    body: PreferencesIn, principal: CurrentPrincipal, c: ContainerDep
) -> PreferencesOut:
    quiet = QuietHours(body.quiet_hours.start, body.quiet_hours.end) if body.quiet_hours else None
    await operations.set_preferences(c.uow(), principal.subject, body.opted_out, quiet)
    return await my_preferences(principal, c)


# ----------------------------------------------------------------------- focal points


class FocalPointIn(Strict):
    country: CountryCode
    name: Annotated[str, Field(min_length=1, max_length=300)]
    email: EmailStr
    preferred_language: LanguageTag
    timezone: Annotated[str | None, Field(max_length=64)] = None


class FocalPointOut(BaseModel):
    person_id: str
    country: str
    name: str | None
    email: str | None
    preferred_language: str | None
    timezone: str | None
    email_invalid: bool


PersonPath = Annotated[str, Field(min_length=1, max_length=255)]


@router.get(
    "/focal-points",
    response_model=list[FocalPointOut],
    tags=["focal points"],
    summary="The focal points told of new calls (a focal point sees their own country's)",
)
async def list_focal_points(
    principal: CurrentPrincipal,
    c: ContainerDep,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
) -> list[FocalPointOut]:
    if principal.has(Role.COORDINATOR):
        wanted = country
    elif principal.has(Role.FOCAL_POINT) and principal.country:
        if country is not None and country != principal.country:
            return []
        wanted = principal.country
    else:
        raise Problem(403, "this needs one of the roles: coordinator, focal_point")
    async with c.uow() as uow:
        rows = await uow.directory.focal_points_with_contact(wanted)
    return [
        FocalPointOut(
            person_id=row.person_id,
            country=row.country,
            name=row.name,
            email=row.email,
            preferred_language=row.preferred_language,
            timezone=row.timezone,
            email_invalid=row.email_invalid_since is not None,
        )
        for row in rows
    ]


@router.put(
    "/focal-points/{person_id}",
    response_model=FocalPointOut,
    tags=["focal points"],
    summary="Name (or update) a country's focal point; idempotent by nature",
)
async def put_focal_point(
    person_id: Annotated[str, Field(min_length=1, max_length=255)],
    body: FocalPointIn,
    principal: Coordinator,
    c: ContainerDep,
) -> FocalPointOut:
    timezone = body.timezone or zone_of_country(body.country)
    contact = Contact(
        person_id=person_id,
        name=body.name,
        email=str(body.email),
        preferred_language=body.preferred_language,
        timezone=timezone,
        timezone_known=body.timezone is not None,
    )
    await operations.name_focal_point(c.uow(), contact, body.country, principal.subject)
    return FocalPointOut(
        person_id=person_id,
        country=body.country,
        name=body.name,
        email=str(body.email),
        preferred_language=body.preferred_language,
        timezone=timezone,
        email_invalid=False,
    )


@router.delete(
    "/focal-points/{person_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["focal points"],
    summary="A person is no longer a focal point",
)
async def delete_focal_point(person_id: str, principal: Coordinator, c: ContainerDep) -> Response:
    try:
        await operations.remove_focal_point(c.uow(), person_id)
    except operations.NotFound:
        raise Problem(404, "No such focal point") from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------------ operators

_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+")


def _masked(text: str | None) -> str | None:
    """Operators see no personal data: addresses in relay answers are masked."""
    return _EMAIL.sub("<address>", text) if text else text


class AttemptOut(BaseModel):
    number: int
    relay: str | None
    at: datetime
    outcome: str
    code: int | None
    detail: str | None


class DeliveryOut(BaseModel):
    id: UUID
    recipient_id: str
    template: str
    category: str
    cause_type: str
    cause_id: UUID | None
    status: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    relay: str | None
    last_error: str | None
    updated_at: datetime


class DeliveryDetail(DeliveryOut):
    attempt_log: list[AttemptOut]


def _delivery(row: Any) -> DeliveryOut:
    return DeliveryOut(
        id=row.notification_id,
        recipient_id=row.recipient_id,
        template=row.template,
        category=row.category,
        cause_type=row.cause_type,
        cause_id=row.cause_id,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
        sent_at=row.sent_at,
        relay=row.relay,
        last_error=_masked(row.last_error),
        updated_at=row.updated_at,
    )


DeliveryStatus = Literal["pending", "sent", "failed", "bounced", "cancelled"]


@operators.get(
    "/deliveries",
    response_model=list[DeliveryOut],
    summary="E-mail deliveries by state (default: failed and bounced), most recently changed first",
)
async def list_deliveries(
    request: Request,
    response: Response,
    principal: Operator,
    c: ContainerDep,
    status_: Annotated[list[DeliveryStatus], Query(alias="status")] = ["failed", "bounced"],  # noqa: B006
    template: Annotated[str | None, Query(pattern=r"^[a-z_]+$", max_length=100)] = None,
    recipient_id: Annotated[str | None, Query(max_length=255)] = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> list[DeliveryOut]:
    async with c.uow() as uow:
        try:
            rows, next_cursor = await uow.messages.deliveries(
                statuses=status_, recipient_id=recipient_id, template=template, limit=limit, cursor=cursor
            )
        except ValueError:
            raise _bad_cursor() from None
    _next_link(request, response, next_cursor)
    return [_delivery(row) for row in rows]


@operators.get(
    "/deliveries/{notification_id}", response_model=DeliveryDetail, summary="One e-mail and its attempts"
)
async def get_delivery(notification_id: UUID, principal: Operator, c: ContainerDep) -> DeliveryDetail:
    async with c.uow() as uow:
        row = await uow.messages.row(notification_id)
        if row is None or row.channel != "email":
            raise Problem(404, "No such delivery")
        attempts = await uow.messages.attempts(row.id)
    return DeliveryDetail(
        **_delivery(row).model_dump(),
        attempt_log=[
            AttemptOut(
                number=a.number,
                relay=a.relay,
                at=a.started_at,
                outcome=a.outcome,
                code=a.code,
                detail=_masked(a.detail),
            )
            for a in attempts
        ],
    )


@operators.post(
    "/deliveries/{notification_id}/resend",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryOut,
    summary="Send a failed or bounced e-mail again (to the person's current address)",
    responses={409: {"description": "not failed nor bounced, or the address still bounces"}},
)
async def resend(notification_id: UUID, principal: Operator, c: ContainerDep) -> DeliveryOut:
    try:
        await operations.resend(c.uow(), notification_id, c.clock)
    except operations.NotFound:
        raise Problem(404, "No such delivery") from None
    except operations.Conflict as conflict:
        raise Problem(409, str(conflict)) from None
    async with c.uow() as uow:
        row = await uow.messages.row(notification_id)
    return _delivery(row)


class BounceIn(Strict):
    """A bounce as a relay's webhook reports it: which mail (its Message-ID or notification id), how hard."""

    message_id: Annotated[str | None, Field(max_length=300)] = None
    notification_id: UUID | None = None
    kind: BounceKind = BounceKind.HARD
    diagnostic: Annotated[str, Field(max_length=2000)] = ""


_MESSAGE_ID = re.compile(r"^<?(?P<id>[0-9a-fA-F-]{36})@[^>]+>?$")


@operators.post(
    "/bounces",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Report a bounce (the relay's webhook): the message is marked bounced, a hard bounce invalidates the address",
    responses={404: {"description": "no e-mail with that id was sent"}},
)
async def report_bounce(
    body: BounceIn, principal: Annotated[Principal, Depends(require(Role.OPERATOR))], c: ContainerDep
) -> dict[str, bool]:
    notification_id = body.notification_id
    if notification_id is None and body.message_id:
        match = _MESSAGE_ID.match(body.message_id.strip())
        notification_id = UUID(match["id"]) if match else None
    if notification_id is None:
        raise Problem(
            422,
            "The request is not valid",
            errors=[
                {
                    "field": "body.message_id",
                    "problem": "give the bounced mail's Message-ID or notification_id",
                }
            ],
        )
    try:
        recorded = await operations.record_bounce(
            c.uow(), operations.BounceReport(notification_id, body.kind, body.diagnostic), c.clock
        )
    except operations.NotFound:
        raise Problem(404, "No such e-mail") from None
    except operations.Conflict as conflict:
        raise Problem(409, str(conflict)) from None
    return {"recorded": recorded}
