"""Commands of the award decision and of the grant: proposal, adjustments, release, acceptance, decline, waitlist, report."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from ibermuseos_kernel.caller import Caller
from ibermuseos_kernel.clock import Clock
from ibermuseos_kernel.errors import Conflict, Invalid, Issue, NotFound

from ..domain import ranking
from ..domain.applications import GRANTED, Application, DraftDecision, Outcome, Report, Status
from ..domain.audit import SYSTEM
from ..domain.calls import Call
from ..domain.values import money
from .common import audit, load_application, load_call, own_application
from .ports import ConcurrentChange, UnitOfWork, UnitOfWorkFactory
from .queries import PENDING, ApplicationView, Standing, standing_of, view_of


def _pending_issues(applications: list[Application]) -> list[Issue]:
    return [
        Issue(f"applications.{a.id}", f"is {a.status.value.replace('_', ' ')}")
        for a in applications
        if a.status in PENDING
    ]


@dataclass(frozen=True)
class ProposeAwards:
    call_id: UUID
    max_awards_per_country: int | None
    waitlist_length: int
    caller: Caller


async def propose_awards(command: ProposeAwards, uow: UnitOfWork, clock: Clock) -> Standing:
    """A draft that fills the budget in ranking order (optionally at most N awards per country), then a waitlist;
    it replaces earlier drafts and stays internal until the results are released."""
    async with uow:
        call = await load_call(uow, command.call_id, lock=True)
        call.check_deciding()
        applications = await uow.applications.in_call(call.id)
        if issues := _pending_issues(applications):
            raise Conflict("Some applications are not evaluated yet", issues, code="evaluation_pending")
        evaluations = await uow.evaluations.of_all(applications)
        ranked = ranking.rank(call.terms, applications, evaluations)
        drafts = ranking.propose(
            ranked,
            budget=call.remaining,
            max_awards_per_country=command.max_awards_per_country,
            waitlist_length=command.waitlist_length,
        )
        for entry in ranked:
            entry.application.set_draft(drafts[entry.application.id])
            await uow.applications.save(entry.application)
        call.set_award_policy(command.max_awards_per_country)
        await uow.calls.save(call)
        standing = standing_of(call, applications, evaluations)
        await audit(
            uow,
            at=clock.now(),
            actor=command.caller.subject,
            action="awards_proposed",
            call_id=call.id,
            max_awards_per_country=command.max_awards_per_country,
            waitlist_length=command.waitlist_length,
            awards=sum(1 for d in drafts.values() if d.outcome is Outcome.AWARD),
            total=str(standing.drafted_total),
        )
        await uow.commit()
    return standing


@dataclass(frozen=True)
class AdjustDecision:
    call_id: UUID
    application_id: UUID
    outcome: Outcome
    amount: Decimal | None
    justification: str
    caller: Caller


async def adjust_decision(command: AdjustDecision, uow: UnitOfWork, clock: Clock) -> Standing:
    """The coordinator changes one drafted decision with a justification; the drafted awards stay within the budget."""
    async with uow:
        call = await load_call(uow, command.call_id, lock=True)
        call.check_deciding()
        applications = await uow.applications.in_call(call.id)
        application = next((a for a in applications if a.id == command.application_id), None)
        if application is None:
            raise NotFound("No such application in this call")
        before = application.draft
        amount = None
        if command.outcome is Outcome.AWARD:
            amount = application.requested if command.amount is None else command.amount
            issues = []
            if amount <= 0:
                issues.append(Issue("amount", "must be more than zero"))
            if amount > application.requested:
                issues.append(Issue("amount", f"cannot exceed the requested {money(application.requested)}"))
            if amount > call.terms.max_per_grant:
                issues.append(
                    Issue("amount", f"cannot exceed the maximum per grant {money(call.terms.max_per_grant)}")
                )
            if issues:
                raise Invalid("The amount is not valid", issues)
        elif command.amount is not None:
            raise Invalid.one("amount", "leave it out unless awarding", "Only an award has an amount")
        application.set_draft(DraftDecision(command.outcome, amount, adjusted=True))
        ranking.check_within_budget(applications, budget=call.remaining, currency=call.terms.currency)
        await uow.applications.save(application)
        await audit(
            uow,
            at=clock.now(),
            actor=command.caller.subject,
            action="decision_adjusted",
            call_id=call.id,
            application_id=application.id,
            justification=command.justification,
            before=None
            if before is None
            else {"outcome": before.outcome.value, "amount": _text(before.amount)},
            after={"outcome": command.outcome.value, "amount": _text(amount)},
        )
        standing = standing_of(call, applications, await uow.evaluations.of_all(applications))
        await uow.commit()
    return standing


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


@dataclass(frozen=True)
class ReleaseResults:
    call_id: UUID
    caller: Caller


async def release_results(command: ReleaseResults, uow: UnitOfWork, clock: Clock) -> Standing:
    """The drafted decisions are published together: awards (committing the budget), the waitlist in ranking
    order, rejections. Every evaluated application needs a decision and nothing may still be pending."""
    async with uow:
        call = await load_call(uow, command.call_id, lock=True)
        call.check_deciding()
        applications = await uow.applications.in_call(call.id)
        issues = _pending_issues(applications)
        issues += [
            Issue(f"applications.{a.id}", "has no drafted decision")
            for a in applications
            if a.status is Status.EVALUATED and a.draft is None
        ]
        if issues:
            raise Conflict("Not every application has a decision", issues, code="decisions_pending")
        evaluations = await uow.evaluations.of_all(applications)
        ranked = ranking.rank(call.terms, applications, evaluations)
        ranking.check_within_budget(applications, budget=call.remaining, currency=call.terms.currency)
        now = clock.now()
        position = 0
        for entry in ranked:
            application = entry.application
            draft = application.draft
            assert draft is not None
            if draft.outcome is Outcome.AWARD:
                assert draft.amount is not None
                application.award(amount=draft.amount, call=call, now=now)
            elif draft.outcome is Outcome.WAITLIST:
                position += 1
                application.put_on_waitlist(position=position, now=now)
            else:
                application.reject(now)
            await uow.applications.save(application)
        call.release_results(now)
        await uow.calls.save(call)
        await audit(
            uow,
            at=now,
            actor=command.caller.subject,
            action="results_released",
            call_id=call.id,
            awarded=sum(1 for a in applications if a.status is Status.AWARDED),
            waitlisted=position,
            committed=str(call.committed),
        )
        await uow.commit()
    return standing_of(call, applications, evaluations)


async def _fill_from_waitlist(uow: UnitOfWork, call: Call, now: datetime) -> list[Application]:
    """While the waitlist is open and the freed budget fits someone on it (in position order, within the per-country
    maximum), award them."""
    promoted: list[Application] = []
    if not call.waitlist_open:
        return promoted  # the freed budget stays unspent: the waitlist's people already have their final decision
    while True:
        applications = await uow.applications.in_call(call.id, [*GRANTED, Status.WAITLISTED])
        granted = Counter(a.country for a in applications if a.status in GRANTED)
        candidate = ranking.next_from_waitlist(
            [a for a in applications if a.status is Status.WAITLISTED],
            remaining=call.remaining,
            granted_per_country=granted,
            max_awards_per_country=call.max_awards_per_country,
        )
        if candidate is None:
            return promoted
        candidate.award(amount=candidate.requested, call=call, now=now, from_waitlist=True)
        await uow.applications.save(candidate)
        await audit(
            uow,
            at=now,
            actor=SYSTEM,
            action="promoted_from_waitlist",
            call_id=call.id,
            application_id=candidate.id,
            position=candidate.waitlist_position,
            amount=str(candidate.requested),
        )
        promoted.append(candidate)


@dataclass(frozen=True)
class AcceptGrant:
    application_id: UUID
    caller: Caller


async def accept_grant(command: AcceptGrant, uow: UnitOfWork, clock: Clock) -> ApplicationView:
    """The grantee accepts by the deadline."""
    async with uow:
        application = await own_application(uow, command.application_id, command.caller)
        call = await load_call(uow, application.call_id)
        now = clock.now()
        application.accept(call=call, now=now)
        await uow.applications.save(application)
        await audit(
            uow,
            at=now,
            actor=command.caller.subject,
            action="grant_accepted",
            call_id=call.id,
            application_id=application.id,
        )
        view = await view_of(uow, application, call)
        await uow.commit()
    return view


@dataclass(frozen=True)
class DeclineGrant:
    application_id: UUID
    caller: Caller


async def decline_grant(command: DeclineGrant, uow: UnitOfWork, clock: Clock) -> ApplicationView:
    """A declined grant frees its amount, which goes to the next on the waitlist that fits."""
    async with uow:
        application = await own_application(uow, command.application_id, command.caller)
        # The call's row is locked before the application is read again: awards of one call happen one at a time.
        call = await load_call(uow, application.call_id, lock=True)
        application = await load_application(uow, command.application_id)
        now = clock.now()
        application.decline(call=call, now=now)
        await uow.applications.save(application)
        await audit(
            uow,
            at=now,
            actor=command.caller.subject,
            action="grant_declined",
            call_id=call.id,
            application_id=application.id,
        )
        await _fill_from_waitlist(uow, call, now)
        await uow.calls.save(call)
        view = await view_of(uow, application, call)
        await uow.commit()
    return view


async def lapse_due_awards(uows: UnitOfWorkFactory, clock: Clock) -> list[UUID]:
    """Awards not accepted by their deadline lapse (GrantDeclined, lapsed) and the waitlist moves (run periodically)."""
    async with uows() as uow:
        due = await uow.applications.lapsing(clock.now())
    lapsed = []
    for application_id in due:
        try:
            async with uows() as uow:
                application = await load_application(uow, application_id)
                call = await load_call(uow, application.call_id, lock=True)
                application = await load_application(uow, application_id)
                now = clock.now()
                if (
                    application.status is not Status.AWARDED
                    or not application.accept_by
                    or now <= application.accept_by
                ):
                    continue
                application.decline(call=call, now=now, lapsed=True)
                await uow.applications.save(application)
                await audit(
                    uow,
                    at=now,
                    actor=SYSTEM,
                    action="grant_lapsed",
                    call_id=call.id,
                    application_id=application.id,
                )
                await _fill_from_waitlist(uow, call, now)
                await uow.calls.save(call)
                await uow.commit()
                lapsed.append(application_id)
        except ConcurrentChange:
            continue
    return lapsed


@dataclass(frozen=True)
class SubmitReport:
    application_id: UUID
    report: Report
    caller: Caller


async def submit_report(command: SubmitReport, uow: UnitOfWork, clock: Clock) -> ApplicationView:
    """After the activity the grantee reports attendance, learning and replication at home."""
    async with uow:
        application = await own_application(uow, command.application_id, command.caller)
        call = await load_call(uow, application.call_id)
        application.submit_report(call=call, report=command.report, now=clock.now())
        await uow.applications.save(application)
        view = await view_of(uow, application, call)
        await uow.commit()
    return view
