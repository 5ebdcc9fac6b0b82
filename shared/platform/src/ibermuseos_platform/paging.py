"""One list contract for every list endpoint: `?limit=&cursor=` in, `{items, total, next}` out.

The cursor is opaque to clients: they follow `next` (the address of the next page) and never
build one. Behind it a list is read by offset or by key, as suits the list.
"""

import base64
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar, overload

from fastapi import Query, Request
from ibermuseos_kernel.errors import Invalid
from ibermuseos_kernel.paging import Page, Slice
from pydantic import BaseModel, Field

from .inputs import Line

T = TypeVar("T")
V = TypeVar("V")

MAX_LIMIT = 200


class Paged(BaseModel, Generic[T]):
    """A page of a list."""

    items: list[T]
    total: int = Field(description="How many items the list has in all, over every page")
    next: str | None = Field(
        description="Path and query of the next page; null on the last page. Follow it as it is."
    )


def encode_cursor(page: Page) -> str:
    raw = f"k:{page.after}" if page.after is not None else f"o:{page.offset}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, limit: int) -> Page:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = raw.partition(":")
        if kind == "k" and value:
            return Page(limit, after=value)
        if kind == "o" and value.isdigit() and int(value) <= 1_000_000:
            return Page(limit, offset=int(value))
    except ValueError:  # not base64 (binascii.Error), not text once decoded, not ASCII to begin with
        pass
    raise Invalid.one("query.cursor", "not a cursor this list gave out; follow `next` as it is")


async def page_of(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")] = 50,
    cursor: Annotated[
        Line | None, Query(max_length=512, description="From a previous page's `next`; absent for the first")
    ] = None,
) -> Page:
    """The page a list request asks for (a FastAPI dependency)."""
    return Page(limit) if cursor is None else decode_cursor(cursor, limit)


@overload
def paged(request: Request, found: Slice[V]) -> Paged[V]: ...


@overload
def paged(request: Request, found: Slice[V], render: Callable[[V], T]) -> Paged[T]: ...


def paged(request: Request, found: Slice[Any], render: Callable[[Any], Any] | None = None) -> Paged[Any]:
    """A list query's slice as the list contract, with `next` pointing at the following page.

    Without `render`, the query's view objects are the items as they are.
    """
    following = None
    if found.next is not None:
        url = request.url.include_query_params(limit=found.next.limit, cursor=encode_cursor(found.next))
        following = f"{url.path}?{url.query}"
    items = found.items if render is None else [render(item) for item in found.items]
    return Paged[Any](items=items, total=found.total, next=following)


def sliced(items: Sequence[V], total: int, page: Page) -> Slice[V]:
    """A slice of an offset-read list."""
    return Slice(list(items), total, page.following(len(items), total))
