"""The admin dashboard and low-stock alerts over HTTP on the local stack: orders paid on the local
Stripe reach the dashboard through the table stream, to the cent; a product sold below its
threshold emails its seller once; only admins read the dashboard.

The session's other tests sell in US dollars; these sell in Australian dollars, so the ``aud``
dashboard holds exactly this test's orders."""

from __future__ import annotations

from typing import Any

import pytest

from devstack.httpclient import Client
from devstack.stack import DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD
from tests.e2e.conftest import LocalStack, eventually
from tests.e2e.test_products import account, approved_seller
from tests.support.checkout import ADDRESS
from tests.support.localstripe import pay_intent

pytestmark = pytest.mark.e2e
CURRENCY = "aud"


def sell(api: Client, seller: dict[str, Any], name: str, *, price: int, stock: int, threshold: int) -> dict[str, Any]:
    body = {
        "name": name,
        "price": price,
        "currency": CURRENCY,
        "stockQuantity": stock,
        "lowStockThreshold": threshold,
        "status": "active",
    }
    res = api("POST", "/api/v1/products", body, token=seller["accessToken"])
    assert res.status == 201, res.body
    return dict(res.data)


def paid_order(stack: LocalStack, api: Client, buyer: dict[str, Any], product_id: str, quantity: int) -> dict[str, Any]:
    token = buyer["accessToken"]
    res = api("POST", "/api/v1/cart/items", {"productId": product_id, "quantity": quantity}, token=token)
    assert res.status in (200, 201), res.body
    placed = api("POST", "/api/v1/orders", {"shippingAddress": ADDRESS}, token=token)
    assert placed.status == 201, placed.body
    intent = api("POST", "/api/v1/payments/intent", {"orderId": placed.data["id"]}, token=token)
    assert intent.status == 200, intent.body
    pay_intent(stack.info["stripeUrl"], intent.data["paymentIntentId"])

    def confirmed() -> dict[str, Any] | None:
        found = api("GET", f"/api/v1/orders/{placed.data['id']}", token=token).data
        return dict(found) if found["status"] == "confirmed" else None

    return eventually(confirmed, timeout=30)


def low_stock_mails(api: Client, seller: dict[str, Any]) -> list[dict[str, Any]]:
    mails = api("GET", f"/_local/emails?to={seller['user']['email']}").data["items"]
    return [m for m in mails if m["subject"].startswith("Low stock")]


def test_paid_orders_reach_the_dashboard_to_the_cent_and_low_stock_emails_once(stack: LocalStack, api: Client) -> None:
    admin = api("POST", "/api/v1/auth/login", {"email": DEFAULT_ADMIN_EMAIL, "password": DEFAULT_ADMIN_PASSWORD})
    admin_token = admin.data["accessToken"]
    kettles, lamps, buyer = approved_seller(api), approved_seller(api), account(api)

    # Only admins read the dashboard; only sellers their low-stock list
    for who in (buyer, kettles):
        res = api("GET", "/api/v1/admin/dashboard", token=who["accessToken"])
        assert (res.status, res.error["code"]) == (403, "INSUFFICIENT_PERMISSIONS")
    assert api("GET", "/api/v1/sellers/me/low-stock", token=buyer["accessToken"]).status == 403

    # Given two sellers' products, and orders paid on the local Stripe (one partly refunded)
    kettle = sell(api, kettles, "E2E Dashboard Kettle", price=2500, stock=10, threshold=3)
    lamp = sell(api, lamps, "E2E Dashboard Lamp", price=7000, stock=5, threshold=1)
    first = paid_order(stack, api, buyer, kettle["id"], 8)  # 10 -> 2: below the threshold of 3
    second = paid_order(stack, api, buyer, lamp["id"], 1)  # 5 -> 4: above its threshold of 1
    refund = api("POST", f"/api/v1/orders/{second['id']}/refund", {"amount": 700}, token=admin_token)
    assert refund.status == 200, refund.body
    gmv = first["totalAmount"] + second["totalAmount"]

    # Then the dashboard shows exactly those orders, once the stream has been read
    def settled() -> dict[str, Any] | None:
        res = api("GET", f"/api/v1/admin/dashboard?currency={CURRENCY}", token=admin_token)
        assert res.status == 200, res.body
        return dict(res.data) if res.data["refunds"] == 700 and res.data["orders"]["count"] == 2 else None

    data = eventually(settled, timeout=30)
    assert (data["currency"], data["gmv"], data["refunds"], data["netRevenue"]) == (CURRENCY, gmv, 700, gmv - 700)
    assert data["orders"]["byStatus"]["confirmed"] == 2
    assert data["averageOrderValue"] == (gmv + 1) // 2
    assert data["daily"][-1] == {"date": data["to"], "orders": 2, "gmv": gmv, "refunds": 700}
    assert [(p["productId"], p["units"], p["revenue"]) for p in data["topProducts"]] == [
        (kettle["id"], 8, 20_000),
        (lamp["id"], 1, 7000),
    ]
    assert [(s["sellerId"], s["orders"], s["revenue"]) for s in data["topSellers"]] == [
        (kettles["user"]["id"], 1, 20_000),
        (lamps["user"]["id"], 1, 7000),
    ]
    # platformFees is the commission the ledger recorded for these orders (given back in part with the refund)
    orders = {first["id"], second["id"]}

    def commission_entries() -> list[int] | None:
        amounts, cursor = [], None
        while True:
            query = "?type=commission&limit=100" + (f"&cursor={cursor}" if cursor else "")
            page = api("GET", f"/api/v1/admin/transactions{query}", token=admin_token).data
            amounts += [e["amount"] for e in page["items"] if e["orderId"] in orders]
            if not (cursor := page.get("nextCursor")):
                return amounts if len(amounts) == 3 else None

    commission = eventually(commission_entries, timeout=30)
    assert sum(a for a in commission if a > 0) == 2000 + 700  # 10 % of each seller's gross

    def fees_of_the_ledger() -> int | None:
        data = api("GET", f"/api/v1/admin/dashboard?currency={CURRENCY}", token=admin_token).data
        return int(data["platformFees"]) if data["platformFees"] == sum(commission) else None

    fees = eventually(fees_of_the_ledger, timeout=30)
    assert 2000 < fees < 2700
    assert data["newSellers"] >= 2
    assert data["newCustomers"] >= 1

    # And the kettle's seller got one "Low stock" email and lists it; the lamp's seller nothing
    (mail,) = eventually(lambda: low_stock_mails(api, kettles), timeout=30)
    assert mail["subject"] == "Low stock: E2E Dashboard Kettle"
    listed = api("GET", "/api/v1/sellers/me/low-stock", token=kettles["accessToken"]).data["items"]
    assert [(p["productId"], p["stockQuantity"]) for p in listed] == [(kettle["id"], 2)]
    assert api("GET", "/api/v1/sellers/me/low-stock", token=lamps["accessToken"]).data["items"] == []

    # When one more kettle is ordered (2 -> 1, still low), and a sign-up written after it has
    # reached the dashboard (the local stream has one shard: records arrive in order)
    res = api("POST", "/api/v1/cart/items", {"productId": kettle["id"], "quantity": 1}, token=buyer["accessToken"])
    assert res.status in (200, 201), res.body
    assert api("POST", "/api/v1/orders", {"shippingAddress": ADDRESS}, token=buyer["accessToken"]).status == 201
    account(api)
    eventually(
        lambda: (
            api("GET", f"/api/v1/admin/dashboard?currency={CURRENCY}", token=admin_token).data["newCustomers"]
            > data["newCustomers"]
        ),
        timeout=30,
    )
    (still_low,) = api("GET", "/api/v1/sellers/me/low-stock", token=kettles["accessToken"]).data["items"]
    assert still_low["stockQuantity"] == 1

    # Then no second email: one per crossing, not per sale
    assert len(low_stock_mails(api, kettles)) == 1
    assert low_stock_mails(api, lamps) == []
