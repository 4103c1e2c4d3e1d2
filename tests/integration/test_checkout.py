"""Checkout: cart → order (stock reserved all-or-nothing) → Stripe payment (localstripe) →
confirmation by webhook event or /payments/confirm → emails; idempotency and ownership."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import pytest

from tests.support.api import Account, Api, assert_problem
from tests.support.checkout import (
    ADDRESS,
    add_to_cart,
    buy,
    deliver_events,
    open_shop,
    order,
    paid_on_stripe,
    place_order,
    product_stock,
    start_payment,
    stripe_event,
    take_stripe_down,
)
from tests.support.localstripe import pay_intent
from tests.support.products import atomic_dynamodb_calls, outcome, principal_of, run_concurrently

pytestmark = pytest.mark.usefixtures("local_stripe")


def test_an_order_snapshots_the_cart_reserves_stock_and_empties_the_cart(
    api: Api, admin: Account, customer: Account
) -> None:
    shop = open_shop(api, admin, stock=5, prices=(1999, 2500))
    first, second = shop.products
    add_to_cart(api, customer, first["id"], 2)
    add_to_cart(api, customer, second["id"], 1)

    res = place_order(api, customer, notes="Leave at the door")

    assert res.status == 201, res.body
    data = res.data
    assert re.fullmatch(r"ORD-\d{8}-\d{5}", data["orderNumber"])
    assert data["status"] == "pending"
    assert data["subtotal"] == 2 * 1999 + 2500
    assert data["taxAmount"] == (6498 * 800 + 5000) // 10000
    assert data["shippingAmount"] == 0  # over the free-shipping threshold
    assert data["totalAmount"] == data["subtotal"] + data["taxAmount"] + data["shippingAmount"] - data["discountAmount"]
    assert {(i["productId"], i["quantity"], i["unitPrice"]) for i in data["items"]} == {
        (first["id"], 2, 1999),
        (second["id"], 1, 2500),
    }
    assert data["shippingAddress"]["firstName"] == "Carla"
    assert product_stock(api, first["id"]) == 3
    assert product_stock(api, second["id"]) == 4
    cart = api.call("GET", "/api/v1/cart", token=customer.access_token).data
    assert cart["items"] == []


def test_small_orders_pay_flat_shipping(api: Api, admin: Account, customer: Account) -> None:
    shop = open_shop(api, admin, prices=(1000,))
    data = buy(api, customer, shop.products[0]["id"])
    assert data["shippingAmount"] == 599
    assert data["totalAmount"] == 1000 + 80 + 599


def test_empty_cart_and_bad_addresses_are_refused(api: Api, customer: Account) -> None:
    assert_problem(place_order(api, customer), 400, "CART_EMPTY")
    missing = {k: v for k, v in ADDRESS.items() if k != "postalCode"}
    res = api.call("POST", "/api/v1/orders", {"shippingAddress": missing}, token=customer.access_token)
    problem = assert_problem(res, 400, "VALIDATION_ERROR")
    assert any("postalCode" in key for key in problem["errors"])


def test_an_order_never_holds_more_products_than_a_cart_may(
    api: Api, admin: Account, customer: Account, configure: Any
) -> None:
    shop = open_shop(api, admin, prices=(1000, 2000))
    for product in shop.products:
        add_to_cart(api, customer, product["id"])
    configure(CART_MAX_LINES="1")  # two concurrent adds can exceed the cart's (soft) cap

    assert_problem(place_order(api, customer), 409, "CART_FULL")
    assert product_stock(api, shop.products[0]["id"]) == 5


def test_client_cannot_set_prices_or_status(api: Api, admin: Account, customer: Account) -> None:
    shop = open_shop(api, admin)
    add_to_cart(api, customer, shop.products[0]["id"])
    for extra in ({"totalAmount": 1}, {"status": "confirmed"}, {"items": [{"unitPrice": 1}]}):
        assert_problem(place_order(api, customer, **extra), 400, "VALIDATION_ERROR")


def test_a_short_line_reserves_nothing_and_names_the_product(api: Api, admin: Account, customer: Account) -> None:
    shop = open_shop(api, admin, stock=3, prices=(1000, 2000))
    plenty, scarce = shop.products
    add_to_cart(api, customer, plenty["id"], 2)
    add_to_cart(api, customer, scarce["id"], 3)
    api.call("PATCH", f"/api/v1/products/{scarce['id']}", {"stockQuantity": 1}, token=shop.seller.access_token)

    problem = assert_problem(place_order(api, customer), 409, "OUT_OF_STOCK")

    assert scarce["name"] in problem["message"]
    assert scarce["id"] in problem["errors"]
    assert plenty["id"] not in problem["errors"]
    assert product_stock(api, plenty["id"]) == 3
    assert product_stock(api, scarce["id"]) == 1
    assert len(api.call("GET", "/api/v1/cart", token=customer.access_token).data["items"]) == 2


def test_concurrent_checkouts_never_oversell(api: Api, admin: Account) -> None:
    from shared.commerce.orders import checkout
    from shared.commerce.orders.schemas import CreateOrderRequest

    shop = open_shop(api, admin, stock=3)
    product_id = shop.products[0]["id"]
    buyers = [api.register(name=f"Buyer {n}") for n in range(8)]
    for buyer in buyers:
        add_to_cart(api, buyer, product_id)
    request = CreateOrderRequest.model_validate({"shippingAddress": ADDRESS})
    calls = [partial(outcome, partial(checkout.create_order, principal_of(buyer), request)) for buyer in buyers]

    with atomic_dynamodb_calls():
        results = run_concurrently(*calls)

    assert sorted(results) == ["OUT_OF_STOCK"] * 5 + ["ok"] * 3
    from shared.commerce.products import repository

    product = repository.get_product(product_id)
    assert product is not None
    assert int(product.stock_quantity) == 0
    assert product.status == "out_of_stock"
    orders = [api.call("GET", "/api/v1/orders", token=b.access_token).data["items"] for b in buyers]
    assert sum(len(found) for found in orders) == 3


def test_idempotency_key_returns_the_same_order(api: Api, admin: Account, customer: Account) -> None:
    shop = open_shop(api, admin, stock=5)
    add_to_cart(api, customer, shop.products[0]["id"], 2)

    first = place_order(api, customer, key="checkout-123")
    again = place_order(api, customer, key="checkout-123")

    assert first.status == 201
    assert again.status == 200
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.data["id"] == first.data["id"]
    assert product_stock(api, shop.products[0]["id"]) == 3
    assert_problem(place_order(api, customer, key="checkout-123", notes="different"), 409, "IDEMPOTENCY_KEY_REUSED")
    listed = api.call("GET", "/api/v1/orders", token=customer.access_token).data["items"]
    assert [o["id"] for o in listed] == [first.data["id"]]


def test_other_customers_cannot_see_or_touch_an_order(api: Api, admin: Account, customer: Account) -> None:
    shop = open_shop(api, admin)
    placed = buy(api, customer, shop.products[0]["id"])
    intruder = api.register(name="Ivan Intruder")
    token = intruder.access_token
    assert_problem(api.call("GET", f"/api/v1/orders/{placed['id']}", token=token), 404, "ORDER_NOT_FOUND")
    assert_problem(api.call("GET", f"/api/v1/orders/{placed['orderNumber']}", token=token), 404, "ORDER_NOT_FOUND")
    assert_problem(api.call("POST", f"/api/v1/orders/{placed['id']}/cancel", token=token), 404, "ORDER_NOT_FOUND")
    assert_problem(
        api.call("POST", "/api/v1/payments/intent", {"orderId": placed["id"]}, token=token), 404, "ORDER_NOT_FOUND"
    )
    assert_problem(
        api.call("POST", "/api/v1/payments/confirm", {"orderId": placed["id"]}, token=token), 404, "ORDER_NOT_FOUND"
    )
    assert api.call("GET", "/api/v1/orders", token=token).data["items"] == []
    assert order(api, admin, placed["id"])["id"] == placed["id"]


def test_a_seller_sees_only_their_own_lines(api: Api, admin: Account, customer: Account) -> None:
    one = open_shop(api, admin, prices=(1000,), name="One")
    two = open_shop(api, admin, prices=(3000,), name="Two")
    add_to_cart(api, customer, one.products[0]["id"])
    add_to_cart(api, customer, two.products[0]["id"])
    placed = place_order(api, customer).data

    seen = order(api, one.seller, placed["id"])
    assert [i["productId"] for i in seen["items"]] == [one.products[0]["id"]]
    assert seen["totalAmount"] == 1000
    assert seen["payments"] is None
    listed = api.call("GET", "/api/v1/sellers/me/orders", token=two.seller.access_token).data["items"]
    assert [o["id"] for o in listed] == [placed["id"]]
    assert [i["productId"] for i in listed[0]["items"]] == [two.products[0]["id"]]
    assert_problem(
        api.call("GET", "/api/v1/sellers/me/orders", token=customer.access_token), 403, "INSUFFICIENT_PERMISSIONS"
    )


# ---------------------------------------------------------------------------- payments


def test_paid_on_stripe_and_confirmed_by_the_webhook_event(
    api: Api, admin: Account, customer: Account, local_stripe: str
) -> None:
    shop = open_shop(api, admin, prices=(4200,))
    placed = buy(api, customer, shop.products[0]["id"])
    intent = start_payment(api, customer, placed["id"])
    assert intent["amount"] == placed["totalAmount"]
    assert intent["clientSecret"].startswith(intent["paymentIntentId"])
    assert start_payment(api, customer, placed["id"])["paymentIntentId"] == intent["paymentIntentId"]

    paid = pay_intent(local_stripe, intent["paymentIntentId"])
    event = stripe_event("payment_intent.succeeded", paid)
    result = deliver_events(api, event, event)

    assert result == {"batchItemFailures": []}
    data = order(api, customer, placed["id"])
    assert data["status"] == "confirmed"
    assert data["paidAmount"] == placed["totalAmount"]
    assert data["payments"][0]["status"] == "succeeded"
    assert data["payments"][0]["cardLast4"] == "4242"
    api.deliver_emails()
    mails = api.mails_to(customer.email)
    confirmations = [m for m in mails if placed["orderNumber"] in m.subject and "Confirmation" in m.subject]
    assert len(confirmations) == 1
    # A verified purchase lets the buyer review as such.
    review = api.call(
        "POST",
        f"/api/v1/products/{shop.products[0]['id']}/reviews",
        {"rating": 5, "comment": "Great product, works well"},
        token=customer.access_token,
    )
    assert review.status == 201, review.body
    assert review.data["verifiedPurchase"] is True


def test_confirm_endpoint_applies_the_payment_without_the_webhook(
    api: Api, admin: Account, customer: Account, local_stripe: str
) -> None:
    shop = open_shop(api, admin)
    placed = buy(api, customer, shop.products[0]["id"])
    intent = start_payment(api, customer, placed["id"])
    before = api.call("POST", "/api/v1/payments/confirm", {"orderId": placed["id"]}, token=customer.access_token)
    assert before.data["status"] == "pending"

    paid = pay_intent(local_stripe, intent["paymentIntentId"])
    res = api.call("POST", "/api/v1/payments/confirm", {"orderId": placed["id"]}, token=customer.access_token)

    assert res.status == 200, res.body
    assert res.data["status"] == "confirmed"
    deliver_events(api, stripe_event("payment_intent.succeeded", paid))  # the late webhook changes nothing
    api.deliver_emails()
    assert len([m for m in api.mails_to(customer.email) if "Confirmation" in m.subject]) == 1
    assert_problem(
        api.call("POST", "/api/v1/payments/intent", {"orderId": placed["id"]}, token=customer.access_token),
        409,
        "ORDER_ALREADY_PAID",
    )


def test_events_out_of_order_leave_the_order_paid(
    api: Api, admin: Account, customer: Account, local_stripe: str
) -> None:
    placed, paid = paid_on_stripe(api, admin, customer, local_stripe)
    failed = {**paid, "status": "requires_payment_method", "last_payment_error": {"message": "Card declined"}}
    cancelled = {**paid, "status": "canceled"}

    deliver_events(api, stripe_event("payment_intent.succeeded", paid))
    deliver_events(
        api,
        stripe_event("payment_intent.payment_failed", failed),
        stripe_event("payment_intent.canceled", cancelled),
        stripe_event("payment_intent.succeeded", paid, event_id="evt_other"),
    )

    data = order(api, customer, placed["id"])
    assert data["status"] == "confirmed"
    assert data["payments"][0]["status"] == "succeeded"


def test_a_failed_payment_is_recorded_and_the_order_stays_payable(api: Api, admin: Account, customer: Account) -> None:
    shop = open_shop(api, admin)
    placed = buy(api, customer, shop.products[0]["id"])
    intent = start_payment(api, customer, placed["id"])
    obj = {
        "id": intent["paymentIntentId"],
        "object": "payment_intent",
        "amount": intent["amount"],
        "currency": intent["currency"],
        "status": "requires_payment_method",
        "last_payment_error": {"message": "Your card was declined."},
    }
    deliver_events(api, stripe_event("payment_intent.payment_failed", obj))

    data = order(api, customer, placed["id"])
    assert data["status"] == "pending"
    assert data["payments"][0]["status"] == "failed"
    assert data["payments"][0]["failureReason"] == "Your card was declined."


def test_events_for_unknown_intents_and_types_are_acknowledged(api: Api) -> None:
    unknown = {"id": "pi_unknown", "object": "payment_intent", "amount": 100, "currency": "usd", "status": "succeeded"}
    result = deliver_events(
        api,
        stripe_event("payment_intent.succeeded", unknown),
        stripe_event("customer.created", {"id": "cus_123"}),
        stripe_event("charge.refunded", {"id": "ch_1", "payment_intent": "pi_unknown", "amount_refunded": 5}),
    )
    assert result == {"batchItemFailures": []}


def test_an_event_with_a_different_amount_does_not_confirm(
    api: Api, admin: Account, customer: Account, local_stripe: str
) -> None:
    placed, paid = paid_on_stripe(api, admin, customer, local_stripe)
    deliver_events(api, stripe_event("payment_intent.succeeded", {**paid, "amount": 1}))
    assert order(api, customer, placed["id"])["status"] == "pending"


def test_a_stripe_outage_changes_nothing(
    api: Api, admin: Account, customer: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = open_shop(api, admin)
    placed = buy(api, customer, shop.products[0]["id"])
    take_stripe_down(monkeypatch)

    res = api.call("POST", "/api/v1/payments/intent", {"orderId": placed["id"]}, token=customer.access_token)

    assert_problem(res, 502, "PAYMENT_PROVIDER_ERROR")
    data = order(api, customer, placed["id"])
    assert data["paymentIntentId"] is None
    assert data["payments"] == []
