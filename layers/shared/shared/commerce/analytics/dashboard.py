"""The admin dashboard, read from the daily rollups (see :mod:`.rollups` for what each number
means and :mod:`.models` for the keys).

Cost: two Queries of one item per day with activity (money and sign-ups), whatever the number
of orders, plus one BatchGetItem of the top 10 sellers' accounts and store profiles (their names). 366 days read at
most 732 small items.

Top lists over a range merge each day's top :data:`~.models.TOP_PER_DAY` (exact per day). For
a range this is exact whenever every product (seller) that sold on a day outside that day's
top 25 would not reach the range's top 10 anyway, which is the usual shape of sales; otherwise
a product's total counts only its days in the lists (a lower bound), and a product that is
never in a day's top 25 but steady every day can be missed. Exact ranking for arbitrary
ranges would need per-period counters read in proportion to products; this keeps the read
O(days).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.commerce.analytics import repository
from shared.commerce.analytics.models import USERS_SCOPE, DayRollupItem
from shared.commerce.analytics.rollups import STATUS_FIELDS
from shared.commerce.analytics.schemas import (
    DashboardOut,
    DayOut,
    OrdersOut,
    TopProductOut,
    TopSellerOut,
)
from shared.commerce.sellers import repository as sellers
from shared.errors import InvalidInput

DEFAULT_DAYS = 30
MAX_DAYS = 366
TOP = 10
PAID_STATUSES = ("confirmed", "processing", "shipped", "delivered", "cancelled", "refunded")


def _parse(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{field} must be a date (YYYY-MM-DD)", errors={field: ["must be a valid date (YYYY-MM-DD)"]}
        ) from None


def period(start: str | None, end: str | None, today: date | None = None) -> tuple[date, date]:
    """The inclusive range asked for: ``to`` defaults to today (UTC), ``from`` to 29 days before
    ``to`` (30 days). Raises :class:`InvalidInput` for a date that does not exist, ``from``
    after ``to`` (``INVALID_DATE_RANGE``) or more than 366 days (``DATE_RANGE_TOO_LONG``)."""
    last = _parse(end, "to") if end else (today or datetime.now(UTC).date())
    if start:
        first = _parse(start, "from")
    elif last < date.min + timedelta(days=DEFAULT_DAYS - 1):
        raise InvalidInput("to is too early", errors={"to": ["must be a later date"]})
    else:
        first = last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidInput(
            "from must not be after to", code="INVALID_DATE_RANGE", errors={"from": ["must not be after to"]}
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(
            f"The range is at most {MAX_DAYS} days",
            code="DATE_RANGE_TOO_LONG",
            errors={"from": [f"at most {MAX_DAYS} days before to"]},
        )
    return first, last


def _n(item: DayRollupItem | None, name: str) -> int:
    return int(getattr(item, name, None) or 0) if item is not None else 0


def dashboard(start: str | None, end: str | None, currency: str = "usd") -> DashboardOut:
    first, last = period(start, end)
    money = {item.day: item for item in repository.days(currency, first.isoformat(), last.isoformat())}
    signups = repository.days(USERS_SCOPE, first.isoformat(), last.isoformat())
    daily: list[DayOut] = []
    for offset in range((last - first).days + 1):
        day = (first + timedelta(days=offset)).isoformat()
        item = money.get(day)
        daily.append(DayOut(date=day, orders=_n(item, "orders"), gmv=_n(item, "gmv"), refunds=_n(item, "refunds")))
    days = list(money.values())
    gmv = sum(_n(d, "gmv") for d in days)
    refunds = sum(_n(d, "refunds") for d in days)
    count = sum(_n(d, "orders") for d in days)
    by_status = {status: sum(_n(d, STATUS_FIELDS[status]) for d in days) for status in PAID_STATUSES}
    return DashboardOut(
        currency=currency,
        **{"from": first.isoformat()},
        to=last.isoformat(),
        gmv=gmv,
        refunds=refunds,
        net_revenue=gmv - refunds,
        platform_fees=sum(_n(d, "platform_fees") for d in days),
        orders=OrdersOut(count=count, by_status=by_status),
        average_order_value=(gmv + count // 2) // count if count else 0,
        new_customers=sum(_n(d, "new_customers") for d in signups),
        new_sellers=sum(_n(d, "new_sellers") for d in signups),
        daily=daily,
        top_products=_top_products(days),
        top_sellers=_top_sellers(days),
    )


def _top_products(days: list[DayRollupItem]) -> list[TopProductOut]:
    totals: dict[str, list[Any]] = {}
    for item in sorted(days, key=lambda d: d.day):
        for pid, name, units, revenue in repository.top_products(item):
            entry = totals.setdefault(str(pid), [str(pid), name, 0, 0])
            entry[1] = name or entry[1]  # the latest day's name
            entry[2] += int(units)
            entry[3] += int(revenue)
    ranked = sorted(totals.values(), key=lambda e: (-e[3], -e[2], e[0]))[:TOP]
    return [TopProductOut(product_id=e[0], name=e[1], units=e[2], revenue=e[3]) for e in ranked]


def _top_sellers(days: list[DayRollupItem]) -> list[TopSellerOut]:
    totals: dict[str, list[Any]] = {}
    for item in days:
        for sid, orders, revenue in repository.top_sellers(item):
            entry = totals.setdefault(str(sid), [str(sid), 0, 0])
            entry[1] += int(orders)
            entry[2] += int(revenue)
    ranked = sorted(totals.values(), key=lambda e: (-e[2], -e[1], e[0]))[:TOP]
    names = sellers.store_names([e[0] for e in ranked])
    return [TopSellerOut(seller_id=e[0], store_name=names.get(e[0]), orders=e[1], revenue=e[2]) for e in ranked]
