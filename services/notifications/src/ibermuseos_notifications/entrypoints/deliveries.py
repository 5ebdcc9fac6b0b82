"""Operators' view of e-mail: deliveries by state, one e-mail's attempts, resending, and bounces relays report."""

import re
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


@router.get(
    "/deliveries",
    response_model=Paged[queries.Delivery],
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
) -> Paged[queries.Delivery]:
    where = queries.DeliveryFilter(tuple(status_), recipient_id, template)
    return paged(request, await queries.deliveries(c.uow(), where, page))


@router.get(
    "/deliveries/{notification_id:uuid}",
    response_model=queries.DeliveryDetail,
    summary="One e-mail and its attempts",
)
async def get_delivery(notification_id: UUID, caller: Operator, c: ContainerDep) -> queries.DeliveryDetail:
    return await queries.delivery(c.uow(), notification_id)


@router.post(
    "/deliveries/{notification_id:uuid}/resend",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=queries.DeliveryDetail,
    summary="Send a failed or bounced e-mail again (to the person's current address)",
    responses={409: {"description": "not failed nor bounced, or the address still bounces"}},
)
async def resend(notification_id: UUID, caller: Operator, c: ContainerDep) -> queries.DeliveryDetail:
    return await operations.resend(operations.Resend(notification_id), c.uow(), c.clock)


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
