"""Order lifecycle: cancel (stock back, refund when paid), ship, deliver, refunds (partial, full,
by event), the unpaid-order job, and transitions that must never apply twice or backwards."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.api import Account, Api, assert_problem
from tests.support.checkout import (
    buy,
    deliver_events,
    open_shop,
    order,
    paid_on_stripe,
    product_stock,
    start_payment,
    stripe_event,
    take_stripe_down,
)
from tests.support.localstripe import pay_intent, stripe_call

pytestmark = pytest.mark.usefixtures("local_stripe")


def paid_order(api: Api, admin: Account, buyer: Account, local_stripe: str, **shop: Any) -> tuple[Any, dict[str, Any]]:
    opened = open_shop(api, admin, **shop)
    placed = buy(api, buyer, opened.products[0]["id"])
    intent = start_payment(api, buyer, placed["id"])
    paid = pay_intent(local_stripe, intent["paymentIntentId"])
    deliver_events(api, stripe_event("payment_intent.succeeded", paid))
    data = order(api, buyer, placed["id"])
    assert data["status"] == "confirmed"
    return opened, data


def post(api: Api, account: Account, path: str, body: Any = None) -> Any:
    return api.call("POST", path, body, token=account.access_token)


def test_cancelling_a_pending_order_gives_the_stock_back(api: Api, admin: Account, customer: Account) -> None:
    shop = open_shop(api, admin, stock=1)
    product_id = shop.products[0]["id"]
    placed = buy(api, customer, product_id)
    assert product_stock(api, product_id) == 0
    start_payment(api, customer, placed["id"])

    res = post(api, customer, f"/api/v1/orders/{placed['id']}/cancel", {"reason": "Changed my mind"})

    assert res.status == 200, res.body
    assert res.data["status"] == "cancelled"
    assert res.data["cancellationReason"] == "Changed my mind"
    assert res.data["cancelledAt"]
    assert product_stock(api, product_id) == 1
    assert api.call("GET", f"/api/v1/products/{product_id}").data["status"] == "active"
    assert res.data["payments"][0]["status"] == "canceled"
    assert_problem(post(api, customer, f"/api/v1/orders/{placed['id']}/cancel"), 409, "ORDER_NOT_CANCELLABLE")
    assert product_stock(api, product_id) == 1
    api.deliver_emails()
    assert [m for m in api.mails_to(customer.email) if "Cancelled" in m.subject]


def test_cancelling_a_paid_order_refunds_it(api: Api, admin: Account, customer: Account, local_stripe: str) -> None:
    shop, data = paid_order(api, admin, customer, local_stripe, stock=2)

    res = post(api, customer, f"/api/v1/orders/{data['id']}/cancel")

    assert res.status == 200, res.body
    assert res.data["status"] == "cancelled"
    assert res.data["refundedAmount"] == data["totalAmount"]
    assert product_stock(api, shop.products[0]["id"]) == 2
    intent = stripe_call(local_stripe, "GET", f"/v1/payment_intents/{data['paymentIntentId']}")
    charge = intent["latest_charge"]
    charge = charge if isinstance(charge, dict) else stripe_call(local_stripe, "GET", f"/v1/charges/{charge}")
    assert charge["amount_refunded"] == data["totalAmount"]


def test_a_payment_that_lands_after_cancellation_is_refunded(
    api: Api, admin: Account, customer: Account, local_stripe: str
) -> None:
    placed, paid = paid_on_stripe(api, admin, customer, local_stripe)
    from shared.commerce.orders import repository
    from shared.commerce.orders.models import OrderItem

    # The order was cancelled (e.g. by the job) before the payment's event arrived.
    stored = repository.get_order(placed["id"])
    assert stored is not None
    assert repository.transition(stored, "cancelled", expect=OrderItem.status == "pending", sets={})

    deliver_events(api, stripe_event("payment_intent.succeeded", paid))

    data = order(api, customer, placed["id"])
    assert data["status"] == "cancelled"
    assert data["payments"][0]["status"] == "succeeded"
    assert data["payments"][0]["amountRefunded"] == placed["totalAmount"]


def test_ship_then_deliver_by_the_seller(api: Api, admin: Account, customer: Account, local_stripe: str) -> None:
    shop, data = paid_order(api, admin, customer, local_stripe)
    path = f"/api/v1/orders/{data['id']}"
    tracking = {"trackingNumber": "1Z999", "trackingUrl": "https://track.example.com/1Z999"}

    assert_problem(post(api, customer, f"{path}/ship", tracking), 403, "INSUFFICIENT_PERMISSIONS")
    assert_problem(post(api, shop.seller, f"{path}/deliver"), 409, "ORDER_NOT_DELIVERABLE")
    assert_problem(post(api, customer, f"{path}/process"), 403, "INSUFFICIENT_PERMISSIONS")
    processing = post(api, shop.seller, f"{path}/process")
    assert processing.status == 200, processing.body
    assert processing.data["status"] == "processing"
    assert_problem(post(api, shop.seller, f"{path}/process"), 409, "ORDER_NOT_PROCESSABLE")
    assert_problem(
        post(api, shop.seller, f"{path}/ship", {"trackingNumber": "1", "trackingUrl": "nope"}), 400, "VALIDATION_ERROR"
    )
    shipped = post(api, shop.seller, f"{path}/ship", tracking)

    assert shipped.status == 200, shipped.body
    assert shipped.data["status"] == "shipped"
    assert shipped.data["trackingNumber"] == "1Z999"
    assert shipped.data["shippedAt"]
    assert_problem(post(api, shop.seller, f"{path}/ship", tracking), 409, "ORDER_NOT_SHIPPABLE")
    assert_problem(post(api, customer, f"{path}/cancel"), 409, "ORDER_NOT_CANCELLABLE")
    delivered = post(api, shop.seller, f"{path}/deliver")
    assert delivered.data["status"] == "delivered"
    assert delivered.data["deliveredAt"]
    api.deliver_emails()
    shipped_mails = [m for m in api.mails_to(customer.email) if "Shipped" in m.subject]
    assert len(shipped_mails) == 1
    assert "https://track.example.com/1Z999" in shipped_mails[0].html
    # A late duplicate of the payment event does not move the order back.
    intent = stripe_call(local_stripe, "GET", f"/v1/payment_intents/{data['paymentIntentId']}")
    deliver_events(api, stripe_event("payment_intent.succeeded", intent))
    assert order(api, customer, data["id"])["status"] == "delivered"


def test_unpaid_orders_cannot_ship_and_other_sellers_cannot_touch(api: Api, admin: Account, customer: Account) -> None:
    shop = open_shop(api, admin)
    other = open_shop(api, admin, name="Other")
    placed = buy(api, customer, shop.products[0]["id"])
    path = f"/api/v1/orders/{placed['id']}"
    assert_problem(post(api, shop.seller, f"{path}/ship", {"trackingNumber": "1"}), 409, "ORDER_NOT_SHIPPABLE")
    assert_problem(post(api, other.seller, f"{path}/ship", {"trackingNumber": "1"}), 404, "ORDER_NOT_FOUND")
    assert_problem(api.call("GET", path, token=other.seller.access_token), 404, "ORDER_NOT_FOUND")


def test_partial_then_full_refund(api: Api, admin: Account, customer: Account, local_stripe: str) -> None:
    _, data = paid_order(api, admin, customer, local_stripe, prices=(6000,))
    path = f"/api/v1/orders/{data['id']}/refund"
    total = data["totalAmount"]

    assert_problem(post(api, customer, path, {"amount": 100}), 403, "INSUFFICIENT_PERMISSIONS")
    assert_problem(post(api, admin, path, {"amount": total + 1}), 400, "REFUND_EXCEEDS_PAYMENT")
    part = post(api, admin, path, {"amount": 1000, "reason": "Damaged box"})
    assert part.status == 200, part.body
    assert part.data["refundedAmount"] == 1000
    assert part.data["status"] == "confirmed"
    rest = post(api, admin, path)
    assert rest.data["refundedAmount"] == total
    assert rest.data["status"] == "refunded"
    assert rest.data["refundedAt"]
    assert_problem(post(api, admin, path), 409, "NOTHING_TO_REFUND")
    api.deliver_emails()
    refunds = [m for m in api.mails_to(customer.email) if "Refund" in m.subject]
    assert len(refunds) == 2


def test_refund_of_an_unpaid_order_is_refused(api: Api, admin: Account, customer: Account) -> None:
    shop = open_shop(api, admin)
    placed = buy(api, customer, shop.products[0]["id"])
    assert_problem(post(api, admin, f"/api/v1/orders/{placed['id']}/refund"), 409, "ORDER_NOT_PAID")


def test_charge_refunded_events_are_applied_once(
    api: Api, admin: Account, customer: Account, local_stripe: str
) -> None:
    _, data = paid_order(api, admin, customer, local_stripe, prices=(3000,))
    intent = stripe_call(local_stripe, "GET", f"/v1/payment_intents/{data['paymentIntentId']}")
    charge_id = intent["latest_charge"]["id"] if isinstance(intent["latest_charge"], dict) else intent["latest_charge"]
    charge = {
        "id": charge_id,
        "object": "charge",
        "payment_intent": data["paymentIntentId"],
        "amount": data["totalAmount"],
    }
    partial = stripe_event("charge.refunded", {**charge, "amount_refunded": 500}, event_id="evt_r1")
    full = stripe_event("charge.refunded", {**charge, "amount_refunded": data["totalAmount"]}, event_id="evt_r2")

    deliver_events(api, full, partial, full)

    after = order(api, customer, data["id"])
    assert after["refundedAmount"] == data["totalAmount"]
    assert after["status"] == "refunded"
    api.deliver_emails()
    assert len([m for m in api.mails_to(customer.email) if "Refund" in m.subject]) == 1


def test_the_job_cancels_unpaid_orders_past_the_timeout(
    api: Api, admin: Account, customer: Account, configure: Any
) -> None:
    shop = open_shop(api, admin, stock=2)
    product_id = shop.products[0]["id"]
    placed = buy(api, customer, product_id)
    start_payment(api, customer, placed["id"])
    from shared.jobs import records

    from tests.support.jobs import Jobs

    jobs = Jobs(api)
    tick = {"type": "orders.expire-unpaid"}  # the schedule's Input
    configure(UNPAID_ORDER_TIMEOUT_MINUTES="60")
    first = api.invoke("JobsCronFunction", tick)["jobId"]
    assert jobs.run() == {"delivered": 1, "failed": 0}
    job = records.get(first)
    assert job is not None
    assert job.status == "completed"
    assert json.loads(job.result or "{}")["cancelled"] == 0
    assert order(api, customer, placed["id"])["status"] == "pending"

    from datetime import timedelta

    from shared import clock

    later = clock.now() + timedelta(minutes=61)
    import shared.commerce.orders.service as service

    original = service.now
    service.now = lambda: later  # type: ignore[assignment]
    try:
        second = api.invoke("JobsCronFunction", tick)["jobId"]
        assert second != first  # the first run finished: a new tick is a new run
        assert jobs.run() == {"delivered": 1, "failed": 0}
    finally:
        service.now = original  # type: ignore[assignment]

    finished = records.get(second)
    assert finished is not None
    assert finished.status == "completed"
    counts = json.loads(finished.result or "{}")
    assert counts["cancelled"] == 1
    data = order(api, customer, placed["id"])
    assert data["status"] == "cancelled"
    assert "60 minutes" in data["cancellationReason"]
    assert product_stock(api, product_id) == 2


def test_a_stripe_outage_during_cancel_or_refund_changes_nothing(
    api: Api, admin: Account, customer: Account, local_stripe: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop, data = paid_order(api, admin, customer, local_stripe, stock=2)
    product_id = shop.products[0]["id"]
    stock = product_stock(api, product_id)
    take_stripe_down(monkeypatch)

    assert_problem(post(api, customer, f"/api/v1/orders/{data['id']}/cancel"), 502, "PAYMENT_PROVIDER_ERROR")
    assert_problem(post(api, admin, f"/api/v1/orders/{data['id']}/refund"), 502, "PAYMENT_PROVIDER_ERROR")

    after = order(api, customer, data["id"])
    assert (after["status"], after["refundedAmount"]) == ("confirmed", 0)
    assert product_stock(api, product_id) == stock
