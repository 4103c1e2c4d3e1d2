"""A full purchase over HTTP on the local stack: cart, order, PaymentIntent, payment on the local
Stripe, its signed webhook through the queue and worker, the confirmation email; then ship and a
refund; and many buyers racing for little stock."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from devstack.httpclient import Client
from devstack.stack import DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD
from tests.e2e.conftest import LocalStack, eventually
from tests.e2e.test_products import account, approved_seller
from tests.support.checkout import ADDRESS
from tests.support.localstripe import pay_intent

pytestmark = pytest.mark.e2e


def product(api: Client, seller: dict[str, Any], *, price: int, stock: int) -> dict[str, Any]:
    body = {"name": "E2E Kettle", "price": price, "stockQuantity": stock, "status": "active"}
    res = api("POST", "/api/v1/products", body, token=seller["accessToken"])
    assert res.status == 201, res.body
    return dict(res.data)


def checkout(api: Client, buyer: dict[str, Any], product_id: str, quantity: int = 1) -> Any:
    token = buyer["accessToken"]
    res = api("POST", "/api/v1/cart/items", {"productId": product_id, "quantity": quantity}, token=token)
    assert res.status in (200, 201), res.body
    return api("POST", "/api/v1/orders", {"shippingAddress": ADDRESS}, token=token)


def test_a_purchase_paid_on_the_local_stripe_is_confirmed_by_its_webhook(stack: LocalStack, api: Client) -> None:
    seller = approved_seller(api)
    item = product(api, seller, price=3450, stock=3)
    buyer = account(api)
    token = buyer["accessToken"]
    placed = checkout(api, buyer, item["id"], 2)
    assert placed.status == 201, placed.body
    order = placed.data
    intent = api("POST", "/api/v1/payments/intent", {"orderId": order["id"]}, token=token)
    assert intent.status == 200, intent.body
    assert intent.data["amount"] == order["totalAmount"]

    pay_intent(stack.info["stripeUrl"], intent.data["paymentIntentId"])

    def confirmed() -> dict[str, Any] | None:
        res = api("GET", f"/api/v1/orders/{order['id']}", token=token)
        return res.data if res.data["status"] == "confirmed" else None

    paid = eventually(confirmed, timeout=30)
    assert paid["paidAmount"] == order["totalAmount"]
    assert paid["payments"][0]["status"] == "succeeded"
    email = buyer["user"]["email"]

    def confirmation() -> list[Any] | None:
        mails = api("GET", f"/_local/emails?to={email}").data["items"]
        found = [m for m in mails if order["orderNumber"] in m["subject"] and "Confirmation" in m["subject"]]
        return found or None

    assert len(eventually(confirmation, timeout=30)) == 1

    shipped = api(
        "POST",
        f"/api/v1/orders/{order['id']}/ship",
        {"trackingNumber": "1Z999", "trackingUrl": "https://track.example.com/1Z999"},
        token=seller["accessToken"],
    )
    assert shipped.status == 200, shipped.body
    admin = api("POST", "/api/v1/auth/login", {"email": DEFAULT_ADMIN_EMAIL, "password": DEFAULT_ADMIN_PASSWORD})
    refund = api("POST", f"/api/v1/orders/{order['id']}/refund", {"amount": 1000}, token=admin.data["accessToken"])
    assert refund.status == 200, refund.body
    assert refund.data["refundedAmount"] == 1000
    assert refund.data["status"] == "shipped"


def test_many_buyers_racing_for_little_stock_never_oversell(api: Client) -> None:
    seller = approved_seller(api)
    item = product(api, seller, price=999, stock=2)
    buyers = [account(api) for _ in range(6)]
    for buyer in buyers:
        res = api("POST", "/api/v1/cart/items", {"productId": item["id"], "quantity": 1}, token=buyer["accessToken"])
        assert res.status in (200, 201), res.body
    statuses: list[int] = []

    def buy(buyer: dict[str, Any]) -> None:
        res = api("POST", "/api/v1/orders", {"shippingAddress": ADDRESS}, token=buyer["accessToken"])
        statuses.append(res.status)

    threads = [threading.Thread(target=buy, args=(b,)) for b in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201, 201, 409, 409, 409, 409]
    res = api("GET", f"/api/v1/products/{item['id']}", token=seller["accessToken"])
    assert res.data["stockQuantity"] == 0
