"""What the routes share: the container, the callers each door lets in, pages."""

from typing import Annotated, Any

from fastapi import Depends
from ibermuseos_kernel.caller import Caller, Role
from ibermuseos_kernel.paging import Page
from ibermuseos_platform.auth import require
from ibermuseos_platform.paging import page_of
from ibermuseos_platform.web import container_of

from ..bootstrap import Container

ContainerDep = Annotated[Container, Depends(container_of)]
Coordinator = Annotated[Caller, Depends(require(Role.COORDINATOR))]
Evaluator = Annotated[Caller, Depends(require(Role.EVALUATOR))]
Participant = Annotated[Caller, Depends(require(Role.PARTICIPANT))]
PageDep = Annotated[Page, Depends(page_of)]
Responses = dict[int | str, dict[str, Any]]
"""A route's own responses, for its OpenAPI operation."""
