"""``make bench`` section for the admin dashboard and its rollups (in-process, moto).

1. What the analytics stream consumer writes per stream record: one TransactWriteItems of the
   record's ``APPLIED`` marker and its counters (items per transaction shown), plus, for a
   payment, the refresh of the day's top lists (a consistent BatchGetItem of the touched
   counters, a consistent GetItem and a conditional UpdateItem of the day).
2. What ``GET /api/v1/admin/dashboard`` reads for 30 and 365 days, with every day full (top
   lists of 25 products and 25 sellers each) and with 10 or 10,000 orders a day: the cost
   follows the days, never the orders. moto reports no consumed capacity for transactions or
   queries, so sizes are shown as the bytes read (a read unit is 4 KB, eventually consistent
   reads half a unit).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from devstack.metering import Meter, bench_environment, measure

TABLE = "bench-analytics"
ENV = {
    "APP_ENV": "local",
    "JWT_SECRET": "bench-signing-key-that-is-long-enough-0123456789",
    "TABLE_NAME": TABLE,
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
}
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def _order(status: str, lines: int, sellers: int, **fields: Any) -> dict[str, Any]:
    return {
        "type": "ORDER",
        "orderId": "bench-order",
        "status": status,
        "currency": "usd",
        "lines": [
            {
                "productId": f"p{i}",
                "sellerId": f"s{i % sellers}",
                "name": f"Product {i}",
                "quantity": Decimal(1),
                "lineTotal": Decimal(1000),
            }
            for i in range(lines)
        ],
        "paidAmount": Decimal(0),
        "refundedAmount": Decimal(0),
        "updatedAt": "2026-11-27T12:00:00.000Z",
        **fields,
    }


def _records() -> list[tuple[str, Any, Any, str]]:
    """(label, old image, new image, event name) of the records an order's life puts on the stream."""
    paid = {"paidAmount": Decimal(1000), "paidAt": "2026-11-27T12:00:00.000Z"}
    product = {
        "type": "PRODUCT",
        "productId": "p0",
        "sellerId": "bench-seller",
        "name": "Mug",
        "lowStockThreshold": Decimal(3),
        "status": "active",
    }
    return [
        ("order paid: 1 line, 1 seller", _order("pending", 1, 1), _order("confirmed", 1, 1, **paid), "MODIFY"),
        ("order paid: 10 lines, 3 sellers", _order("pending", 10, 3), _order("confirmed", 10, 3, **paid), "MODIFY"),
        ("paid order shipped", _order("confirmed", 1, 1, **paid), _order("shipped", 1, 1, **paid), "MODIFY"),
        (
            "partial refund",
            _order("shipped", 1, 1, **paid),
            _order("shipped", 1, 1, **paid, refundedAmount=Decimal(300)),
            "MODIFY",
        ),
        ("order tracking edited (nothing counted)", _order("shipped", 1, 1), _order("shipped", 1, 1), "MODIFY"),
        (
            "user registered",
            None,
            {"type": "USER", "role": "customer", "createdAt": "2026-11-27T12:00:00.000Z"},
            "INSERT",
        ),
        (
            "stock 4 -> 3 (threshold 3: entry and email)",
            {**product, "stockQuantity": Decimal(4), "version": Decimal(1)},
            {**product, "stockQuantity": Decimal(3), "version": Decimal(2)},
            "MODIFY",
        ),
        (
            "stock 3 -> 2 (still low: entry refreshed)",
            {**product, "stockQuantity": Decimal(3), "version": Decimal(2)},
            {**product, "stockQuantity": Decimal(2), "version": Decimal(3)},
            "MODIFY",
        ),
    ]


def _row(label: str, meter: Meter, items: list[int], elapsed: float) -> list[str]:
    return [label, str(meter.total_calls), "+".join(map(str, items)) or "-", meter.operations(), f"{elapsed:.1f}"]


def per_record_writes() -> list[list[str]]:
    from shared.commerce.analytics import consumer
    from shared.commerce.analytics.rollups import Change
    from shared.data.table import connection
    from shared.identity.models import UserItem

    rows: list[list[str]] = []
    UserItem.new(
        "bench-seller",
        NOW.isoformat(),
        email="seller@example.com",
        name="Bench Seller",
        password_hash="x",
        role="seller",
        status="approved",
    ).save()
    items: list[int] = []

    def count_items(params: dict[str, Any], **_: Any) -> None:
        items.append(len(params.get("TransactItems", [])))

    connection().client.meta.events.register("provide-client-params.dynamodb.TransactWriteItems", count_items)
    for index, (label, old, new, name) in enumerate(_records()):
        change = Change(event_id=f"bench-{index}", event_name=name, old=old, new=new, at=NOW)
        items.clear()
        meter, outcome, elapsed = measure(partial(consumer.apply, change))
        rows.append(_row(f"{label} ({outcome})", meter, list(items), elapsed))
        if index == 0:
            items.clear()
            meter, outcome, elapsed = measure(partial(consumer.apply, change))
            rows.append(_row(f"the same record redelivered ({outcome})", meter, list(items), elapsed))
    return rows


def _fill(days: int, orders_per_day: int) -> None:
    """``days`` full day items ending on NOW's date: 25 products and 25 sellers in each top list."""
    from shared.commerce.analytics.models import DayRollupItem, day_pk

    with DayRollupItem.batch_write() as batch:
        for offset in range(days):
            day = (NOW.date() - timedelta(days=offset)).isoformat()
            products = [
                [f"product-{i:04d}", f"Product number {i}", orders_per_day, 1999 * orders_per_day] for i in range(25)
            ]
            sellers = [[f"seller-{i:04d}", orders_per_day, 2999 * orders_per_day] for i in range(25)]
            batch.save(
                DayRollupItem(
                    day_pk("usd"),
                    day,
                    day=day,
                    orders=orders_per_day,
                    gmv=4999 * orders_per_day,
                    refunds=100 * orders_per_day,
                    status_confirmed=orders_per_day,
                    top_products=json.dumps(products, separators=(",", ":")),
                    top_sellers=json.dumps(sellers, separators=(",", ":")),
                    top_version=1,
                )
            )


def dashboard_reads() -> list[list[str]]:
    from shared.commerce.analytics import dashboard, repository

    rows: list[list[str]] = []
    last = NOW.date().isoformat()
    for orders_per_day in (10, 10_000):
        _fill(366, orders_per_day)
        for days in (30, 365):
            first = (NOW.date() - timedelta(days=days - 1)).isoformat()
            meter, out, elapsed = measure(partial(dashboard.dashboard, first, last))
            size = len(json.dumps(out.model_dump(by_alias=True)))
            read = sum(len(json.dumps(item.serialize())) for item in repository.days("usd", first, last))
            rows.append(
                [
                    f"{days} days, {orders_per_day:,} orders/day",
                    f"{out.orders.count:,}",
                    str(meter.total_calls),
                    meter.operations(),
                    f"{read / 1024:,.0f}",
                    f"{size:,}",
                    f"{elapsed:.1f}",
                ]
            )
    return rows


def _run() -> tuple[list[list[str]], list[list[str]]]:
    import boto3
    from moto import mock_aws

    from devstack.resources import create_table

    with bench_environment(ENV), mock_aws():
        create_table(boto3.client("dynamodb", region_name="us-east-1"), TABLE)
        from shared.data.table import configure_table
        from shared.messaging.clients import reset_clients

        reset_clients()
        configure_table(TABLE)
        return per_record_writes(), dashboard_reads()


def section() -> list[tuple[str, list[str], list[list[str]]]]:
    writes, reads = _run()
    return [
        (
            "Analytics consumer: DynamoDB calls per stream record (items: TransactItems per transaction)",
            ["record", "calls", "items", "operations", "ms"],
            writes,
        ),
        (
            "Admin dashboard: DynamoDB calls per read (every day full; the cost follows days, not orders)",
            ["range", "orders counted", "calls", "operations", "KB of day items read", "response bytes", "ms"],
            reads,
        ),
    ]


if __name__ == "__main__":
    from devstack.bench import print_table

    for title, head, table in section():
        print_table(title, head, table)
