"""Deleting what a Query finds, one bounded page at a time (account erasure, issue #18)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from shared.data.pagination import query_page
from shared.data.table import Item


def delete_page(run: Callable[..., Iterable[Any]], kind: type[Item], *, limit: int) -> tuple[int, bool]:
    """Delete the items of type ``kind`` on the first page (``limit`` items) of ``run`` (a bound
    PynamoDB ``query`` with its key condition applied, as for :func:`query_page`), in one
    BatchWriteItem. Returns (how many were deleted, whether more may be left). Calls start from
    the top: give ``run`` a consistent base-table Query, so the next call never sees what this
    one deleted."""
    page = query_page(run, limit=limit, position=None)
    found = [item for item in page.items if isinstance(item, kind)]
    with Item.batch_write() as batch:
        for item in found:
            batch.delete(item)
    return len(found), page.next_position is not None
