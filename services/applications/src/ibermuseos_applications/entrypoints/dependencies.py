"""What the routes share: the container, the callers each door lets in, pages, the idempotency key."""

from typing import Annotated, Any

from fastapi import Depends, Header
from ibermuseos_kernel.caller import Caller, Role
from ibermuseos_kernel.paging import Page
from ibermuseos_platform.auth import require
from ibermuseos_platform.idempotency import HEADER as IDEMPOTENCY_HEADER
from ibermuseos_platform.inputs import Line
from ibermuseos_platform.paging import page_of
from ibermuseos_platform.web import container_of

from ..bootstrap import Container

ContainerDep = Annotated[Container, Depends(container_of)]
Coordinator = Annotated[Caller, Depends(require(Role.COORDINATOR))]
Evaluator = Annotated[Caller, Depends(require(Role.EVALUATOR))]
Participant = Annotated[Caller, Depends(require(Role.PARTICIPANT))]
PageDep = Annotated[Page, Depends(page_of)]
IdempotencyKey = Annotated[
    Line | None,
    Header(
        alias=IDEMPOTENCY_HEADER,
        max_length=255,
        description="Retrying with the same key returns the first answer",
    ),
]
Responses = dict[int | str, dict[str, Any]]
"""A route's own responses, for its OpenAPI operation."""
