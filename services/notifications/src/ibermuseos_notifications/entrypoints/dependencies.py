"""What the routes share: the container, the callers each door lets in, path parameters."""

from typing import Annotated

from fastapi import Depends, Path
from ibermuseos_kernel.caller import Caller, Role
from ibermuseos_platform.auth import require
from ibermuseos_platform.inputs import Line
from ibermuseos_platform.web import container_of

from ..bootstrap import Container

ContainerDep = Annotated[Container, Depends(container_of)]
Operator = Annotated[Caller, Depends(require(Role.OPERATOR, Role.COORDINATOR))]
"""Operators, and coordinators, who answer for the program's mail."""
OperatorOnly = Annotated[Caller, Depends(require(Role.OPERATOR))]
Coordinator = Annotated[Caller, Depends(require(Role.COORDINATOR))]
PersonId = Annotated[
    Line,
    Path(
        min_length=1,
        max_length=255,
        description="A person's id (their token's subject)",
        examples=["ana-7f3c"],
    ),
]
