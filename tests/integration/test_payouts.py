"""Money ledger and payouts, handler by handler on moto and the local Stripe (with its Connect
endpoints): the ledger consumer gets the order's real MODIFY records, the routes real API Gateway
events, the Stripe events worker a real ``account.updated``."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from devstack.events import modify_record
from tests.support.api import Account, Api, assert_problem
from tests.support.checkout import add_to_cart, deliver_events, open_shop, place_order, start_payment, stripe_event
from tests.support.jobs import Jobs
from tests.support.localstripe import pay_intent, stripe_call

pytestmark = pytest.mark.usefixtures("local_stripe")
STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/test-table/stream/2026-11-22T00:00:00.000"


def order_image(order_id: str) -> dict[str, Any]:
    from shared.commerce.orders.repository import get_order

    found = get_order(order_id)
    assert found is not None
    return dict(found.serialize())


class Ledger:
    """Feeds the ledger consumer the order's MODIFY record of each change a step makes."""

    def __init__(self, api: Api, order_id: str) -> None:
        self.api, self.order_id, self.seq = api, order_id, 0
        self.image = order_image(order_id)

    def after(self, step: Callable[[], Any]) -> Any:
        result = step()
        new = order_image(self.order_id)
        self.seq += 1
        record = modify_record(
            self.image, new, STREAM, sequence_number=f"{self.seq:021d}", event_id=f"{self.seq:032d}", at=_now()
        )
        self.image = new
        for _ in range(2):  # a redelivered record changes nothing
            assert self.api.invoke("LedgerFunction", {"Records": [record]}) == {"batchItemFailures": []}
        return result


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def call(api: Api, who: Account, method: str, path: str, body: Any = None, **query: Any) -> Any:
    return api.call(method, path, body, token=who.access_token, query={k: str(v) for k, v in query.items()} or None)


def entries(api: Api, admin: Account, order_id: str) -> list[dict[str, Any]]:
    res = call(api, admin, "GET", "/api/v1/admin/transactions", limit=100)
    assert res.status == 200, res.body
    return [e for e in res.data["items"] if e["orderId"] == order_id]


def total(found: list[dict[str, Any]], kind: str, seller: str | None = None) -> int:
    return sum(e["amount"] for e in found if e["type"] == kind and (seller is None or e["sellerId"] == seller))


def payout_of(api: Api, admin: Account, seller: Account) -> dict[str, Any]:
    res = call(api, admin, "GET", "/api/v1/admin/payouts", sellerId=seller.id)
    assert res.status == 200, res.body
    [payout] = res.data["items"]
    return dict(payout)


def onboard(api: Api, seller: Account, stripe_url: str) -> str:
    res = call(api, seller, "POST", "/api/v1/sellers/me/payout-account")
    assert res.status == 200, res.body
    again = call(api, seller, "POST", "/api/v1/sellers/me/payout-account")
    assert again.data["accountId"] == res.data["accountId"]  # created once, a new link each call
    assert call(api, seller, "GET", "/api/v1/sellers/me/payout-account").data["status"] == "pending"
    with urllib.request.urlopen(res.data["onboardingUrl"], timeout=10) as page:
        assert b"Onboarding complete" in page.read()
    account = stripe_call(stripe_url, "GET", f"/v1/accounts/{res.data['accountId']}")
    event = stripe_event("account.updated", account, event_id=f"evt_acct_{account['id']}")
    event["created"] = 2_000_000_000
    assert deliver_events(api, event) == {"batchItemFailures": []}
    return str(res.data["accountId"])


def test_two_sellers_paid_delivered_refunded_released_and_reversed(
    api: Api, admin: Account, customer: Account, local_stripe: str
) -> None:
    # Given two sellers' products in one order: A 2 x 1999, B 1 x 1250 (subtotal 5248, free
    # shipping, tax 8 % = 420) paid on the local Stripe: total 5668
    shop_a = open_shop(api, admin, prices=(1999,), name="Ann")
    shop_b = open_shop(api, admin, prices=(1250,), name="Bob")
    a, b = shop_a.seller, shop_b.seller
    add_to_cart(api, customer, shop_a.products[0]["id"], 2)
    add_to_cart(api, customer, shop_b.products[0]["id"], 1)
    placed = place_order(api, customer)
    assert placed.status == 201, placed.body
    order_id = placed.data["id"]
    ledger = Ledger(api, order_id)
    intent = start_payment(api, customer, order_id)
    paid = pay_intent(local_stripe, intent["paymentIntentId"])
    ledger.after(lambda: deliver_events(api, stripe_event("payment_intent.succeeded", paid)))

    # Then the payment is split: commission 10 % rounded down per seller (399 and 125)
    found = entries(api, admin, order_id)
    assert total(found, "payment") == 5668
    assert (total(found, "commission", a.id), total(found, "earning", a.id)) == (399, 3599)
    assert (total(found, "commission", b.id), total(found, "earning", b.id)) == (125, 1125)
    assert (total(found, "tax"), total(found, "shipping")) == (420, 0)
    assert call(api, a, "GET", "/api/v1/sellers/me/earnings").data == {
        "currency": "usd",
        "held": 3599,
        "available": 0,
        "paid": 0,
        "lifetime": 3599,
    }

    # When it ships and is delivered: each seller's net becomes a held payout
    ship = {"trackingNumber": "1Z999", "trackingUrl": "https://track.example/1Z999"}
    ledger.after(lambda: call(api, a, "POST", f"/api/v1/orders/{order_id}/ship", ship))
    ledger.after(lambda: call(api, b, "POST", f"/api/v1/orders/{order_id}/deliver"))
    payout_a, payout_b = payout_of(api, admin, a), payout_of(api, admin, b)
    assert (payout_a["status"], payout_a["amount"], payout_a["commission"]) == ("held", 3599, 399)
    assert (payout_b["status"], payout_b["amount"]) == ("held", 1125)

    # When 1000 cents are refunded during the hold: allocated by gross (A 3998, B 1250, tax 420)
    refund = call(api, admin, "POST", f"/api/v1/orders/{order_id}/refund", {"amount": 1000})
    assert refund.status == 200, refund.body
    ledger.after(lambda: None)
    found = entries(api, admin, order_id)
    # A gives back 705 (commission 70, net 635), B 221 (22, 199), the tax 74: 705 + 221 + 74 = 1000
    assert total(found, "refund") == 1000
    assert total(found, "earning", a.id) == 3599 - 635
    assert total(found, "commission", a.id) == 399 - 70
    assert total(found, "earning", b.id) == 1125 - 199
    assert total(found, "commission", b.id) == 125 - 22
    assert total(found, "tax") == 420 - 74
    assert total(found, "payment") - total(found, "refund") == sum(
        total(found, kind) for kind in ("earning", "commission", "tax", "shipping")
    )
    assert payout_of(api, admin, a)["amount"] == 2964
    assert payout_of(api, admin, b)["amount"] == 926

    # When the admin releases both: A has an active account (transferred), B has none (available)
    account_a = onboard(api, a, local_stripe)
    assert call(api, a, "GET", "/api/v1/sellers/me/payout-account").data["status"] == "active"
    released = call(api, admin, "POST", f"/api/v1/admin/payouts/{payout_a['id']}/release")
    assert released.status == 200, released.body
    assert (released.data["status"], released.data["transferred"]) == ("paid", 2964)
    transfer = stripe_call(local_stripe, "GET", f"/v1/transfers/{released.data['transferId']}")
    assert (transfer["amount"], transfer["destination"], transfer["transfer_group"]) == (2964, account_a, order_id)
    assert transfer["source_transaction"]
    held_b = call(api, admin, "POST", f"/api/v1/admin/payouts/{payout_b['id']}/release")
    assert held_b.data["status"] == "available"
    assert_problem(
        call(api, admin, "POST", f"/api/v1/admin/payouts/{payout_a['id']}/release"), 409, "PAYOUT_NOT_RELEASABLE"
    )
    assert_problem(call(api, admin, "POST", f"/api/v1/admin/payouts/{payout_a['id']}/retry"), 409, "PAYOUT_NOT_FAILED")
    assert call(api, b, "GET", "/api/v1/sellers/me/earnings").data == {
        "currency": "usd",
        "held": 0,
        "available": 926,
        "paid": 0,
        "lifetime": 926,
    }

    # When 2000 more are refunded after A was paid: A's share comes back by a transfer reversal
    refund = call(api, admin, "POST", f"/api/v1/orders/{order_id}/refund", {"amount": 2000})
    assert refund.status == 200, refund.body
    ledger.after(lambda: None)
    Jobs(api).run()
    after = payout_of(api, admin, a)
    back = 2964 - after["amount"]
    assert back > 0
    assert after["reversed"] == back
    assert stripe_call(local_stripe, "GET", f"/v1/transfers/{transfer['id']}")["amount_reversed"] == back
    found = entries(api, admin, order_id)
    assert total(found, "transfer_reversal", a.id) == back
    assert total(found, "payout", a.id) - total(found, "transfer_reversal", a.id) == after["amount"]
    assert total(found, "payment") - total(found, "refund") == sum(
        total(found, kind) for kind in ("earning", "commission", "tax", "shipping")
    )
    earned = call(api, a, "GET", "/api/v1/sellers/me/earnings").data
    assert earned == {
        "currency": "usd",
        "held": 0,
        "available": 0,
        "paid": after["amount"],
        "lifetime": after["amount"],
    }
    assert call(api, b, "GET", "/api/v1/sellers/me/earnings").data["available"] == payout_of(api, admin, b)["amount"]

    # And the seller sees their own payouts only
    mine = call(api, a, "GET", "/api/v1/sellers/me/payouts")
    assert [p["id"] for p in mine.data["items"]] == [payout_a["id"]]


def test_money_routes_check_roles(api: Api, admin: Account, customer: Account) -> None:
    seller = open_shop(api, admin).seller
    for path in ("/api/v1/admin/transactions", "/api/v1/admin/payouts"):
        assert_problem(call(api, customer, "GET", path), 403, "INSUFFICIENT_PERMISSIONS")
        assert_problem(call(api, seller, "GET", path), 403, "INSUFFICIENT_PERMISSIONS")
        assert api.call("GET", path).status == 401
    for path in ("/api/v1/sellers/me/earnings", "/api/v1/sellers/me/payouts", "/api/v1/sellers/me/payout-account"):
        assert_problem(call(api, customer, "GET", path), 403, "INSUFFICIENT_PERMISSIONS")
    release = "/api/v1/admin/payouts/po_0123456789abcdef01234567/release"
    assert_problem(call(api, seller, "POST", release), 403, "INSUFFICIENT_PERMISSIONS")
    assert_problem(call(api, admin, "POST", release), 404, "PAYOUT_NOT_FOUND")
    assert_problem(call(api, seller, "GET", "/api/v1/sellers/me/payout-account"), 404, "PAYOUT_ACCOUNT_NOT_FOUND")
    pending = api.register(role="seller", name="Pending Seller")
    assert_problem(call(api, pending, "POST", "/api/v1/sellers/me/payout-account"), 403, "SELLER_NOT_APPROVED")
    bad = call(api, admin, "GET", "/api/v1/admin/transactions", **{"from": "2026-02-01", "to": "2026-01-01"})
    assert_problem(bad, 400, "INVALID_RANGE")
    assert_problem(call(api, admin, "GET", "/api/v1/admin/transactions", type="bogus"), 400, "VALIDATION_ERROR")


def delivered_payout(api: Api, admin: Account, buyer: Account, stripe_url: str) -> tuple[Account, dict[str, Any]]:
    """A one-seller order (2 x 1999), paid on the local Stripe and delivered: its held payout."""
    shop = open_shop(api, admin, prices=(1999,), name="Cy")
    add_to_cart(api, buyer, shop.products[0]["id"], 2)
    order_id = place_order(api, buyer).data["id"]
    ledger = Ledger(api, order_id)
    intent = start_payment(api, buyer, order_id)
    paid = pay_intent(stripe_url, intent["paymentIntentId"])
    ledger.after(lambda: deliver_events(api, stripe_event("payment_intent.succeeded", paid)))
    ship = {"trackingNumber": "1Z2", "trackingUrl": "https://track.example/1Z2"}
    ledger.after(lambda: call(api, shop.seller, "POST", f"/api/v1/orders/{order_id}/ship", ship))
    ledger.after(lambda: call(api, shop.seller, "POST", f"/api/v1/orders/{order_id}/deliver"))
    payout = payout_of(api, admin, shop.seller)
    assert (payout["status"], payout["amount"]) == ("held", 3998 - 399)
    return shop.seller, payout


def payout_entries(api: Api, admin: Account, payout: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in entries(api, admin, payout["orderId"]) if e["type"] == "payout"]


def test_a_release_racing_another_transfers_once(
    api: Api, admin: Account, customer: Account, local_stripe: str
) -> None:
    from shared.commerce.payouts import repository, service
    from shared.errors import Conflict

    seller, payout = delivered_payout(api, admin, customer, local_stripe)
    onboard(api, seller, local_stripe)
    # Given a releaser that read the payout while it was still held (the hold's job, say)
    stale = repository.get(payout["id"])
    assert stale is not None
    # When the admin releases it first, then the slow releaser goes on with what it read
    assert service.release(payout["id"], force=True).status == "paid"
    assert service._release(stale) is None  # its claim is refused: no second transfer

    # Then one transfer, once in the ledger and the earnings; later releases change nothing
    [entry] = payout_entries(api, admin, payout)
    assert entry["amount"] == 3599
    assert call(api, seller, "GET", "/api/v1/sellers/me/earnings").data["paid"] == 3599
    assert service.release(payout["id"]).status == "paid"
    with pytest.raises(Conflict):
        service.release(payout["id"], force=True)
    assert len(payout_entries(api, admin, payout)) == 1


def test_a_failed_transfer_is_retried_by_the_admin(
    api: Api, admin: Account, customer: Account, local_stripe: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.checkout import take_stripe_down

    seller, payout = delivered_payout(api, admin, customer, local_stripe)
    onboard(api, seller, local_stripe)
    take_stripe_down(monkeypatch)
    failed = call(api, admin, "POST", f"/api/v1/admin/payouts/{payout['id']}/release")
    assert failed.status == 200, failed.body
    assert failed.data["status"] == "failed"
    assert failed.data["failureReason"]
    assert_problem(
        call(api, admin, "POST", f"/api/v1/admin/payouts/{payout['id']}/release"), 409, "PAYOUT_NOT_RELEASABLE"
    )
    monkeypatch.undo()
    from shared.commerce.payments import gateway
    from shared.settings import reset_settings

    reset_settings()
    gateway.reset_client()

    retried = call(api, admin, "POST", f"/api/v1/admin/payouts/{payout['id']}/retry")

    assert retried.status == 200, retried.body
    assert (retried.data["status"], retried.data["transferred"], retried.data["failureReason"]) == ("paid", 3599, None)
    assert len(payout_entries(api, admin, payout)) == 1
    listed = call(api, admin, "GET", "/api/v1/admin/payouts", status="paid", limit=100)
    assert payout["id"] in [p["id"] for p in listed.data["items"]]


def test_a_transfer_left_in_flight_is_resumed_with_the_same_key(
    api: Api, admin: Account, customer: Account, local_stripe: str
) -> None:
    from shared.commerce.payouts import repository, service

    seller, payout = delivered_payout(api, admin, customer, local_stripe)
    onboard(api, seller, local_stripe)
    stored = repository.get(payout["id"])
    assert stored is not None
    claim = {"status": "transferring", "transfer_amount": 3599, "attempts": 1, "updated_at": "2020-01-01T00:00:00.000Z"}
    assert repository.change(stored, sets=claim)
    claimed = repository.get(payout["id"])
    assert claimed is not None
    # Given the releaser died after Stripe made the transfer, before recording it
    made = service._send(claimed)

    # When the sweep finds it in flight for too long
    counts = service.sweep()

    # Then it is recorded paid with the same transfer, and nothing was transferred twice
    again = repository.get(payout["id"])
    assert again is not None
    assert (again.status, again.transfer_id, again.transferred) == ("paid", made, 3599)
    assert len(payout_entries(api, admin, payout)) == 1
    assert counts["paid"] >= 1


def test_account_events_apply_newest_only(api: Api, admin: Account, local_stripe: str) -> None:
    seller = open_shop(api, admin).seller
    account_id = onboard(api, seller, local_stripe)
    stale = stripe_call(local_stripe, "GET", f"/v1/accounts/{account_id}")
    stale.update(charges_enabled=False, payouts_enabled=False)
    event = stripe_event("account.updated", stale, event_id="evt_acct_stale")
    event["created"] = 1_000_000_000  # older than the one applied
    assert deliver_events(api, event) == {"batchItemFailures": []}
    assert call(api, seller, "GET", "/api/v1/sellers/me/payout-account").data["status"] == "active"
    event.update(id="evt_acct_restricted", created=2_100_000_000)
    event["data"]["object"]["requirements"] = {"disabled_reason": "requirements.past_due"}
    assert deliver_events(api, event) == {"batchItemFailures": []}
    now = call(api, seller, "GET", "/api/v1/sellers/me/payout-account").data
    assert (now["status"], now["chargesEnabled"], now["payoutsEnabled"]) == ("restricted", False, False)


def test_the_hold_ends_by_its_job_or_the_sweep_never_before(
    api: Api, admin: Account, customer: Account, local_stripe: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime, timedelta

    from shared.clock import iso
    from shared.commerce.payouts import service

    seller, payout = delivered_payout(api, admin, customer, local_stripe)
    onboard(api, seller, local_stripe)
    release_at = datetime.fromisoformat(payout["releaseAt"].replace("Z", "+00:00"))
    assert release_at - datetime.fromisoformat(payout["deliveredAt"].replace("Z", "+00:00")) == timedelta(days=7)
    # Before the hold ends, neither the job nor the sweep releases it
    assert service.release(payout["id"]).status == "held"
    assert payout["id"] not in [p.payout_id for p in _due(service)]

    # The one-time schedule fires to the second, a moment early: still due
    monkeypatch.setattr(service, "now", lambda: release_at - timedelta(milliseconds=700))
    monkeypatch.setattr(service, "now_iso", lambda: iso(release_at + timedelta(seconds=1)))
    assert payout["id"] in [p.payout_id for p in _due(service)]
    service.sweep()
    assert payout_of(api, admin, seller)["status"] == "paid"


def _due(service: Any) -> list[Any]:
    from shared.commerce.payouts import repository

    return list(repository.by_status("held", limit=100, position=None, due_by=service.now_iso()).items)
