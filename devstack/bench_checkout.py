"""``make bench`` section for checkout: DynamoDB calls per cart request, per checkout (by cart
size), per payment step and per lifecycle transition.

Runs in-process against moto (``mock_aws``) with localstripe in a subprocess for the Stripe
calls (their time is not DynamoDB's and is left out of the figures). Requests go through the
domain services; the per-request authentication read (one consistent BatchGetItem) is excluded.
"""

from __future__ import annotations

import os
from functools import partial
from typing import Any

from devstack.metering import Meter, bench_environment, measure

TABLE = "bench-checkout"
ENV = {
    "APP_ENV": "local",
    "JWT_SECRET": "bench-signing-key-that-is-long-enough-0123456789",
    "TABLE_NAME": TABLE,
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "EMAIL_QUEUE_URL": "",
}
CART_SIZES = (1, 5, 20)


def _row(label: str, meter: Meter, elapsed: float) -> list[str]:
    return [label, str(meter.total_calls), f"{meter.write_units:g}", meter.operations(), f"{elapsed:.0f}"]


def _principal(user_id: str, role: str = "customer") -> Any:
    from shared.identity.models import UserItem
    from shared.identity.principal import Principal

    user = UserItem.new(
        user_id,
        "2026-01-01T00:00:00.000Z",
        name=f"Bench {user_id}",
        role=role,
        email=f"{user_id}@example.com",
        status="approved" if role == "seller" else "active",
        password_hash="-",
    )
    user.save()
    return Principal(user=user, session_id="bench", token_expires_at=0)


def section() -> list[tuple[str, list[str], list[list[str]]]]:  # noqa: PLR0915 - one scenario, top to bottom
    import boto3
    from moto import mock_aws

    from devstack.localstripe_server import start_local_stripe
    from devstack.resources import create_queues, create_table
    from devstack.template import load_template

    rows: list[list[str]] = []
    stripe = start_local_stripe(0, output=open(os.devnull, "wb"))  # noqa: SIM115 - closed with the process
    try:
        with bench_environment({**ENV, "STRIPE_API_BASE": stripe.url}), mock_aws():
            from shared.commerce.cart import service as cart
            from shared.commerce.cart.schemas import AddCartItemRequest
            from shared.commerce.orders import checkout
            from shared.commerce.orders import service as orders
            from shared.commerce.orders.schemas import CreateOrderRequest, ShipOrderRequest
            from shared.commerce.payments import gateway
            from shared.commerce.payments import service as payments
            from shared.commerce.products import service as products
            from shared.commerce.products.schemas import CreateProductRequest
            from shared.data.table import configure_table
            from shared.messaging.clients import reset_clients
            from shared.settings import reset_settings

            region = ENV["AWS_REGION"]
            create_table(boto3.client("dynamodb", region_name=region), TABLE)
            urls = create_queues(boto3.client("sqs", region_name=region), prefix="bench", template=load_template())
            os.environ["EMAIL_QUEUE_URL"] = urls["EmailQueue"]
            reset_settings()
            reset_clients()
            gateway.reset_client()
            configure_table(TABLE)
            seller = _principal("bench-seller", "seller")
            catalog = [
                products.create_product(
                    seller,
                    CreateProductRequest.model_validate(
                        {"name": f"Bench product {n}", "price": 1000 + n, "stockQuantity": 10_000, "status": "active"}
                    ),
                ).id
                for n in range(max(CART_SIZES))
            ]
            address = {
                "shippingAddress": {
                    "firstName": "Bea",
                    "lastName": "Buyer",
                    "address1": "1 Main St",
                    "city": "Springfield",
                    "postalCode": "12345",
                    "country": "US",
                }
            }
            request = CreateOrderRequest.model_validate(address)
            for size in CART_SIZES:
                buyer = _principal(f"bench-buyer-{size}")
                for product_id in catalog[:size]:
                    cart.add_item(buyer, AddCartItemRequest(product_id=product_id, quantity=1))
                if size == CART_SIZES[-1]:
                    meter, _, elapsed = measure(
                        partial(cart.add_item, buyer, AddCartItemRequest(product_id=catalog[0], quantity=1))
                    )
                    rows.append(_row(f"POST /cart/items (cart of {size} lines)", meter, elapsed))
                    meter, _, elapsed = measure(partial(cart.get_cart, buyer))
                    rows.append(_row(f"GET /cart ({size} lines)", meter, elapsed))
                meter, (placed, _), elapsed = measure(partial(checkout.create_order, buyer, request))
                rows.append(_row(f"POST /orders ({size} lines: reserve stock, snapshot, empty cart)", meter, elapsed))
                if size != CART_SIZES[0]:
                    continue
                meter, intent, elapsed = measure(partial(payments.create_intent, buyer, placed.id))
                rows.append(_row("POST /payments/intent (new customer + intent; Stripe time included)", meter, elapsed))
                paid = _pay(stripe.url, intent.payment_intent_id)
                meter, _, elapsed = measure(partial(payments.settle, paid, "succeeded"))
                rows.append(
                    _row("stripe_events: payment_intent.succeeded (confirm + purchases + email)", meter, elapsed)
                )
                meter, _, elapsed = measure(partial(payments.settle, paid, "succeeded"))
                rows.append(_row("stripe_events: the same event again (no change)", meter, elapsed))
                meter, _, elapsed = measure(
                    partial(orders.ship_order, seller, placed.id, ShipOrderRequest(tracking_number="1Z"))
                )
                rows.append(_row("POST /orders/{id}/ship", meter, elapsed))
                meter, _, elapsed = measure(partial(orders.list_orders, buyer, status=None, limit=20, cursor=None))
                rows.append(_row("GET /orders (buyer)", meter, elapsed))
            buyer = _principal("bench-canceller")
            cart.add_item(buyer, AddCartItemRequest(product_id=catalog[0], quantity=2))
            placed, _ = checkout.create_order(buyer, request)
            meter, _, elapsed = measure(lambda: orders.cancel_order(buyer, placed.id, None))
            rows.append(_row("POST /orders/{id}/cancel (pending, 1 line: stock back)", meter, elapsed))
            meter, _, elapsed = measure(lambda: orders.seller_orders(seller, limit=20, cursor=None))
            rows.append(_row("GET /sellers/me/orders (slices + BatchGet orders)", meter, elapsed))
    finally:
        stripe.stop()
    header = ["request", "calls", "WCU", "operations", "ms"]
    return [("Checkout: DynamoDB calls per request, excluding authentication (moto; ms include Stripe)", header, rows)]


def _pay(base_url: str, intent_id: str) -> Any:
    """Pay on localstripe (payment method, attach, confirm) and return the intent as Stripe has it."""
    from shared.commerce.payments import gateway

    stripe = gateway.client()
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}
    method = stripe.v1.payment_methods.create(params={"type": "card", "card": card})
    stripe.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
    stripe.v1.payment_intents.confirm(intent_id)
    found = gateway.retrieve_intent(intent_id)
    assert found is not None
    return found


if __name__ == "__main__":
    from devstack.bench import print_table

    for title, head, rows in section():
        print_table(title, head, rows)
