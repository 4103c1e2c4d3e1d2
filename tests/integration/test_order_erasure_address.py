"""A deleted buyer's open order keeps its shipping address until it is over (issue #18's
erasure, ``commerce.orders``): the seller can still ship what was paid for, and the status write
that ends the order (delivered, cancelled, refunded) replaces the address with the placeholder,
for the admin and the seller alike. Orders over at erasure time are anonymised at once."""

from __future__ import annotations

import time
from typing import Any

import pytest
from shared.clock import now_iso
from shared.commerce.orders import notifications, repository, rules
from shared.commerce.orders.models import OrderItem
from shared.data.table import Item
from shared.lifecycle.registry import DELETED_NAME, ErasureContext, deleted_email, steps
from shared.messaging.owed import Owed

from tests.support.api import Account, Api
from tests.support.checkout import (
    ADDRESS,
    add_to_cart,
    buy,
    deliver_events,
    open_shop,
    order,
    place_order,
    start_payment,
    stripe_event,
)
from tests.support.localstripe import pay_intent
from tests.support.outbox import owed_items

pytestmark = pytest.mark.usefixtures("local_stripe")
BILLING = {**ADDRESS, "address1": "2 Billing Road"}


def erase_orders(user_id: str) -> int:
    """Run the ``commerce.orders`` step once; the items it touched."""
    (step,) = (s for s in steps() if s.name == "commerce.orders")
    ctx = ErasureContext(user_id, "customer", deadline=time.monotonic() + 60)
    assert step.run(ctx) is True
    return ctx.touched


def placeholder() -> dict[str, Any]:
    """The placeholder address as the API shows it (absent optional lines are null)."""
    return {"company": None, "address2": None, "state": None, "phone": None, **rules.placeholder_address()}


def shipping_as_placed() -> dict[str, Any]:
    return {"company": None, "address2": None, "state": None, "phone": None, **ADDRESS}


def stored(order_id: str) -> OrderItem:
    item = Item.get(f"ORDER#{order_id}", "ORDER", consistent_read=True)
    assert isinstance(item, OrderItem)
    return item


def paid(api: Api, admin: Account, buyer: Account, stripe: str, **body: Any) -> tuple[Account, dict[str, Any]]:
    """A seller and the buyer's confirmed order of one of their products."""
    shop = open_shop(api, admin)
    add_to_cart(api, buyer, shop.products[0]["id"])
    res = place_order(api, buyer, **body)
    assert res.status == 201, res.body
    placed = dict(res.data)
    intent = start_payment(api, buyer, placed["id"])
    charged = pay_intent(stripe, intent["paymentIntentId"])
    assert deliver_events(api, stripe_event("payment_intent.succeeded", charged)) == {"batchItemFailures": []}
    assert order(api, buyer, placed["id"])["status"] == "confirmed"
    return shop.seller, placed


def seller_sees(api: Api, seller: Account, order_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The order as its seller sees it: the detail and the entry of their order list."""
    res = api.call("GET", "/api/v1/sellers/me/orders", token=seller.access_token)
    assert res.status == 200, res.body
    (listed,) = (o for o in res.data["items"] if o["id"] == order_id)
    return order(api, seller, order_id), listed


def act(api: Api, who: Account, order_id: str, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    res = api.call("POST", f"/api/v1/orders/{order_id}/{action}", body or {}, token=who.access_token)
    assert res.status == 200, res.body
    return dict(res.data)


def test_a_paid_order_keeps_its_shipping_address_until_delivered(
    api: Api, admin: Account, customer: Account, local_stripe: str
) -> None:
    # Given a buyer's paid order, with a billing address and notes
    seller, placed = paid(api, admin, customer, local_stripe, billingAddress=BILLING, notes="Ring twice")

    # When the buyer's orders are erased
    assert erase_orders(customer.id) == 1

    # Then the seller still sees where to ship it, in the detail and in their list
    for shown in seller_sees(api, seller, placed["id"]):
        assert shown["shippingAddress"] == shipping_as_placed()
        assert shown["notes"] is None
    # And the name, email, billing address and notes are anonymised, the order marked
    kept = stored(placed["id"])
    assert (kept.user_name, kept.user_email, kept.notes) == (DELETED_NAME, deleted_email(customer.id), None)
    assert kept.redact_shipping is True
    assert order(api, admin, placed["id"])["billingAddress"] == placeholder()
    assert customer.email not in str(kept.serialize())

    # When the seller processes and ships it: the carrier and a returned parcel still need it
    act(api, seller, placed["id"], "process")
    shipped = act(api, seller, placed["id"], "ship", {"trackingNumber": "1Z999"})
    assert shipped["shippingAddress"] == shipping_as_placed()
    assert erase_orders(customer.id) == 0  # a re-run changes nothing

    # When it is delivered, the same write replaces the address, for the seller and the admin
    delivered = act(api, seller, placed["id"], "deliver")
    assert (delivered["status"], delivered["shippingAddress"]) == ("delivered", placeholder())
    for shown in (*seller_sees(api, seller, placed["id"]), order(api, admin, placed["id"])):
        assert shown["shippingAddress"] == placeholder()
    assert stored(placed["id"]).redact_shipping is None
    assert ADDRESS["address1"] not in str(stored(placed["id"]).serialize())

    # And a re-run of the step changes nothing; no email was owed to the placeholder
    assert erase_orders(customer.id) == 0
    assert order(api, admin, placed["id"])["shippingAddress"] == placeholder()
    assert [i for i in owed_items() if deleted_email(customer.id) in str(i.serialize())] == []


@pytest.mark.parametrize("ending", ["cancel", "refund"])
def test_cancelling_or_refunding_an_erased_buyers_order_redacts_its_address(
    api: Api, admin: Account, customer: Account, local_stripe: str, ending: str
) -> None:
    # Given an erased buyer's paid order, partly refunded (it stays confirmed: the address stays)
    seller, placed = paid(api, admin, customer, local_stripe)
    erase_orders(customer.id)
    partly = act(api, admin, placed["id"], "refund", {"amount": 100})
    assert (partly["status"], partly["shippingAddress"]) == ("confirmed", shipping_as_placed())

    # When the admin cancels it (refunding the rest) or refunds the rest
    ended = act(api, admin, placed["id"], ending)

    # Then it is over and its address is the placeholder for everyone
    assert ended["status"] == {"cancel": "cancelled", "refund": "refunded"}[ending]
    for shown in (ended, *seller_sees(api, seller, placed["id"])):
        assert shown["shippingAddress"] == placeholder()
    assert stored(placed["id"]).redact_shipping is None
    assert [i for i in owed_items() if deleted_email(customer.id) in str(i.serialize())] == []


def test_a_delivered_order_is_anonymised_at_once_and_a_pending_one_cancelled(
    api: Api, admin: Account, customer: Account, local_stripe: str
) -> None:
    # Given a buyer's delivered order and an unpaid one
    seller, done = paid(api, admin, customer, local_stripe)
    act(api, seller, done["id"], "ship", {"trackingNumber": "1Z1"})
    act(api, seller, done["id"], "deliver")
    unpaid = buy(api, customer, open_shop(api, admin).products[0]["id"])

    # When the buyer's orders are erased
    assert erase_orders(customer.id) == 2

    # Then the delivered order lost its address at once (nothing left to ship), unmarked
    assert order(api, seller, done["id"])["shippingAddress"] == placeholder()
    assert stored(done["id"]).redact_shipping is None
    # And the unpaid one is cancelled as before, its address gone with the cancellation
    cancelled = order(api, admin, unpaid["id"])
    assert (cancelled["status"], cancelled["shippingAddress"]) == ("cancelled", placeholder())
    assert stored(unpaid["id"]).redact_shipping is None
    assert erase_orders(customer.id) == 0


def test_a_transition_that_read_the_order_before_the_erasure_still_redacts_it(
    api: Api, admin: Account, customer: Account, local_stripe: str
) -> None:
    # Given a shipped order read by a delivery (and a confirmed one by a cancellation) just
    # before the buyer's erasure marked them
    seller, shipped = paid(api, admin, customer, local_stripe)
    act(api, seller, shipped["id"], "ship", {"trackingNumber": "1Z2"})
    _, confirmed = paid(api, admin, customer, local_stripe)
    stale_shipped, stale_confirmed = stored(shipped["id"]), stored(confirmed["id"])
    erase_orders(customer.id)
    emails_before = len(owed_items())

    # When the stale reads' transitions are written, one owing the buyer an email
    at = now_iso()
    assert repository.transition(
        stale_shipped, rules.DELIVERED, expect=OrderItem.status == rules.SHIPPED, sets={"delivered_at": at}
    )
    assert repository.transition(
        stale_confirmed,
        rules.CANCELLED,
        expect=OrderItem.status == rules.CONFIRMED,
        sets={"cancelled_at": at},
        owed=cancellation_email(stale_confirmed),
    )

    # Then both are over with the placeholder address and no mark, and the stale email to the
    # erased buyer's real address was dropped
    for order_id in (shipped["id"], confirmed["id"]):
        item = stored(order_id)
        assert item.status in rules.OVER
        assert (item.shipping_address.as_dict(), item.redact_shipping) == (rules.placeholder_address(), None)  # type: ignore[no-untyped-call]
    assert len(owed_items()) == emails_before
    assert [i for i in owed_items() if f"order_cancelled:{confirmed['id']}" in str(i.serialize())] == []


def test_an_erasure_that_read_an_open_order_before_it_ended_anonymises_it_fully(
    api: Api, admin: Account, customer: Account, local_stripe: str
) -> None:
    # Given a confirmed order read by the erasure, then delivered before the erasure wrote it
    seller, placed = paid(api, admin, customer, local_stripe)
    stale = stored(placed["id"])
    act(api, seller, placed["id"], "ship", {"trackingNumber": "1Z3"})
    act(api, seller, placed["id"], "deliver")

    # When the erasure writes from its stale read
    email = deleted_email(customer.id)
    assert repository.anonymise(stale, name=DELETED_NAME, email=email, address=rules.placeholder_address())

    # Then it saw the order is over and took the address too, without a mark
    item = stored(placed["id"])
    assert (item.user_email, item.redact_shipping) == (email, None)
    assert order(api, seller, placed["id"])["shippingAddress"] == placeholder()
    assert not repository.anonymise(item, name=DELETED_NAME, email=email, address=rules.placeholder_address())


def cancellation_email(order_read: OrderItem) -> list[Owed]:
    owed = notifications.cancelled(order_read, reason="test", refund_amount=0)
    assert owed  # the stale read still has the buyer's real address
    return owed
