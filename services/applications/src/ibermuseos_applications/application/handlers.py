"""One handler per command; each commits its unit of work once."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from ..domain.applications import Application, Submission
from .ports import Clock, UnitOfWork


@dataclass(frozen=True)
class SubmitApplication:
    call_id: UUID
    call_year: int
    submission: Submission


async def submit_application(
    command: SubmitApplication, uow: UnitOfWork, clock: Clock, new_id: Callable[[], UUID] = uuid.uuid4
) -> Application:
    """An application is accepted only with every rule met, and ApplicationSubmitted is published with it."""
    async with uow:
        application = Application.submit(
            id=new_id(),
            call_id=command.call_id,
            call_year=command.call_year,
            submission=command.submission,
            now=clock.now(),
        )
        await uow.applications.add(application)
        await uow.commit()
    return application
