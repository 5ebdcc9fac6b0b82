"""Commands on enrolments: enrol in one's own name (a seat or the waitlist), and cancel (promoting who waits)."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from ibermuseos_contracts.common import Gender, Institution
from ibermuseos_contracts.courses import CancelledBy, Participant
from ibermuseos_kernel.caller import Caller
from ibermuseos_kernel.clock import Clock
from ibermuseos_kernel.errors import Forbidden, Invalid, Issue, NotFound

from ..domain.enrolments import Enrolment, EnrolmentStatus, cancel, enrol
from .access import may_see_enrolment
from .ports import UnitOfWork
from .queries import EnrolmentView
from .runs import load_run


@dataclass(frozen=True)
class Enrol:
    """A participant's own enrolment. Their name and e-mail are the token's (`caller`); a name or e-mail
    the request gives besides must be the same."""

    run_id: UUID
    caller: Caller
    preferred_language: str
    timezone: str
    gender: Gender | None
    country: str
    institution: Institution
    name: str | None = None
    email: str | None = None


def participant_of(command: Enrol) -> Participant:
    """The person enrolling, as the identity provider vouches for them: nobody enrols in someone else's name,
    and no confirmation goes to an address the provider did not verify."""
    caller = command.caller
    issues = []
    if caller.name is None:
        issues.append(Issue("name", "your sign-in carries no name: ask your identity provider to share it"))
    elif command.name is not None and command.name != caller.name:
        issues.append(Issue("name", f"you enrol in your own name, {caller.name!r}; leave the name out"))
    if caller.email is None:
        issues.append(
            Issue("email", "your sign-in carries no e-mail address your identity provider verified")
        )
    elif command.email is not None and command.email.casefold() != caller.email.casefold():
        issues.append(
            Issue("email", f"you enrol with your own address, {caller.email}; leave the e-mail out")
        )
    if issues or caller.name is None or caller.email is None:
        raise Invalid(None, issues)
    return Participant(
        person_id=caller.subject,
        name=caller.name,
        email=caller.email,
        preferred_language=command.preferred_language,
        timezone=command.timezone,
        gender=command.gender,
        country=command.country,
        institution=command.institution,
    )


async def enrol_participant(
    command: Enrol, uow: UnitOfWork, clock: Clock, new_id: Callable[[], UUID] = uuid.uuid4
) -> EnrolmentView:
    """A seat while seats and the country's quota allow, else the waitlist in arrival order; the run's
    row is locked for the decision, so simultaneous enrolments are decided one after another."""
    participant = participant_of(command)
    async with uow:
        run = await load_run(uow, command.run_id, lock=True)
        now = clock.now()  # read under the lock: arrival order and timestamps agree
        seats, waiting = await uow.enrolments.seats_and_waiting(run)
        enrolment = enrol(
            run=run,
            seats=seats,
            waiting=waiting,
            existing=await uow.enrolments.current(run.id, participant.person_id),
            enrolment_id=new_id(),
            participant=participant,
            now=now,
        )
        await uow.enrolments.add(enrolment)
        await uow.commit()
    # Under the run's lock, the waitlist was `waiting` long when this one joined its end.
    return EnrolmentView(enrolment, waiting + 1 if enrolment.status is EnrolmentStatus.WAITLISTED else None)


@dataclass(frozen=True)
class CancelEnrolment:
    enrolment_id: UUID
    caller: Caller


@dataclass(frozen=True)
class Cancelled:
    enrolment: Enrolment
    promoted: list[Enrolment]


async def cancel_enrolment(command: CancelEnrolment, uow: UnitOfWork, clock: Clock) -> Cancelled:
    """The participant (or a coordinator) cancels; the seat goes at once to the next eligible person
    waiting, exactly once, because the run stays locked from reading the seats to the commit."""
    caller = command.caller
    async with uow:
        found = await uow.enrolments.get(command.enrolment_id)
        if found is None:
            raise NotFound("No such enrolment")
        run = await load_run(uow, found.run_id, lock=True)
        if not may_see_enrolment(caller, found, run):
            raise NotFound("No such enrolment")
        if not (caller.is_coordinator or caller.subject == found.person_id):
            raise Forbidden("only the participant or a coordinator cancels an enrolment")
        # Read again under the run's lock: a concurrent cancellation or promotion may have changed it.
        enrolment = await uow.enrolments.get(command.enrolment_id)
        assert enrolment is not None
        promoted = cancel(
            run=run,
            seats=await uow.enrolments.seats(run),
            enrolment=enrolment,
            waitlist=await uow.enrolments.waitlist(run.id),
            now=clock.now(),
            by=CancelledBy.PARTICIPANT if caller.subject == enrolment.person_id else CancelledBy.COORDINATOR,
        )
        await uow.commit()
    return Cancelled(enrolment, promoted)
