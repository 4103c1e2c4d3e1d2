"""Marketplace money over HTTP on the local stack: a two-seller order paid on the local Stripe,
delivered, partly refunded; the ledger (from the table stream) to the cent; payouts held, a
seller onboarded on the local Stripe Connect (its signed ``account.updated``), released by the
admin and transferred; a refund after the payout reversed; earnings; role checks."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from devstack.httpclient import Client
from devstack.stack import DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD
from tests.e2e.conftest import LocalStack, eventually
from tests.e2e.test_checkout import product
from tests.e2e.test_products import account, approved_seller
from tests.support.checkout import ADDRESS
from tests.support.localstripe import pay_intent, stripe_call

pytestmark = pytest.mark.e2e
COMPONENTS = ("earning", "commission", "tax", "shipping")


def entries(
    api: Client, admin: str, order_id: str, ready: Callable[[list[dict[str, Any]]], bool]
) -> list[dict[str, Any]] | None:
    """The order's ledger entries once ``ready`` holds for them (the stream writes them)."""
    found: list[dict[str, Any]] = []
    cursor = None
    for _ in range(5):
        query = "limit=100" + (f"&cursor={cursor}" if cursor else "")
        res = api("GET", f"/api/v1/admin/transactions?{query}", token=admin)
        assert res.status == 200, res.body
        found += [e for e in res.data["items"] if e["orderId"] == order_id]
        cursor = res.data["nextCursor"]
        if not cursor:
            break
    return found if ready(found) else None


def total(found: list[dict[str, Any]], kind: str, seller: str | None = None) -> int:
    return sum(e["amount"] for e in found if e["type"] == kind and (seller is None or e.get("sellerId") == seller))


def balanced(found: list[dict[str, Any]]) -> bool:
    return total(found, "payment") - total(found, "refund") == sum(total(found, kind) for kind in COMPONENTS)


def test_two_sellers_paid_delivered_refunded_paid_out_and_reversed(stack: LocalStack, api: Client) -> None:
    stripe_url = stack.info["stripeUrl"]
    admin = api("POST", "/api/v1/auth/login", {"email": DEFAULT_ADMIN_EMAIL, "password": DEFAULT_ADMIN_PASSWORD})
    admin_token = admin.data["accessToken"]
    ann, bob = approved_seller(api), approved_seller(api)
    mug, book = product(api, ann, price=1999, stock=5), product(api, bob, price=1250, stock=5)
    buyer = account(api)
    token = buyer["accessToken"]
    for item, quantity in ((mug, 2), (book, 1)):
        res = api("POST", "/api/v1/cart/items", {"productId": item["id"], "quantity": quantity}, token=token)
        assert res.status in (200, 201), res.body
    placed = api("POST", "/api/v1/orders", {"shippingAddress": ADDRESS}, token=token)
    assert placed.status == 201, placed.body
    order = placed.data
    assert order["totalAmount"] == 3998 + 1250 + 420  # free shipping from 50.00, tax 8 %

    # Paid on the local Stripe: the webhook confirms it, the stream writes the payment's entries
    intent = api("POST", "/api/v1/payments/intent", {"orderId": order["id"]}, token=token)
    pay_intent(stripe_url, intent.data["paymentIntentId"])
    found = eventually(lambda: entries(api, admin_token, order["id"], lambda f: total(f, "payment") > 0), timeout=30)
    assert total(found, "payment") == 5668
    assert (total(found, "commission", ann["user"]["id"]), total(found, "earning", ann["user"]["id"])) == (399, 3599)
    assert (total(found, "commission", bob["user"]["id"]), total(found, "earning", bob["user"]["id"])) == (125, 1125)
    assert balanced(found)

    # Shipped and delivered: each seller's net share is a held payout
    ship = {"trackingNumber": "1Z1", "trackingUrl": "https://track.example.com/1Z1"}
    assert api("POST", f"/api/v1/orders/{order['id']}/ship", ship, token=ann["accessToken"]).status == 200
    assert api("POST", f"/api/v1/orders/{order['id']}/deliver", token=bob["accessToken"]).status == 200

    def payout(seller: dict[str, Any], **expect: Any) -> dict[str, Any] | None:
        res = api("GET", f"/api/v1/admin/payouts?sellerId={seller['user']['id']}", token=admin_token)
        assert res.status == 200, res.body
        items = res.data["items"]
        ok = items and all(items[0].get(k) == v for k, v in expect.items())
        return dict(items[0]) if ok else None

    held_ann = eventually(lambda: payout(ann, status="held"), timeout=30)
    assert held_ann["amount"] == 3599
    assert eventually(lambda: payout(bob, status="held"), timeout=30)["amount"] == 1125

    # A partial refund during the hold lowers both payouts (A 705, B 221, tax 74)
    refund = api("POST", f"/api/v1/orders/{order['id']}/refund", {"amount": 1000}, token=admin_token)
    assert refund.status == 200, refund.body
    assert eventually(lambda: payout(ann, amount=2964), timeout=30)
    held_bob = eventually(lambda: payout(bob, amount=926), timeout=30)
    assert balanced(
        eventually(lambda: entries(api, admin_token, order["id"], lambda f: total(f, "refund") == 1000), timeout=30)
    )

    # Ann onboards on the local Stripe Connect; its signed account.updated makes the account active
    started = api("POST", "/api/v1/sellers/me/payout-account", token=ann["accessToken"])
    assert started.status == 200, started.body
    with urllib.request.urlopen(started.data["onboardingUrl"], timeout=10) as page:
        assert b"Onboarding complete" in page.read()

    def active() -> bool:
        res = api("GET", "/api/v1/sellers/me/payout-account", token=ann["accessToken"])
        return res.status == 200 and res.data["status"] == "active"

    eventually(active, timeout=30)

    # The admin releases both: Ann's is transferred, Bob (no account) waits as available
    released = api("POST", f"/api/v1/admin/payouts/{held_ann['id']}/release", token=admin_token)
    assert released.status == 200, released.body
    assert (released.data["status"], released.data["transferred"]) == ("paid", 2964)
    transfer = stripe_call(stripe_url, "GET", f"/v1/transfers/{released.data['transferId']}")
    assert transfer["destination"] == started.data["accountId"]
    assert (transfer["amount"], transfer["transfer_group"]) == (2964, order["id"])
    assert transfer["source_transaction"].startswith("ch_")
    waiting = api("POST", f"/api/v1/admin/payouts/{held_bob['id']}/release", token=admin_token)
    assert waiting.data["status"] == "available"
    bob_earnings = api("GET", "/api/v1/sellers/me/earnings", token=bob["accessToken"]).data
    assert bob_earnings == {"currency": "usd", "held": 0, "available": 926, "paid": 0, "lifetime": 926}

    # A refund after Ann was paid is taken back from her transfer by a reversal (job)
    assert api("POST", f"/api/v1/orders/{order['id']}/refund", {"amount": 2000}, token=admin_token).status == 200
    reversed_ann = eventually(lambda: payout(ann, status="paid") if (payout(ann) or {}).get("reversed") else None, 30)
    back = reversed_ann["reversed"]

    def reversal_recorded(found: list[dict[str, Any]]) -> bool:
        return total(found, "refund") == 3000 and total(found, "transfer_reversal") == back

    assert back == 2964 - reversed_ann["amount"] > 0
    assert stripe_call(stripe_url, "GET", f"/v1/transfers/{transfer['id']}")["amount_reversed"] == back
    found = eventually(lambda: entries(api, admin_token, order["id"], reversal_recorded), timeout=30)
    assert balanced(found)
    assert (
        total(found, "payout", ann["user"]["id"]) - total(found, "transfer_reversal", ann["user"]["id"])
        == (reversed_ann["amount"])
    )
    ann_earnings = api("GET", "/api/v1/sellers/me/earnings", token=ann["accessToken"]).data
    amount = reversed_ann["amount"]
    assert ann_earnings == {"currency": "usd", "held": 0, "available": 0, "paid": amount, "lifetime": amount}

    # Roles: sellers and buyers see no admin money routes; buyers have no earnings
    for who in (buyer, ann):
        assert api("GET", "/api/v1/admin/transactions", token=who["accessToken"]).status == 403
        assert api("POST", f"/api/v1/admin/payouts/{held_ann['id']}/release", token=who["accessToken"]).status == 403
    assert api("GET", "/api/v1/sellers/me/earnings", token=token).status == 403
    assert api("GET", "/api/v1/admin/payouts").status == 401
    mine = api("GET", "/api/v1/sellers/me/payouts", token=ann["accessToken"]).data["items"]
    assert [p["id"] for p in mine] == [held_ann["id"]]
