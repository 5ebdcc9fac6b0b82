"""Operators' view of e-mail: deliveries by state, one e-mail's attempts, resending, and bounces relays report."""

import re
from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, status
from ibermuseos_contracts.notifications import BounceKind
from ibermuseos_kernel.errors import Invalid
from ibermuseos_kernel.paging import Page
from ibermuseos_platform.inputs import Line, Prose, Strict
from ibermuseos_platform.paging import Paged, page_of, paged
from pydantic import BaseModel, ConfigDict, Field

from ..application import operations, queries
from ..domain.messages import Status
from .dependencies import ContainerDep, Operator, OperatorOnly

router = APIRouter(tags=["operators"])


class AttemptOut(BaseModel):
    number: int
    relay: str | None
    at: datetime
    outcome: str = Field(
        description="sending (under way), sent, retry, exhausted, refused, bounced, or interrupted: the service "
        "stopped between the relay's answer and its record, so the mail may have gone out"
    )
    code: int | None
    detail: str | None


class DeliveryOut(BaseModel):
    id: UUID
    recipient_id: str
    template: str
    category: str
    cause_type: str
    cause_id: UUID | None
    status: Status
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    relay: str | None
    last_error: str | None
    failure_reason: str | None = Field(
        description="Why it failed, as NotificationFailed said it (e.g. refused, address_invalid, template_error)"
    )
    possible_duplicate: bool = Field(
        description="An attempt was interrupted after the relay may have accepted the mail: the person may have "
        "received it twice (with the same Message-ID)"
    )
    updated_at: datetime


class DeliveryDetail(DeliveryOut):
    attempt_log: list[AttemptOut]


def _delivery(found: queries.DeliveryView) -> DeliveryOut:
    return DeliveryOut(
        id=found.id,
        recipient_id=found.recipient_id,
        template=found.template,
        category=found.category,
        cause_type=found.cause_type,
        cause_id=found.cause_id,
        status=found.status,
        attempts=found.attempts,
        next_attempt_at=found.next_attempt_at,
        sent_at=found.sent_at,
        relay=found.relay,
        last_error=found.last_error,
        failure_reason=found.failure_reason,
        possible_duplicate=found.possible_duplicate,
        updated_at=found.updated_at,
    )


@router.get(
    "/deliveries",
    response_model=Paged[DeliveryOut],
    summary="E-mail deliveries by state (default: failed and bounced), most recently changed first",
)
async def list_deliveries(
    request: Request,
    caller: Operator,
    c: ContainerDep,
    page: Annotated[Page, Depends(page_of)],
    status_: Annotated[list[Status], Query(alias="status", max_length=len(Status))] = [  # noqa: B006
        Status.FAILED,
        Status.BOUNCED,
    ],
    template: Annotated[str | None, Query(pattern=r"^[a-z_]+$", max_length=100)] = None,
    recipient_id: Annotated[Line | None, Query(max_length=255)] = None,
) -> Paged[DeliveryOut]:
    where = queries.DeliveryFilter(tuple(status_), recipient_id, template)
    return paged(request, await queries.deliveries(c.uow(), where, page), _delivery)


def _detail(found: queries.DeliveryDetail) -> DeliveryDetail:
    return DeliveryDetail(
        **_delivery(found.delivery).model_dump(),
        attempt_log=[
            AttemptOut(
                number=a.number, relay=a.relay, at=a.at, outcome=a.outcome, code=a.code, detail=a.detail
            )
            for a in found.attempts
        ],
    )


@router.get(
    "/deliveries/{notification_id:uuid}", response_model=DeliveryDetail, summary="One e-mail and its attempts"
)
async def get_delivery(notification_id: UUID, caller: Operator, c: ContainerDep) -> DeliveryDetail:
    return _detail(await queries.delivery(c.uow(), notification_id))


@router.post(
    "/deliveries/{notification_id:uuid}/resend",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryOut,
    summary="Send a failed or bounced e-mail again (to the person's current address)",
    responses={409: {"description": "not failed nor bounced, or the address still bounces"}},
)
async def resend(notification_id: UUID, caller: Operator, c: ContainerDep) -> DeliveryOut:
    return _delivery(await operations.resend(operations.Resend(notification_id), c.uow(), c.clock))


class BounceIn(Strict):
    """A bounce as a relay's webhook reports it: which mail (its Message-ID or notification id), how hard."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "message_id": "<6f1c2d4e-0a7b-4c2e-9f1d-3b5a7c9e1f20@notifications.ibermuseos.example>",
                    "kind": "hard",
                    "diagnostic": "550 5.1.1 user unknown",
                }
            ]
        }
    )

    message_id: Annotated[Line | None, Field(max_length=300)] = None
    notification_id: UUID | None = None
    kind: BounceKind = BounceKind.HARD
    diagnostic: Annotated[Prose, Field(max_length=2000)] = ""


class BounceRecorded(BaseModel):
    recorded: bool = Field(description="False when this bounce was already known")


_MESSAGE_ID = re.compile(r"^<?(?P<id>[0-9a-fA-F-]{36})@[^>]+>?$")


def _bounced_notification(body: BounceIn) -> UUID:
    if body.notification_id is not None:
        return body.notification_id
    match = _MESSAGE_ID.match(body.message_id.strip()) if body.message_id else None
    try:
        return UUID(match["id"]) if match else _no_mail()
    except ValueError:
        return _no_mail()


def _no_mail() -> UUID:
    raise Invalid.one("body.message_id", "give the bounced mail's Message-ID or notification_id")


@router.post(
    "/bounces",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=BounceRecorded,
    summary="Report a bounce (the relay's webhook): the message is marked bounced, a hard bounce invalidates the address",
    responses={
        404: {"description": "no e-mail with that id was sent"},
        409: {"description": "the e-mail was not sent"},
    },
)
async def report_bounce(body: BounceIn, caller: OperatorOnly, c: ContainerDep) -> BounceRecorded:
    command = operations.ReportBounce(_bounced_notification(body), body.kind, body.diagnostic)
    return BounceRecorded(recorded=await operations.report_bounce(command, c.uow(), c.clock))
