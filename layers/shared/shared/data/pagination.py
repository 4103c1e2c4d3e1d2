"""Keyset pagination over Query results, exact page sizes, no empty last page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from shared.data.table import Item

T = TypeVar("T", bound=Item)

TABLE_KEYS = ("PK", "SK")
INDEX_KEYS: dict[str | None, tuple[str, ...]] = {
    None: TABLE_KEYS,
    "GSI1": (*TABLE_KEYS, "GSI1PK", "GSI1SK"),
    "GSI2": (*TABLE_KEYS, "GSI2PK", "GSI2SK"),
    "GSI3": (*TABLE_KEYS, "GSI3PK", "GSI3SK"),
    "GSI4": (*TABLE_KEYS, "GSI4PK", "GSI4SK"),
    "GSI5": (*TABLE_KEYS, "GSI5PK", "GSI5SK"),
    "GSI6": (*TABLE_KEYS, "GSI6PK", "GSI6SK"),
}


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_position: dict[str, Any] | None


def query_page(
    run: Callable[..., Iterable[Any]],
    *,
    limit: int,
    position: dict[str, Any] | None,
    index: str | None = None,
    **query_kwargs: Any,
) -> Page[Any]:
    """Run ``run(..., limit=limit + 1)`` and cut one page.

    ``run`` is a bound PynamoDB ``query`` (on the base model or one of its indexes) with its
    hash key already applied (``functools.partial``). Fetching one extra item tells whether
    another page exists, so ``next_position`` is ``None`` exactly on the last page.
    """
    found = list(run(limit=limit + 1, last_evaluated_key=position or None, **query_kwargs))
    items = found[:limit]
    if len(found) <= limit or not items:
        return Page(items=items, next_position=None)
    serialized = items[-1].serialize()
    next_position = {name: serialized[name] for name in INDEX_KEYS[index] if name in serialized}
    return Page(items=items, next_position=next_position)


def collect(read: Callable[..., Page[Any]], *, most: int, page_size: int = 100) -> list[Any]:
    """Up to ``most`` items of a paged query, read page by page (an export's bounded list).

    ``read(limit=..., position=...)`` is a repository's page function with its other arguments
    applied (``functools.partial``)."""
    found: list[Any] = []
    position: dict[str, Any] | None = None
    while len(found) < most:
        page = read(limit=min(page_size, most - len(found)), position=position)
        found += page.items
        position = page.next_position
        if position is None:
            break
    return found
