"""What every router of the service takes: its container, a coordinator, a page of a list."""

from typing import Annotated

from fastapi import Depends
from ibermuseos_kernel.paging import Page
from ibermuseos_platform.auth import Caller, Role, require
from ibermuseos_platform.paging import page_of
from ibermuseos_platform.web import container_of

from ..bootstrap import Container

ContainerDep = Annotated[Container, Depends(container_of)]
Coordinator = Annotated[Caller, Depends(require(Role.COORDINATOR))]
Participant = Annotated[Caller, Depends(require(Role.PARTICIPANT))]
PageDep = Annotated[Page, Depends(page_of)]
