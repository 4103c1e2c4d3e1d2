"""Helpers for checkout tests: a shop with stock, a buyer with a cart, orders, Stripe events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from devstack.apigw import sqs_event
from tests.support.api import Account, Api
from tests.support.products import approved_seller, create_product

ADDRESS = {
    "firstName": "Carla",
    "lastName": "Customer",
    "address1": "1 Main Street",
    "city": "Springfield",
    "postalCode": "12345",
    "country": "US",
}


@dataclass
class Shop:
    seller: Account
    products: list[dict[str, Any]]


def open_shop(
    api: Api, admin: Account, *, stock: int = 5, prices: tuple[int, ...] = (1999,), name: str = "Sam"
) -> Shop:
    seller = approved_seller(api, admin, name=f"{name} Seller")
    products = [create_product(api, seller.access_token, price=p, stockQuantity=stock) for p in prices]
    return Shop(seller, products)


def add_to_cart(api: Api, buyer: Account, product_id: str, quantity: int = 1) -> None:
    res = api.call(
        "POST", "/api/v1/cart/items", {"productId": product_id, "quantity": quantity}, token=buyer.access_token
    )
    assert res.status in (200, 201), res.body


def place_order(api: Api, buyer: Account, *, key: str | None = None, **body: Any) -> Any:
    headers = {"Idempotency-Key": key} if key else None
    return api.call(
        "POST", "/api/v1/orders", {"shippingAddress": ADDRESS, **body}, token=buyer.access_token, headers=headers
    )


def buy(api: Api, buyer: Account, product_id: str, quantity: int = 1) -> dict[str, Any]:
    add_to_cart(api, buyer, product_id, quantity)
    res = place_order(api, buyer)
    assert res.status == 201, res.body
    return dict(res.data)


def product_stock(api: Api, product_id: str) -> int:
    res = api.call("GET", f"/api/v1/products/{product_id}")
    if res.status == 404:
        from shared.commerce.products import repository

        product = repository.get_product(product_id)
        assert product is not None
        return int(product.stock_quantity)
    return int(res.data["stockQuantity"])


def start_payment(api: Api, buyer: Account, order_id: str) -> dict[str, Any]:
    res = api.call("POST", "/api/v1/payments/intent", {"orderId": order_id}, token=buyer.access_token)
    assert res.status == 200, res.body
    return dict(res.data)


def stripe_event(kind: str, obj: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {"id": event_id or f"evt_{kind}_{obj['id']}", "object": "event", "type": kind, "data": {"object": obj}}


def deliver_events(api: Api, *events: dict[str, Any]) -> dict[str, Any]:
    """Run the stripe_events worker on one SQS batch holding ``events``."""
    event = sqs_event([json.dumps(e) for e in events], queue_arn=api.aws.queue_arn("StripeEventsQueue"))
    return api.invoke("StripeEventsFunction", event)


def order(api: Api, account: Account, order_id: str) -> dict[str, Any]:
    res = api.call("GET", f"/api/v1/orders/{order_id}", token=account.access_token)
    assert res.status == 200, res.body
    return dict(res.data)


def take_stripe_down(monkeypatch: Any) -> None:
    """Point the Stripe client at a closed port, without retries (restored with ``monkeypatch``)."""
    from shared.commerce.payments import gateway
    from shared.settings import reset_settings

    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:9")
    monkeypatch.setattr(gateway, "NETWORK_RETRIES", 0)
    reset_settings()
    gateway.reset_client()


def paid_on_stripe(api: Api, admin: Account, buyer: Account, stripe_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A pending order of one product, paid on the local Stripe but not yet known to us as paid
    (no event delivered): returns the order and the intent as Stripe has it."""
    from tests.support.localstripe import pay_intent

    shop = open_shop(api, admin)
    placed = buy(api, buyer, shop.products[0]["id"])
    intent = start_payment(api, buyer, placed["id"])
    return placed, pay_intent(stripe_url, intent["paymentIntentId"])
