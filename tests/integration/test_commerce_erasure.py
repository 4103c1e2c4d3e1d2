"""Commerce's erasure steps and export section (issue #18) on moto and the local Stripe: what
buyers, sellers, the admin and the public see after a buyer and a seller are erased, exact
rating aggregates, idempotent and resumable steps, stream consumers unmoved."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from shared.commerce import lifecycle
from shared.commerce.cart import repository as cart
from shared.commerce.inventory.models import LowStockItem, low_stock_pk
from shared.commerce.orders import rules
from shared.commerce.payments import gateway
from shared.commerce.payments import repository as payments
from shared.commerce.products import checkout_repository, erasure, reviews
from shared.commerce.products import repository as products
from shared.commerce.products.models import product_pk
from shared.commerce.products.schemas import CreateReviewRequest
from shared.commerce.sellers import repository as sellers
from shared.data.table import Item
from shared.identity.principal import Principal
from shared.lifecycle.registry import DELETED_NAME, ErasureContext, deleted_email, exporters, steps

from tests.support.analytics import Stream
from tests.support.api import Account, Api
from tests.support.checkout import ADDRESS, add_to_cart, deliver_events, order, place_order, start_payment, stripe_event
from tests.support.localstripe import pay_intent
from tests.support.outbox import owed_items
from tests.support.products import (
    approved_seller,
    atomic_dynamodb_calls,
    create_category,
    create_product,
    outcome,
    principal_of,
    run_concurrently,
)

pytestmark = pytest.mark.usefixtures("local_stripe")
BILLING = {**ADDRESS, "address1": "2 Billing Road", "phone": "+1 555 0100"}


def commerce_steps() -> list[Any]:
    return [step for step in steps() if step.name.startswith("commerce.")]


def erase(user_id: str, role: str, *, seconds: float = 60) -> tuple[list[bool], int]:
    """Run commerce's steps once, in the job's order: (what each returned, items touched)."""
    ctx = ErasureContext(user_id, role, deadline=time.monotonic() + seconds)
    done = [step.run(ctx) for step in commerce_steps()]
    return done, ctx.touched


def review(api: Api, who: Account, product_id: str, rating: int) -> None:
    res = api.call("POST", f"/api/v1/products/{product_id}/reviews", {"rating": rating}, token=who.access_token)
    assert res.status == 201, res.body


def paid_order(api: Api, buyer: Account, product_id: str, stripe: str, **body: Any) -> dict[str, Any]:
    add_to_cart(api, buyer, product_id)
    placed = place_order(api, buyer, **body)
    assert placed.status == 201, placed.body
    intent = start_payment(api, buyer, placed.data["id"])
    paid = pay_intent(stripe, intent["paymentIntentId"])
    assert deliver_events(api, stripe_event("payment_intent.succeeded", paid)) == {"batchItemFailures": []}
    return order(api, buyer, placed.data["id"])


def placeholder() -> dict[str, Any]:
    """The placeholder address as the API shows it (absent optional lines are null)."""
    return {"company": None, "address2": None, "state": None, "phone": None, **rules.placeholder_address()}


def stored_email(order_id: str) -> str:
    return str(Item.get(f"ORDER#{order_id}", "ORDER", consistent_read=True).user_email)


def ledger_consumes(api: Api, records: list[dict[str, Any]]) -> int:
    """Deliver the orders' MODIFY records to the ledger consumer (its FilterCriteria); how many."""
    orders = [r for r in records if r["eventName"] == "MODIFY" and r["dynamodb"]["NewImage"]["type"]["S"] == "ORDER"]
    if orders:
        assert api.invoke("LedgerFunction", {"Records": orders}) == {"batchItemFailures": []}
    return len(orders)


def transactions(api: Api, admin: Account) -> list[dict[str, Any]]:
    res = api.call("GET", "/api/v1/admin/transactions", token=admin.access_token, query={"limit": "100"})
    assert res.status == 200, res.body
    return list(res.data["items"])


def public(api: Api, path: str, **query: str) -> Any:
    return api.call("GET", path, query=query or None)


def test_an_erased_buyer_leaves_anonymised_orders_and_exact_ratings(
    api: Api, admin: Account, customer: Account, local_stripe: str
) -> None:
    # Given a seller's kettle reviewed 5 by our buyer and 2 and 3 by two others, and the buyer's
    # paid order of it (with a billing address and notes), a second product in their cart
    seller = approved_seller(api, admin)
    kettle = create_product(api, seller.access_token, name="Erasable Kettle", stockQuantity=20)
    spare = create_product(api, seller.access_token, name="Spare Lid")
    placed = paid_order(api, customer, kettle["id"], local_stripe, billingAddress=BILLING, notes="Ring twice")
    review(api, customer, kettle["id"], 5)
    for rating in (2, 3):
        review(api, api.register(), kettle["id"], rating)
    add_to_cart(api, customer, spare["id"])
    unpaid = place_order(api, customer).data
    start_payment(api, customer, unpaid["id"])
    add_to_cart(api, customer, spare["id"], 2)
    customer_id = payments.customer_of(customer.id)
    assert customer_id is not None
    stream = Stream(api)
    assert ledger_consumes(api, stream.run()) >= 1  # the intent attached, the payment
    stream.run()  # the ledger's commission entries: platform fees
    before = api.call("GET", "/api/v1/admin/dashboard", token=admin.access_token).data
    exported = exporters()["commerce"](customer.id)
    ledger_before = transactions(api, admin)
    assert {e["type"] for e in ledger_before} >= {"payment", "earning", "commission"}

    # When the buyer's commerce data is erased
    done, touched = erase(customer.id, "customer")

    # Then every step finished: two orders, cart line, review, proof of purchase, Stripe customer
    assert done == [True] * len(done)
    assert touched == 6
    assert cart.get_lines(customer.id) == []
    assert not checkout_repository.has_purchased(customer.id, kettle["id"])
    shown = public(api, f"/api/v1/products/{kettle['id']}").data
    assert (shown["averageRating"], shown["reviewCount"]) == (2.5, 2)
    listed = public(api, f"/api/v1/products/{kettle['id']}/reviews").data["items"]
    assert customer.id not in {r["userId"] for r in listed}
    assert len(listed) == 2
    hits = public(api, "/api/v1/products", search="erasable").data["items"]
    assert [(h["id"], h["averageRating"], h["reviewCount"]) for h in hits] == [(kettle["id"], 2.5, 2)]
    assert payments.customer_of(customer.id) is None
    assert not gateway.customer_exists(customer_id)

    # And the order stays for the admin and the seller, anonymised, with its money untouched and
    # its shipping address kept until it is over (the seller has yet to ship it)
    for viewer in (admin, seller):
        kept = order(api, viewer, placed["id"])
        assert kept["userId"] == customer.id
        assert kept["shippingAddress"] == placed["shippingAddress"]
        assert kept["notes"] is None
        assert kept["items"] == placed["items"]
    kept = order(api, admin, placed["id"])
    assert kept["billingAddress"] == placeholder()
    assert (kept["totalAmount"], kept["paidAmount"], kept["status"]) == (
        placed["totalAmount"],
        placed["paidAmount"],
        placed["status"],
    )
    stored = Item.get(f"ORDER#{placed['id']}", "ORDER", consistent_read=True)
    assert (stored.user_name, stored.user_email) == (DELETED_NAME, deleted_email(customer.id))
    assert "Ring twice" not in str(stored.serialize())
    assert customer.email not in str(stored.serialize())

    # And the unpaid order is cancelled, its stock back, with no email to the placeholder
    cancelled = order(api, admin, unpaid["id"])
    assert (cancelled["status"], cancelled["cancellationReason"]) == ("cancelled", lifecycle.ACCOUNT_DELETED)
    assert cancelled["shippingAddress"] == placeholder()
    assert public(api, f"/api/v1/products/{spare['id']}").data["stockQuantity"] == spare["stockQuantity"]
    assert [i for i in owed_items() if deleted_email(customer.id) in str(i.serialize())] == []

    # And the stream consumers write nothing for it: the dashboard is what it was, the ledger
    # consumer adds no entry for the anonymisation record
    assert ledger_consumes(api, stream.run()) == 3  # the anonymisations, the cancellation
    assert api.call("GET", "/api/v1/admin/dashboard", token=admin.access_token).data == before
    assert transactions(api, admin) == ledger_before

    # And an erased buyer's order can still be refunded by the admin (accounting, disputes)
    res = api.call("POST", f"/api/v1/orders/{placed['id']}/refund", {"amount": 100}, token=admin.access_token)
    assert res.status == 200, res.body

    # When it runs again, nothing changes
    assert erase(customer.id, "customer") == ([True] * len(done), 0)
    shown = public(api, f"/api/v1/products/{kettle['id']}").data
    assert (shown["averageRating"], shown["reviewCount"]) == (2.5, 2)

    # And the export taken before held the orders, reviews and cart, camelCase and in cents
    assert [o["id"] for o in exported["orders"]] == [unpaid["id"], placed["id"]]
    assert exported["orders"][1]["totalAmount"] == placed["totalAmount"]
    assert exported["orders"][1]["items"][0]["unitPrice"] == kettle["price"]
    assert [(r["productId"], r["rating"]) for r in exported["reviews"]] == [(kettle["id"], 5)]
    assert [(line["productId"], line["quantity"]) for line in exported["cart"]] == [(spare["id"], 2)]
    assert (exported["store"], exported["products"]) == (None, [])
    assert exporters()["commerce"](customer.id)["reviews"] == []


def test_an_erased_seller_disappears_from_the_catalog_and_orders_keep_their_lines(
    api: Api, admin: Account, customer: Account, local_stripe: str
) -> None:
    # Given a seller with a store page, an active product in a category (reviewed, sold, low on
    # stock) and a draft
    seller = approved_seller(api, admin, name="Gone Seller")
    res = api.call("PATCH", "/api/v1/sellers/me", {"storeName": "Vanishing Goods"}, token=seller.access_token)
    assert res.status == 200, res.body
    category = create_category("Erasure Gadgets")
    gadget = create_product(
        api, seller.access_token, name="Vanishing Gadget", categoryId=category, stockQuantity=3, sku="VG-1"
    )
    draft = create_product(api, seller.access_token, name="Unseen Draft", status="draft")
    placed = paid_order(api, customer, gadget["id"], local_stripe)
    review(api, customer, gadget["id"], 4)
    stream = Stream(api)
    stream.run()  # both are low on stock (2 and 5 <= threshold 10): two low-stock entries
    assert len(list(Item.query(low_stock_pk(seller.id)))) == 2
    exported = exporters()["commerce"](seller.id)

    # When the seller's commerce data is erased
    done, touched = erase(seller.id, "seller")

    # Then the products are gone everywhere the public looked, with their reviews and SKU
    assert done == [True] * len(done)
    assert touched == 2 + 1 + 2 + 1  # two products, one review of theirs, two low-stock entries, the store
    for product in (gadget, draft):
        assert public(api, f"/api/v1/products/{product['id']}").status == 404
        assert public(api, f"/api/v1/products/{product['slug']}").status == 404
        assert list(Item.query(product_pk(product["id"]))) == []
    assert gadget["id"] not in {p["id"] for p in public(api, "/api/v1/products").data["items"]}
    assert public(api, "/api/v1/products", categoryId=category).data["items"] == []
    assert public(api, "/api/v1/products", search="vanishing").data["items"] == []
    assert products.find_by_slug(gadget["slug"]) is None
    assert create_product(api, admin.access_token, name="Reuse", sku="VG-1")["sku"] == "VG-1"

    # And the store page and the low-stock entries are gone, also once the consumer has seen
    # the products' last records
    assert sellers.get_profiles([seller.id]) == {}
    assert [i for i in Item.query(low_stock_pk(seller.id)) if isinstance(i, LowStockItem)] == []
    assert stream.run()
    assert list(Item.query(low_stock_pk(seller.id))) == []

    # And the buyer's order keeps its own copy of the line
    kept = order(api, customer, placed["id"])
    assert kept["items"] == placed["items"]
    assert kept["items"][0]["name"] == "Vanishing Gadget"

    # And a second run changes nothing
    assert erase(seller.id, "seller") == ([True] * len(done), 0)

    # And the export taken before held the store and both products
    assert exported["store"]["storeName"] == "Vanishing Goods"
    assert sorted(p["id"] for p in exported["products"]) == sorted([gadget["id"], draft["id"]])
    assert all(isinstance(p["price"], int) for p in exported["products"])


def test_steps_stop_at_a_page_when_out_of_time_and_finish_on_the_next_run(
    api: Api, admin: Account, customer: Account, local_stripe: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given pages of one item, a buyer with two reviews and two orders, a seller with two products
    monkeypatch.setattr(lifecycle, "PAGE", 1)
    monkeypatch.setattr(lifecycle, "PRODUCT_PAGE", 1)
    seller = approved_seller(api, admin)
    first, second = (create_product(api, seller.access_token, stockQuantity=9) for _ in range(2))
    orders = [paid_order(api, customer, p["id"], local_stripe) for p in (first, second)]
    for product in (first, second):
        review(api, customer, product["id"], 1)

    # When each step runs with its deadline already passed
    by_name = {step.name: step for step in commerce_steps()}
    late = ErasureContext(customer.id, "customer", deadline=time.monotonic() - 1)

    # Then the ones with more than a page left stop after one page
    assert by_name["commerce.reviews"].run(late) is False
    assert late.touched == 1
    assert by_name["commerce.orders"].run(late) is False
    assert late.touched == 2
    assert sorted(stored_email(o["id"]) for o in orders) == sorted([customer.email, deleted_email(customer.id)])
    late_seller = ErasureContext(seller.id, "seller", deadline=time.monotonic() - 1)
    assert by_name["commerce.seller"].run(late_seller) is False
    assert sum(public(api, f"/api/v1/products/{p['id']}").status == 404 for p in (first, second)) == 1

    # When they run again in time, everything is finished, each rating exactly back to none
    assert erase(customer.id, "customer")[0] == [True] * len(by_name)
    for product in (first, second):
        shown = public(api, f"/api/v1/products/{product['id']}")
        if shown.status == 200:
            assert (shown.data["averageRating"], shown.data["reviewCount"]) == (0, 0)
    assert erase(seller.id, "seller")[0] == [True] * len(by_name)
    for o in orders:
        assert stored_email(o["id"]) == deleted_email(customer.id)
        assert order(api, admin, o["id"])["shippingAddress"]["address1"] == ADDRESS["address1"]
    for product in (first, second):
        assert public(api, f"/api/v1/products/{product['id']}").status == 404


def test_review_erasures_racing_each_other_and_new_reviews_keep_the_rating_exact(
    api: Api, admin: Account, local_stripe: str
) -> None:
    # Given a product reviewed 5, 4 and 3 by three accounts being erased
    seller = approved_seller(api, admin)
    product = create_product(api, seller.access_token, name="Contended Kettle")
    leaving = [api.register() for _ in range(3)]
    for who, rating in zip(leaving, (5, 4, 3), strict=True):
        review(api, who, product["id"], rating)
    arriving = [principal_of(api.register()) for _ in range(3)]

    def erase_review(who: Account) -> Callable[[], bool]:
        return lambda: erasure.erase_review(product["id"], who.id)

    def post(who: Principal, rating: int) -> Callable[[], bool]:
        return lambda: (
            outcome(lambda: reviews.create_review(who, product["id"], CreateReviewRequest(rating=rating))) == "ok"
        )

    # When each erasure runs twice at once (a retried job part) while three new reviews (1, 2, 1) arrive
    with atomic_dynamodb_calls():
        results = run_concurrently(
            *(erase_review(who) for who in leaving),
            *(erase_review(who) for who in leaving),
            *(post(who, rating) for who, rating in zip(arriving, (1, 2, 1), strict=True)),
        )

    # Then each review was taken out once, and the product's rating is exactly the new reviews'
    assert sum(results[:6]) == 3
    assert results[6:] == [True] * 3
    shown = public(api, f"/api/v1/products/{product['id']}").data
    assert (shown["averageRating"], shown["reviewCount"]) == (1.33, 3)
    stored = products.get_product(product["id"])
    assert stored is not None
    assert (int(stored.rating_sum), int(stored.review_count)) == (4, 3)
    card = public(api, "/api/v1/products", search="contended").data["items"][0]
    assert (card["averageRating"], card["reviewCount"]) == (1.33, 3)
