"""The retention job and a person's erasure on request: what the policy no longer allows to keep goes.

The job erases in bounded batches, each its own short transaction, table after table, until
nothing due is left; it is idempotent (erased rows no longer match) and reports counts only.
"""

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from ibermuseos_kernel.clock import Clock
from ibermuseos_kernel.transaction import Transaction

from ..domain.retention import Cutoffs, RetentionPolicy

log = logging.getLogger(__name__)

ERASED_AT_REQUEST = "erased at the person's request"


class Retention(Protocol):
    async def erase_due_messages(self, cutoffs: Cutoffs, now: datetime, limit: int) -> dict[str, int]: ...

    async def delete_due_context(self, table: str, cutoffs: Cutoffs, limit: int) -> int: ...

    async def erase_idle_contacts(self, cutoffs: Cutoffs, limit: int) -> int: ...

    async def erase_person(self, person_id: str, now: datetime, reason: str) -> dict[str, int]: ...

    async def audit_erasure(
        self, person_pseudonym: str, requested_by: str, now: datetime, counts: Mapping[str, int]
    ) -> UUID: ...


class RetentionUnitOfWork(Transaction, Protocol):
    @property
    def retention(self) -> Retention: ...


UowFactory = Callable[[], RetentionUnitOfWork]


Batch = Callable[[Retention], Awaitable[dict[str, int]]]


async def _in_batches(uow_factory: UowFactory, limit: int, batch: Batch) -> dict[str, int]:
    """Run `batch` in its own transaction until one finds fewer than `limit` rows; the summed counts."""
    totals: dict[str, int] = {}
    while True:
        async with uow_factory() as uow:
            counts = await batch(uow.retention)
            await uow.commit()
        for name, count in counts.items():
            totals[name] = totals.get(name, 0) + count
        if max(counts.values(), default=0) < limit:
            return totals


def _context_batch(table: str, cutoffs: Cutoffs, limit: int) -> Batch:
    async def batch(retention: Retention) -> dict[str, int]:
        return {table: await retention.delete_due_context(table, cutoffs, limit)}

    return batch


def _contacts_batch(cutoffs: Cutoffs, limit: int) -> Batch:
    async def batch(retention: Retention) -> dict[str, int]:
        return {"recipients": await retention.erase_idle_contacts(cutoffs, limit)}

    return batch


async def erase_expired(
    uow_factory: UowFactory,
    clock: Clock,
    policy: RetentionPolicy,
    *,
    batch_size: int,
    context_tables: Sequence[str],
) -> dict[str, int]:
    """Erase everything the policy no longer allows to keep; returns the rows erased per table.

    Messages first (their content), then the records messages speak of (each kept while a
    pending message or another record needs it), then the contacts nothing refers to any more.
    """
    now = clock.now()
    cutoffs = policy.cutoffs(now)

    async def messages(retention: Retention) -> dict[str, int]:
        return await retention.erase_due_messages(cutoffs, now, batch_size)

    erased = await _in_batches(uow_factory, batch_size, messages)
    for table in context_tables:
        erased |= await _in_batches(uow_factory, batch_size, _context_batch(table, cutoffs, batch_size))
    erased |= await _in_batches(uow_factory, batch_size, _contacts_batch(cutoffs, batch_size))
    if any(erased.values()):
        log.info("retention: rows erased", extra={"erased": erased})
    return erased


@dataclass(frozen=True)
class PersonErased:
    erasure_id: UUID
    counts: dict[str, int]


async def erase_person(
    uow_factory: UowFactory,
    person_id: str,
    *,
    person_pseudonym: str,
    requested_by: str,
    clock: Clock,
) -> PersonErased:
    """Erase everything held about one person in one transaction, audited by the person's pseudonym.

    Their pending messages are cancelled (nobody is left to send them to); the keys of their
    messages stay, so events already consumed, replayed, send nothing.
    """
    now = clock.now()
    async with uow_factory() as uow:
        counts = await uow.retention.erase_person(person_id, now, ERASED_AT_REQUEST)
        erasure_id = await uow.retention.audit_erasure(person_pseudonym, requested_by, now, counts)
        await uow.commit()
    log.info(
        "person erased on request",
        extra={"erasure_id": str(erasure_id), "person": person_pseudonym, "erased": counts},
    )
    return PersonErased(erasure_id, counts)
