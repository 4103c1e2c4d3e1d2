"""What each stream record adds to the daily rollups: pure functions of the record's images.

The consumer looks a record's item ``type`` up in :data:`HANDLERS` and writes the increments
the handler returns (see :mod:`.consumer`). A new source of numbers is one more entry there:
a function from a :class:`Change` to a list of :class:`Increment`.

Definitions (every day is a UTC date)
=====================================

- **GMV**: what buyers paid. An order's ``paidAmount`` is set once, when the payment lands
  (``pending`` → ``confirmed``); the increase counts as GMV on the day of its ``paidAt``. That
  same record counts the order once in ``orders`` (so ``orders`` are *paid* orders, and an
  unpaid order that is cancelled or expires never counts), its lines in the top products
  (units, line totals) and each of its sellers once in the top sellers (their line totals).
- **Refunds**: every increase of an order's ``refundedAmount`` (partial refunds, full refunds,
  the refund of a cancelled paid order), on the day of the record's ``updatedAt`` (the moment
  the refund was recorded). ``netRevenue = gmv - refunds``. Top lists stay gross (sales).
- **byStatus**: the orders paid in the range, by their status now. The paying record adds
  the order to its paid day under its status; each later status change of a paid order moves
  it, on that same paid day, from the old status to the new one. So ``sum(byStatus) ==
  orders.count`` for any range, and a delivered order counts as ``delivered``, not also as
  ``confirmed``.
- **newCustomers / newSellers**: INSERTs of user profiles by role, on their ``createdAt`` day.
- **platformFees**: the commission the platform keeps: the ``amount`` of every ``commission``
  ledger entry (``LEDGER_ENTRY`` items, signed: positive when an order is paid, negative for the
  commission given back with a refund), on the day of the entry's ``createdAt``.

A record that changes none of these (an order's tracking number, a user's name) returns no
increment, and the consumer writes nothing for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared.commerce.analytics.models import USERS_SCOPE

STATUS_FIELDS: dict[str, str] = {
    status: f"status_{status}"
    for status in ("pending", "confirmed", "processing", "shipped", "delivered", "cancelled", "refunded")
}
ROLE_FIELDS: dict[str, str] = {"customer": "new_customers", "seller": "new_sellers"}


@dataclass(frozen=True)
class Change:
    """One stream record: its id, ``INSERT``/``MODIFY``/``REMOVE``, both images as plain values
    (numbers as ``Decimal`` or ``int``) and its approximate time."""

    event_id: str
    event_name: str
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None
    at: datetime

    @property
    def item_type(self) -> str:
        image = self.new or self.old or {}
        return str(image.get("type") or "")


@dataclass(frozen=True)
class ProductSale:
    name: str
    units: int
    revenue: int


@dataclass(frozen=True)
class SellerSale:
    orders: int
    revenue: int


@dataclass
class Increment:
    """Deltas for one day of one scope (a currency, or :data:`USERS_SCOPE`): ``counters`` names
    :class:`~.models.DayRollupItem` attributes; ``products``/``sellers`` feed that day's counters
    and top lists."""

    scope: str
    day: str
    counters: dict[str, int] = field(default_factory=dict)
    products: dict[str, ProductSale] = field(default_factory=dict)
    sellers: dict[str, SellerSale] = field(default_factory=dict)


def day_of(timestamp: Any, fallback: datetime) -> str:
    """The UTC date (``YYYY-MM-DD``) of an ISO-8601 timestamp, or of ``fallback`` when it is
    missing or unreadable."""
    if isinstance(timestamp, str) and timestamp:
        try:
            moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
        except ValueError:
            moment = fallback
        else:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
    else:
        moment = fallback
    return moment.astimezone(UTC).date().isoformat()


def _int(image: Mapping[str, Any] | None, name: str) -> int:
    value = (image or {}).get(name)
    return int(value) if value is not None else 0


def _sales(lines: Any) -> tuple[dict[str, ProductSale], dict[str, SellerSale]]:
    products: dict[str, ProductSale] = {}
    revenue_by_seller: dict[str, int] = {}
    for line in lines or []:
        product_id, seller_id = str(line["productId"]), str(line["sellerId"])
        units, revenue = int(line["quantity"]), int(line["lineTotal"])
        before = products.get(product_id)
        products[product_id] = ProductSale(
            name=str(line.get("name") or ""),
            units=units + (before.units if before else 0),
            revenue=revenue + (before.revenue if before else 0),
        )
        revenue_by_seller[seller_id] = revenue_by_seller.get(seller_id, 0) + revenue
    sellers = {sid: SellerSale(orders=1, revenue=revenue) for sid, revenue in revenue_by_seller.items()}
    return products, sellers


def order_increments(change: Change) -> list[Increment]:
    """Payment, status moves of paid orders, refunds (see the module's definitions)."""
    old, new = change.old, change.new
    if new is None:
        return []  # orders are never deleted; a removal changes no past numbers
    currency = str(new.get("currency") or "usd")
    increments: list[Increment] = []
    paid_before, paid_now = _int(old, "paidAmount"), _int(new, "paidAmount")
    status_now = str(new.get("status") or "")
    paid_day = day_of(new.get("paidAt"), change.at)
    if paid_now > paid_before and paid_before == 0:
        products, sellers = _sales(new.get("lines"))
        counters = {"orders": 1, "gmv": paid_now}
        if status_now in STATUS_FIELDS:
            counters[STATUS_FIELDS[status_now]] = 1
        increments.append(Increment(currency, paid_day, counters, products, sellers))
    elif paid_before > 0 and old is not None:
        status_before = str(old.get("status") or "")
        if status_before != status_now and status_before in STATUS_FIELDS and status_now in STATUS_FIELDS:
            increments.append(
                Increment(currency, paid_day, {STATUS_FIELDS[status_before]: -1, STATUS_FIELDS[status_now]: 1})
            )
    refunded = _int(new, "refundedAmount") - _int(old, "refundedAmount")
    if refunded > 0:
        increments.append(Increment(currency, day_of(new.get("updatedAt"), change.at), {"refunds": refunded}))
    return increments


def user_increments(change: Change) -> list[Increment]:
    """A new account, counted by its role on the day it was created."""
    if change.event_name != "INSERT" or change.new is None:
        return []
    counter = ROLE_FIELDS.get(str(change.new.get("role") or ""))
    if counter is None:
        return []
    return [Increment(USERS_SCOPE, day_of(change.new.get("createdAt"), change.at), {counter: 1})]


def ledger_fees(signs: Mapping[str, int], *, kind: str = "entryType") -> Callable[[Change], list[Increment]]:
    """A handler counting platform fees from the INSERTs of ledger entries: ``signs`` maps the
    kinds that are platform revenue (the attribute ``kind`` of the entry) to +1 or -1, e.g.
    ``{"commission": 1, "commission_reversal": -1}`` (use 1 for kinds whose ``amount`` is already
    negative). Counted in the entry's ``currency`` on the day of its ``createdAt``."""

    def fees(change: Change) -> list[Increment]:
        entry = change.new
        if change.event_name != "INSERT" or entry is None:
            return []
        sign = signs.get(str(entry.get(kind) or ""))
        amount = _int(entry, "amount")
        if not sign or not amount:
            return []
        day = day_of(entry.get("createdAt"), change.at)
        return [Increment(str(entry.get("currency") or "usd"), day, {"platform_fees": sign * amount})]

    return fees


# Item type -> the increments a record of it adds; each type also needs a pattern in
# AnalyticsStreamFunction's FilterCriteria (template.yaml).
HANDLERS: dict[str, Callable[[Change], list[Increment]]] = {
    "ORDER": order_increments,
    "USER": user_increments,
    # Commission entries are signed (a refund's share is negative), so one sign fits both.
    "LEDGER_ENTRY": ledger_fees({"commission": 1}),
}


def increments_of(change: Change) -> list[Increment]:
    handler = HANDLERS.get(change.item_type)
    return handler(change) if handler else []
