"""Data access for the rollups (the only module building their keys); see :mod:`.models`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from shared.clock import iso, now
from shared.commerce.analytics.models import (
    APPLIED_SK,
    TOP_PER_DAY,
    AppliedRecordItem,
    DayRollupItem,
    ProductDayItem,
    SellerDayItem,
    day_pk,
    marker_pk,
    products_pk,
    sellers_pk,
)
from shared.commerce.analytics.rollups import Increment
from shared.data.table import Item
from shared.data.transactions import is_condition_failure, transaction

MARKER_RETENTION = timedelta(days=2)  # longer than the stream keeps a record (24 h)
TOP_REFRESH_ATTEMPTS = 8

# A top entry: products ``[id, name, units, revenue]``, sellers ``[id, orders, revenue]``.
TopEntry = list[Any]


def apply_once(event_id: str, write: Callable[[TransactWrite], None]) -> bool:
    """Commit ``write``'s operations together with the put of the record's ``APPLIED`` marker,
    conditioned on its absence: ``False`` (nothing written) when the record was applied
    before. Other failures propagate (the stream retries the record)."""
    marker = AppliedRecordItem(marker_pk(event_id), APPLIED_SK, event_id=event_id, applied_at=iso(now()))
    marker.ttl = now() + MARKER_RETENTION
    try:
        with transaction() as tx:
            tx.save(marker, condition=Item.pk.does_not_exist())
            write(tx)
    except TransactWriteError as exc:
        if is_condition_failure(exc) and was_applied(event_id):
            return False
        raise
    return True


def was_applied(event_id: str) -> bool:
    try:
        Item.get(marker_pk(event_id), APPLIED_SK, consistent_read=True, attributes_to_get=["PK"])
    except Item.DoesNotExist:
        return False
    return True


def add_increments(tx: TransactWrite, increments: Iterable[Increment]) -> None:
    """``ADD`` every counter of ``increments`` in ``tx`` (items are created on first use). The
    same day or product twice in one record would be two writes of one item, which a
    transaction refuses, so increments are merged per item first."""
    days: dict[tuple[str, str], dict[str, int]] = {}
    products: dict[tuple[str, str, str], list[Any]] = {}
    sellers: dict[tuple[str, str, str], list[int]] = {}
    for inc in increments:
        counters = days.setdefault((inc.scope, inc.day), {})
        for name, delta in inc.counters.items():
            counters[name] = counters.get(name, 0) + delta
        for pid, sale in inc.products.items():
            entry = products.setdefault((inc.scope, inc.day, pid), [sale.name, 0, 0])
            entry[1] += sale.units
            entry[2] += sale.revenue
        for sid, seller_sale in inc.sellers.items():
            totals = sellers.setdefault((inc.scope, inc.day, sid), [0, 0])
            totals[0] += seller_sale.orders
            totals[1] += seller_sale.revenue
    for (scope, day), counters in days.items():
        actions: list[Any] = [getattr(DayRollupItem, name).add(delta) for name, delta in counters.items() if delta]
        tx.update(
            DayRollupItem(day_pk(scope), day),
            actions=[*actions, DayRollupItem.day.set(day), Item.item_type.set(DayRollupItem)],
        )
    for (scope, day, pid), (name, units, revenue) in products.items():
        tx.update(
            ProductDayItem(products_pk(scope, day), pid),
            actions=[
                ProductDayItem.units.add(units),
                ProductDayItem.revenue.add(revenue),
                ProductDayItem.name.set(name),
                ProductDayItem.product_id.set(pid),
                Item.item_type.set(ProductDayItem),
            ],
        )
    for (scope, day, sid), (orders, revenue) in sellers.items():
        tx.update(
            SellerDayItem(sellers_pk(scope, day), sid),
            actions=[
                SellerDayItem.orders.add(orders),
                SellerDayItem.revenue.add(revenue),
                SellerDayItem.seller_id.set(sid),
                Item.item_type.set(SellerDayItem),
            ],
        )


# ---------------------------------------------------------------------------- top lists


def _merge(entries: list[TopEntry], fresh: dict[str, TopEntry], revenue_at: int) -> list[TopEntry]:
    """``entries`` with ``fresh`` (current values by id) replacing theirs, best first, cut to
    :data:`TOP_PER_DAY`. Ordered by revenue, then by the other count, then id."""
    by_id = {str(entry[0]): entry for entry in entries}
    by_id.update(fresh)
    ranked = sorted(by_id.values(), key=lambda e: (-int(e[revenue_at]), -int(e[revenue_at - 1]), str(e[0])))
    return ranked[:TOP_PER_DAY]


def refresh_tops(scope: str, day: str, product_ids: Iterable[str], seller_ids: Iterable[str]) -> None:
    """Put the current counters of ``product_ids``/``seller_ids`` into the day's top lists.

    Idempotent (it copies counters, it adds nothing), so a replayed record runs it again
    safely, which also completes a refresh a crash interrupted. Concurrent refreshes of one
    day are settled by a condition on ``topVersion``: the loser re-reads and merges again."""
    pkeys = [(products_pk(scope, day), pid) for pid in dict.fromkeys(product_ids)]
    skeys = [(sellers_pk(scope, day), sid) for sid in dict.fromkeys(seller_ids)]
    if not pkeys and not skeys:
        return
    fresh_products: dict[str, TopEntry] = {}
    fresh_sellers: dict[str, TopEntry] = {}
    for found in Item.batch_get([*pkeys, *skeys], consistent_read=True):
        if isinstance(found, ProductDayItem):
            fresh_products[found.sk] = [found.sk, found.name or "", int(found.units or 0), int(found.revenue or 0)]
        elif isinstance(found, SellerDayItem):
            fresh_sellers[found.sk] = [found.sk, int(found.orders or 0), int(found.revenue or 0)]
    for _ in range(TOP_REFRESH_ATTEMPTS):
        current = get_day(scope, day)
        version = int(current.top_version or 0) if current else 0
        products = _merge(_load(current.top_products if current else None), fresh_products, 3)
        sellers = _merge(_load(current.top_sellers if current else None), fresh_sellers, 2)
        condition = DayRollupItem.top_version == version if version else DayRollupItem.top_version.does_not_exist()
        try:
            DayRollupItem(day_pk(scope), day).update(
                actions=[
                    DayRollupItem.top_products.set(_dump(products)),
                    DayRollupItem.top_sellers.set(_dump(sellers)),
                    DayRollupItem.top_version.set(version + 1),
                    DayRollupItem.day.set(day),
                    Item.item_type.set(DayRollupItem),
                ],
                condition=condition,
            )
        except (UpdateError, PutError) as exc:
            if is_condition_failure(exc):
                continue
            raise
        return
    raise RuntimeError(f"top lists of {scope} {day} kept changing; the stream retries the record")


def _load(raw: str | None) -> list[TopEntry]:
    if not raw:
        return []
    value = json.loads(raw)
    return [list(entry) for entry in value] if isinstance(value, list) else []


def _dump(entries: list[TopEntry]) -> str:
    return json.dumps(entries, separators=(",", ":"))


def top_products(item: DayRollupItem) -> list[TopEntry]:
    return _load(item.top_products)


def top_sellers(item: DayRollupItem) -> list[TopEntry]:
    return _load(item.top_sellers)


# ---------------------------------------------------------------------------- reads


def get_day(scope: str, day: str) -> DayRollupItem | None:
    try:
        found = Item.get(day_pk(scope), day, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, DayRollupItem) else None


def days(scope: str, first: str, last: str) -> list[DayRollupItem]:
    """The day items of ``scope`` from ``first`` to ``last`` (inclusive), oldest first: one
    Query (more pages only past 1 MB), one item per day with activity."""
    found = Item.query(day_pk(scope), Item.sk.between(first, last))
    return [item for item in found if isinstance(item, DayRollupItem)]
