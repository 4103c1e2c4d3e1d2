"""Rollup math, day handling, low-stock crossings and the dashboard's range rules (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from shared.commerce.analytics import repository
from shared.commerce.analytics.dashboard import period
from shared.commerce.analytics.rollups import (
    Change,
    Increment,
    ProductSale,
    SellerSale,
    day_of,
    increments_of,
    ledger_fees,
)
from shared.commerce.inventory.alerts import decide
from shared.errors import InvalidInput

AT = datetime(2026, 11, 27, 23, 59, 59, tzinfo=UTC)


def line(product: str, seller: str, quantity: int, unit: int) -> dict[str, Any]:
    return {
        "productId": product,
        "sellerId": seller,
        "name": f"Product {product}",
        "quantity": Decimal(quantity),
        "unitPrice": Decimal(unit),
        "lineTotal": Decimal(quantity * unit),
    }


def order(status: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "ORDER",
        "orderId": "o1",
        "status": status,
        "currency": "usd",
        "lines": [line("p1", "s1", 2, 1000), line("p2", "s2", 1, 500), line("p1", "s1", 1, 1000)],
        "paidAmount": Decimal(0),
        "refundedAmount": Decimal(0),
        "updatedAt": "2026-11-27T10:00:00.000Z",
        **fields,
    }


def change(old: dict[str, Any] | None, new: dict[str, Any] | None, name: str = "MODIFY") -> Change:
    return Change(event_id="e1", event_name=name, old=old, new=new, at=AT)


PAID = {"paidAmount": Decimal(4000), "paidAt": "2026-11-26T23:30:00.000Z"}


def test_a_payment_counts_gmv_the_order_its_lines_and_sellers_on_the_paid_day() -> None:
    (inc,) = increments_of(change(order("pending"), order("confirmed", **PAID)))

    assert (inc.scope, inc.day) == ("usd", "2026-11-26")
    assert inc.counters == {"orders": 1, "gmv": 4000, "status_confirmed": 1}
    assert inc.products == {"p1": ProductSale("Product p1", 3, 3000), "p2": ProductSale("Product p2", 1, 500)}
    assert inc.sellers == {"s1": SellerSale(1, 3000), "s2": SellerSale(1, 500)}


def test_a_paid_order_moving_on_moves_between_statuses_on_its_paid_day() -> None:
    (inc,) = increments_of(change(order("confirmed", **PAID), order("shipped", **PAID)))

    assert inc == Increment("usd", "2026-11-26", {"status_confirmed": -1, "status_shipped": 1})


def test_a_refund_counts_its_increase_on_the_day_it_was_recorded() -> None:
    old = order("delivered", **PAID, refundedAmount=Decimal(500))
    new = order("delivered", **PAID, refundedAmount=Decimal(1200), updatedAt="2026-11-28T00:00:01.000Z")

    assert increments_of(change(old, new)) == [Increment("usd", "2026-11-28", {"refunds": 700})]


def test_cancelling_a_paid_order_moves_it_and_counts_its_refund() -> None:
    old = order("confirmed", **PAID)
    new = order("cancelled", **PAID, refundedAmount=Decimal(4000))

    assert increments_of(change(old, new)) == [
        Increment("usd", "2026-11-26", {"status_confirmed": -1, "status_cancelled": 1}),
        Increment("usd", "2026-11-27", {"refunds": 4000}),
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (order("pending"), order("cancelled")),  # never paid
        (order("confirmed", **PAID), order("confirmed", **PAID, trackingNumber="T")),  # nothing counted changed
        (order("pending"), None),  # removal
    ],
)
def test_records_that_change_no_number_add_nothing(old: dict[str, Any], new: dict[str, Any] | None) -> None:
    assert increments_of(change(old, new)) == []


def test_new_accounts_count_by_role_on_their_creation_day() -> None:
    def user(role: str) -> dict[str, Any]:
        return {"type": "USER", "role": role, "createdAt": "2026-11-01T00:00:00.000Z"}

    assert increments_of(change(None, user("customer"), "INSERT")) == [
        Increment("USERS", "2026-11-01", {"new_customers": 1})
    ]
    assert increments_of(change(None, user("seller"), "INSERT"))[0].counters == {"new_sellers": 1}
    assert increments_of(change(None, user("admin"), "INSERT")) == []
    assert increments_of(change(user("customer"), user("seller"))) == []


def test_commission_ledger_entries_become_platform_fees() -> None:
    fees = ledger_fees({"commission": 1, "commission_reversal": -1})

    def entry(kind: str, amount: int) -> dict[str, Any]:
        return {
            "type": "LEDGER_ENTRY",
            "entryType": kind,
            "amount": Decimal(amount),
            "currency": "usd",
            "createdAt": "2026-11-02T08:00:00.000Z",
        }

    assert fees(change(None, entry("commission", 450), "INSERT")) == [
        Increment("usd", "2026-11-02", {"platform_fees": 450})
    ]
    assert fees(change(None, entry("commission_reversal", 45), "INSERT"))[0].counters == {"platform_fees": -45}
    assert fees(change(None, entry("payment", 4500), "INSERT")) == []
    assert fees(change(entry("commission", 1), entry("commission", 2))) == []
    assert increments_of(change(None, entry("commission", 450), "INSERT")) == [
        Increment("usd", "2026-11-02", {"platform_fees": 450})
    ]
    assert increments_of(change(None, entry("commission", -45), "INSERT"))[0].counters == {"platform_fees": -45}
    assert increments_of(change(None, entry("earning", 4050), "INSERT")) == []


def test_days_are_utc_dates_with_the_record_time_as_fallback() -> None:
    assert day_of("2026-11-27T23:30:00.000-02:00", AT) == "2026-11-28"
    assert day_of("2026-11-27T01:00:00Z", AT) == "2026-11-27"
    assert day_of("2026-11-27T01:00:00", AT) == "2026-11-27"
    assert day_of(None, AT) == "2026-11-27"
    assert day_of("garbage", AT) == "2026-11-27"


def test_top_lists_keep_the_best_by_revenue_and_take_fresh_values() -> None:
    entries = [[f"p{i}", f"P{i}", 1, 100 * i] for i in range(30)]
    merged = repository._merge(entries, {"p0": ["p0", "P0", 9, 99_999]}, 3)

    assert len(merged) == repository.TOP_PER_DAY
    assert merged[0] == ["p0", "P0", 9, 99_999]
    assert [e[0] for e in merged[1:3]] == ["p29", "p28"]


def product(stock: int, threshold: int = 3, status: str = "active", version: int = 1) -> dict[str, Any]:
    return {
        "type": "PRODUCT",
        "productId": "p1",
        "sellerId": "s1",
        "name": "Mug",
        "stockQuantity": Decimal(stock),
        "lowStockThreshold": Decimal(threshold),
        "status": status,
        "version": Decimal(version),
    }


def test_falling_to_the_threshold_is_a_crossing_that_emails() -> None:
    decision = decide(product(4), product(3, version=2))
    assert decision is not None
    assert (decision.action, decision.email, decision.product.version) == ("keep", True, 2)


def test_staying_low_rising_and_starting_low() -> None:
    still = decide(product(2), product(1))
    assert still is not None
    assert (still.action, still.email) == ("keep", False)
    assert decide(product(2), product(2, version=9)) is None
    risen = decide(product(2), product(4))
    assert risen is not None
    assert risen.action == "clear"
    assert decide(product(5), product(4)) is None
    created = decide(None, product(0))
    assert created is not None
    assert (created.action, created.email) == ("keep", False)
    draft = decide(product(5, status="draft"), product(1, status="draft"))
    assert draft is not None
    assert draft.email is False
    raised = decide(product(5), product(5, threshold=5))
    assert raised is not None
    assert raised.email is True
    removed = decide(product(1), None)
    assert removed is not None
    assert removed.action == "clear"


def test_ranges_default_to_30_days_and_are_checked() -> None:
    today = date(2026, 11, 27)
    assert period(None, None, today) == (date(2026, 10, 29), today)
    assert period("2026-01-01", "2026-12-31", today) == (date(2026, 1, 1), date(2026, 12, 31))
    assert period("2024-01-01", "2024-12-31", today)[0] == date(2024, 1, 1)  # 366 days
    with pytest.raises(InvalidInput) as too_long:
        period("2025-01-01", "2026-01-02", today)
    assert too_long.value.code == "DATE_RANGE_TOO_LONG"
    with pytest.raises(InvalidInput) as reversed_range:
        period("2026-02-02", "2026-02-01", today)
    assert reversed_range.value.code == "INVALID_DATE_RANGE"
    with pytest.raises(InvalidInput):
        period(None, "0001-01-05", today)
    with pytest.raises(InvalidInput) as bad:
        period("2026-02-30", None, today)
    assert bad.value.errors == {"from": ["must be a valid date (YYYY-MM-DD)"]}
