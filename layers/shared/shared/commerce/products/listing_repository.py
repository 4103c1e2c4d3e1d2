"""Data access for product listings: one page of a listing index.

Access patterns (keys in :mod:`.models`, plans in :mod:`.listing`)
------------------------------------------------------------------
* active (or sold-out twin) products newest first, by price, by rating: Query GSI1, GSI2, GSI3
  ``PRODUCTS#ACTIVE`` / ``PRODUCTS#OUT_OF_STOCK``;
* a category's products newest first / by price: Query GSI4 / GSI6 ``PRODUCTS#CATEGORY#<cid>``
  (and its ``#OUT_OF_STOCK`` twin);
* a seller's products of every status, newest first: Query GSI5 ``PRODUCTS#SELLER#<sid>``.

Every read is a Query on a sparse index (no Scan); a filter costs the items it skips.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from pynamodb.expressions.condition import Condition

from shared.commerce.products.models import ProductItem
from shared.data.pagination import Page, query_page
from shared.data.table import Item


def list_index(
    index: str,
    hash_key: str,
    *,
    range_condition: Condition | None = None,
    descending: bool = True,
    filter_condition: Condition | None = None,
    limit: int,
    position: dict[str, Any] | None,
) -> Page[ProductItem]:
    gsi = getattr(Item, index.lower())
    run = partial(gsi.query, hash_key, range_condition, scan_index_forward=not descending)
    return query_page(run, limit=limit, position=position, index=index, filter_condition=filter_condition)
