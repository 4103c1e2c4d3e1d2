"""The analytics consumer on the table's real stream records (moto): dashboard totals equal the
orders to the cent, whatever the stream redelivers, and low-stock alerts email once per crossing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from shared.commerce.analytics import consumer

from tests.support.analytics import CONSUMER, Stream
from tests.support.api import Account, Api, assert_problem
from tests.support.checkout import buy, deliver_events, open_shop, order, start_payment, stripe_event
from tests.support.localstripe import pay_intent
from tests.support.products import approved_seller, create_product

pytestmark = pytest.mark.usefixtures("local_stripe")
DASHBOARD = "/api/v1/admin/dashboard"
LOW_STOCK = "/api/v1/sellers/me/low-stock"
SAMPLE = Path(__file__).parents[2] / "events" / "analytics_stream" / "dynamodb_marketplaceStream.json"


def pay(api: Api, buyer: Account, order_id: str, local_stripe: str) -> dict[str, Any]:
    intent = start_payment(api, buyer, order_id)
    deliver_events(api, stripe_event("payment_intent.succeeded", pay_intent(local_stripe, intent["paymentIntentId"])))
    return order(api, buyer, order_id)


def post(api: Api, account: Account, path: str, body: Any = None) -> Any:
    res = api.call("POST", path, body, token=account.access_token)
    assert res.status == 200, res.body
    return res.data


def dashboard(api: Api, admin: Account, **query: str) -> dict[str, Any]:
    res = api.call("GET", DASHBOARD, token=admin.access_token, query=query or None)
    assert res.status == 200, res.body
    return dict(res.data)


def marketplace(api: Api, admin: Account, customer: Account, local_stripe: str) -> dict[str, Any]:
    """Two sellers; three paid orders (one delivered, one partly refunded, one cancelled and so
    refunded in full) and one order never paid."""
    mugs = open_shop(api, admin, stock=20, prices=(1850,), name="Mugs")
    lamps = open_shop(api, admin, stock=20, prices=(4200,), name="Lamps")
    api.call("PATCH", "/api/v1/sellers/me", {"storeName": "Lamp Land"}, token=lamps.seller.access_token)
    mug, lamp = mugs.products[0]["id"], lamps.products[0]["id"]
    delivered = pay(api, customer, buy(api, customer, mug, 2)["id"], local_stripe)
    post(api, mugs.seller, f"/api/v1/orders/{delivered['id']}/ship", {"trackingNumber": "TRACK-1"})
    post(api, mugs.seller, f"/api/v1/orders/{delivered['id']}/deliver")
    refunded = pay(api, customer, buy(api, customer, lamp, 1)["id"], local_stripe)
    post(api, admin, f"/api/v1/orders/{refunded['id']}/refund", {"amount": 500})
    cancelled = pay(api, customer, buy(api, customer, mug, 1)["id"], local_stripe)
    post(api, customer, f"/api/v1/orders/{cancelled['id']}/cancel")
    buy(api, customer, lamp, 3)  # never paid
    return {"delivered": delivered, "refunded": refunded, "cancelled": cancelled, "mug": mug, "lamp": lamp}


def test_dashboard_totals_equal_the_orders_to_the_cent_and_redelivery_changes_nothing(
    api: Api, admin: Account, customer: Account, local_stripe: str
) -> None:
    # Given paid, shipped, delivered, partly refunded and cancelled orders of two sellers
    made = marketplace(api, admin, customer, local_stripe)
    paid = [made["delivered"], made["refunded"], made["cancelled"]]

    # When the consumer has read the stream
    stream = Stream(api)
    records = stream.run()
    data = dashboard(api, admin)

    # Then every number is the orders' own
    gmv = sum(o["totalAmount"] for o in paid)
    refunds = 500 + made["cancelled"]["totalAmount"]
    assert data["currency"] == "usd"
    assert (data["gmv"], data["refunds"], data["netRevenue"]) == (gmv, refunds, gmv - refunds)
    assert data["platformFees"] == 0
    assert data["orders"]["count"] == 3
    assert data["orders"]["byStatus"] == {
        "confirmed": 1,
        "processing": 0,
        "shipped": 0,
        "delivered": 1,
        "cancelled": 1,
        "refunded": 0,
    }
    assert data["averageOrderValue"] == (gmv + 1) // 3
    assert (data["newCustomers"], data["newSellers"]) == (1, 2)
    assert len(data["daily"]) == 30
    today = data["daily"][-1]
    assert today == {"date": data["to"], "orders": 3, "gmv": gmv, "refunds": refunds}
    assert sum(day["gmv"] for day in data["daily"]) == gmv
    assert (
        data["topProducts"]
        == [
            {"productId": made["lamp"], "name": made["refunded"]["items"][0]["name"], "units": 1, "revenue": 4200},
            {"productId": made["mug"], "name": made["delivered"]["items"][0]["name"], "units": 3, "revenue": 5550},
        ][::-1]
    )
    sellers = {s["storeName"]: (s["orders"], s["revenue"]) for s in data["topSellers"]}
    assert sellers == {"Lamp Land": (1, 4200), "Mugs Seller": (2, 5550)}

    # And when the stream delivers every record again, in bisected halves, nothing changes
    half = len(records) // 2
    assert stream.deliver(records[:half]) == {"batchItemFailures": []}
    assert stream.deliver(records[half:]) == {"batchItemFailures": []}
    assert dashboard(api, admin) == data


def test_a_failing_record_is_retried_alone_without_double_counting(
    api: Api, admin: Account, customer: Account, local_stripe: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the stream of paid orders, and a write that fails for the second order's payment
    shop = open_shop(api, admin, stock=10, prices=(1000,))
    first = pay(api, customer, buy(api, customer, shop.products[0]["id"])["id"], local_stripe)
    second = pay(api, customer, buy(api, customer, shop.products[0]["id"], 2)["id"], local_stripe)
    stream = Stream(api)
    records = stream.take()
    payment = next(
        r
        for r in records
        if r["eventName"] == "MODIFY"
        and r["dynamodb"]["NewImage"].get("orderId", {}).get("S") == second["id"]
        and "paidAmount" in r["dynamodb"]["NewImage"]
        and r["dynamodb"]["NewImage"]["status"]["S"] == "confirmed"
        and r["dynamodb"]["OldImage"]["status"]["S"] == "pending"
    )
    apply = consumer.apply

    def failing(change: Any) -> Any:
        if change.event_id == payment["eventID"]:
            raise RuntimeError("DynamoDB is having a bad day")
        return apply(change)

    monkeypatch.setattr(consumer, "apply", failing)

    # When the batch is delivered, the failure is reported for that record only
    result = stream.deliver(records)
    assert result == {"batchItemFailures": [{"itemIdentifier": payment["dynamodb"]["SequenceNumber"]}]}

    # And the stream retries from it, bisecting, once the write works again
    monkeypatch.setattr(consumer, "apply", apply)
    retry = records[records.index(payment) :]
    half = max(1, len(retry) // 2)
    for part in (retry[:half], retry[half:], retry):
        assert not part or stream.deliver(part) == {"batchItemFailures": []}

    # Then each order counts once
    data = dashboard(api, admin)
    assert data["orders"]["count"] == 2
    assert data["gmv"] == first["totalAmount"] + second["totalAmount"]
    assert data["topProducts"][0]["units"] == 3


def test_a_product_sold_below_its_threshold_emails_its_seller_once_per_crossing(
    api: Api, admin: Account, customer: Account
) -> None:
    # Given a product with 10 in stock and a low-stock threshold of 3
    seller = approved_seller(api, admin, name="Stock Keeper")
    product = create_product(api, seller.access_token, stockQuantity=10, lowStockThreshold=3)
    other = create_product(api, seller.access_token, stockQuantity=10, lowStockThreshold=3)
    stream = Stream(api)
    stream.run()
    assert api.call("GET", LOW_STOCK, token=seller.access_token).data["items"] == []

    # When orders take it to 2, then to 1
    first = buy(api, customer, product["id"], 8)
    buy(api, customer, product["id"], 1)
    stream.run()
    api.deliver_emails()

    # Then the seller got one "Low stock" email, and the product is listed
    mails = api.mails_to(seller.email)
    alerts = [m for m in mails if m.subject.startswith("Low stock")]
    assert [m.subject for m in alerts] == [f"Low stock: {product['name']}"]
    assert "2 left in stock" in alerts[0].text
    listed = api.call("GET", LOW_STOCK, token=seller.access_token).data["items"]
    assert [(p["productId"], p["stockQuantity"], p["lowStockThreshold"]) for p in listed] == [(product["id"], 1, 3)]

    # And replaying the stream sends nothing more
    Stream(api).run()
    api.deliver_emails()
    assert len([m for m in api.mails_to(seller.email) if m.subject.startswith("Low stock")]) == 1

    # When the big order is cancelled (stock back to 9: re-armed) and stock falls again
    post(api, customer, f"/api/v1/orders/{first['id']}/cancel")
    stream.run()
    assert api.call("GET", LOW_STOCK, token=seller.access_token).data["items"] == []
    buy(api, customer, product["id"], 7)
    stream.run()
    api.deliver_emails()

    # Then that new crossing is emailed once more; the other product never was
    alerts = [m for m in api.mails_to(seller.email) if m.subject.startswith("Low stock")]
    assert [m.subject for m in alerts] == [f"Low stock: {product['name']}"] * 2
    assert other["name"] not in " ".join(m.subject for m in alerts)


def test_the_dashboard_is_for_admins_with_valid_ranges(api: Api, admin: Account, customer: Account) -> None:
    seller = approved_seller(api, admin)
    for account in (customer, seller):
        assert_problem(api.call("GET", DASHBOARD, token=account.access_token), 403, "INSUFFICIENT_PERMISSIONS")
    assert_problem(api.call("GET", LOW_STOCK, token=customer.access_token), 403, "INSUFFICIENT_PERMISSIONS")
    assert_problem(api.call("GET", DASHBOARD), 401, "NO_TOKEN")
    bad = [
        ({"from": "2026-02-30"}, "VALIDATION_ERROR"),
        ({"from": "yesterday"}, "VALIDATION_ERROR"),
        ({"to": "2026-13-01"}, "VALIDATION_ERROR"),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "INVALID_DATE_RANGE"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "DATE_RANGE_TOO_LONG"),
        ({"currency": "xyz"}, "VALIDATION_ERROR"),
    ]
    for query, code in bad:
        assert_problem(api.call("GET", DASHBOARD, token=admin.access_token, query=query), 400, code)
    year = dashboard(api, admin, **{"from": "2025-01-01", "to": "2026-01-01"})
    assert len(year["daily"]) == 366
    assert (year["from"], year["to"]) == ("2025-01-01", "2026-01-01")
    assert (year["gmv"], year["topProducts"], year["averageOrderValue"]) == (0, [], 0)


def test_the_committed_sample_counts_once_and_alerts_the_seller(api: Api, admin: Account) -> None:
    # Given the sample's seller exists (the sample: a crossing of their product, then a payment)
    from shared.clock import now_iso
    from shared.identity.models import UserItem

    sample = json.loads(SAMPLE.read_text())
    UserItem.new(
        "sample-seller",
        now_iso(),
        email="sample.seller@example.com",
        name="Sam",
        password_hash="x",
        role="seller",
        status="approved",
    ).save()

    # When it is delivered twice
    for _ in range(2):
        assert api.invoke(CONSUMER, sample) == {"batchItemFailures": []}

    # Then the payment counts once on its day and the seller gets one alert
    data = dashboard(api, admin, **{"from": "2026-11-22", "to": "2026-11-22"})
    assert (data["gmv"], data["orders"]["count"], data["orders"]["byStatus"]["confirmed"]) == (3837, 1, 1)
    assert data["topProducts"] == [
        {"productId": "sample-product", "name": "Blue Ceramic Coffee Mug", "units": 2, "revenue": 2998}
    ]
    assert data["topSellers"] == [{"sellerId": "sample-seller", "storeName": "Sam", "orders": 1, "revenue": 2998}]
    api.deliver_emails()
    assert [m.subject for m in api.mails_to("sample.seller@example.com")] == ["Low stock: Blue Ceramic Coffee Mug"]


def test_concurrent_top_list_refreshes_both_land(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given two payments on one day whose consumers refresh the day's top list at the same time
    from shared.commerce.analytics import repository
    from shared.commerce.analytics.rollups import Increment, ProductSale, SellerSale
    from shared.data.transactions import transaction

    def sold(product: str, seller: str, revenue: int) -> None:
        inc = Increment("usd", "2026-11-20", {"orders": 1}, {product: ProductSale(product, 1, revenue)})
        inc.sellers = {seller: SellerSale(1, revenue)}
        with transaction() as tx:
            repository.add_increments(tx, [inc])

    sold("first", "s1", 100)
    sold("second", "s2", 200)
    read = repository.get_day
    raced = False

    def stale_read(scope: str, day: str) -> Any:
        nonlocal raced
        found = read(scope, day)
        if not raced:  # the other consumer writes between this read and our conditional update
            raced = True
            repository.refresh_tops("usd", "2026-11-20", ["second"], ["s2"])
        return found

    monkeypatch.setattr(repository, "get_day", stale_read)

    # When one refresh loses the race on topVersion
    repository.refresh_tops("usd", "2026-11-20", ["first"], ["s1"])

    # Then it merged again on the fresh list: both products and sellers are there
    day = read("usd", "2026-11-20")
    assert day is not None
    assert [entry[0] for entry in repository.top_products(day)] == ["second", "first"]
    assert [entry[0] for entry in repository.top_sellers(day)] == ["s2", "s1"]
    assert int(day.top_version or 0) == 2
