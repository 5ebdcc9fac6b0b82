"""Status lists (W3C Bitstring Status List): each credential gets a random free bit of a list; revoking
the credential sets that bit, and the list is published for any verifier to read.

A list takes entries until half its bits are taken, then a new one opens: picking a random free bit
stays quick, and the taken bits never cluster, so an index says nothing about when it was issued.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from ibermuseos_kernel.errors import Conflict

from .bitstring import MINIMUM_BITS, Bitstring

RandomBelow = Callable[[int], int]
"""A uniformly random integer in [0, n): `secrets.randbelow` in the service."""


class StatusPurpose(StrEnum):
    REVOCATION = "revocation"


@dataclass(frozen=True)
class StatusEntry:
    """Where a credential's status lives: bit `index` of list `list_id`."""

    list_id: UUID
    index: int


@dataclass
class StatusList:
    id: UUID
    purpose: StatusPurpose
    revoked: Bitstring
    """The published bits: 1 for each revoked credential."""
    allocated: Bitstring
    """Private bookkeeping: 1 for each index given to a credential."""
    allocated_count: int
    open: bool
    created_at: datetime
    updated_at: datetime
    """When the published bits last changed (or the list was created)."""

    @classmethod
    def new(cls, *, id: UUID, size: int, now: datetime) -> "StatusList":
        if size < MINIMUM_BITS or size % 8:
            raise ValueError(f"a status list holds at least {MINIMUM_BITS} bits, in whole bytes")
        return cls(
            id=id,
            purpose=StatusPurpose.REVOCATION,
            revoked=Bitstring.zeros(size),
            allocated=Bitstring.zeros(size),
            allocated_count=0,
            open=True,
            created_at=now,
            updated_at=now,
        )

    @property
    def size(self) -> int:
        return self.revoked.length

    @property
    def capacity(self) -> int:
        """How many entries the list gives before it closes: half its bits."""
        return self.size // 2

    def allocate(self, random_below: RandomBelow) -> StatusEntry:
        """A random index not given before; the list closes once it reaches its capacity."""
        if not self.open:
            raise Conflict("the status list is closed to new entries", code="status_list_closed")
        index = random_below(self.size)
        while self.allocated.is_set(index):
            index = random_below(self.size)
        self.allocated.set(index)
        self.allocated_count += 1
        if self.allocated_count >= self.capacity:
            self.open = False
        return StatusEntry(self.id, index)

    def revoke(self, index: int, now: datetime) -> None:
        """Sets the credential's bit; only an index the list gave can be revoked."""
        if not self.allocated.is_set(index):
            raise Conflict(
                f"index {index} was never given by status list {self.id}", code="status_entry_unknown"
            )
        self.revoked.set(index)
        self.updated_at = now
