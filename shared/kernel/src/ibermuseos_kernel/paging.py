"""Which part of a list a query returns: at most `limit` items, from `offset` or after a key."""

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page:
    limit: int = 50
    offset: int = 0
    after: str | None = None
    """For lists read by key (newest first, say): the key of the last item already seen."""

    def following(self, count: int, total: int) -> "Page | None":
        """The next page of an offset list, having read `count` items of `total`."""
        end = self.offset + count
        return Page(self.limit, end) if count and end < total else None


@dataclass(frozen=True, slots=True)
class Slice(Generic[T]):
    """What a list query returns: the page's items, how many there are in all, and the next page if any."""

    items: list[T]
    total: int
    next: Page | None
