"""Commerce's part of account erasure and export (issue #18; the contract is
:mod:`shared.lifecycle.registry`).

What becomes of a deleted account's commerce data
=================================================

- **Orders as a buyer**: kept for accounting, with the name, email and billing address replaced
  by placeholders and the buyer's notes dropped (``commerce.orders``). The shipping address
  depends on the order's course (``rules.OVER``):

  - an order that is over (delivered, cancelled, refunded) loses it at once;
  - an open one (paid: confirmed, processing, or shipped and in transit) keeps it, since the
    seller still has to ship it (or re-ship, or claim a lost parcel), and is marked
    ``redactShippingWhenOver``. The status write that delivers, cancels or fully refunds it
    replaces the address with the placeholder and drops the mark in the same conditional
    update (:func:`shared.commerce.orders.repository.transition`): no second pass. A transition
    that read the order before the mark was set fails on the mark's absence and is written
    again from a fresh read, so no race leaves an ended order with its address.

  The admin and the sellers still see the orders: a seller's ``ORDER_SELLER`` slice holds only
  the order id, seller id and date and points to the same order item, so what the seller sees
  (the kept address, then the placeholder) follows that item with nothing to keep in sync.
  Amounts, lines and payments are untouched. An unpaid order is cancelled (nobody can pay it
  any more; the cancellation redacts its address). Paid orders keep their course (the seller or
  admin ships, cancels or refunds them); no order email goes to the placeholder.
- **Cart** and **order idempotency keys**: deleted (``commerce.cart``).
- **Reviews**: deleted, each in one transaction with the exact update of its product's rating
  (sum, count, average and rating index key); **proofs of purchase** (``PURCHASE#``) deleted
  (``commerce.reviews``).
- **Stripe customer**: deleted on Stripe through the payments gateway (it holds the name and
  email; payments and refunds of its PaymentIntents still work without it), then the mapping
  is dropped (``commerce.payments``).
- **As a seller** (``commerce.seller``): each product is first delisted (``inactive``: gone from
  listings, category pages and search; its page 404s to the public), then the other users'
  reviews of it are deleted, then the product itself with its slug/SKU claims and postings
  (orders keep their own copies of the lines; the daily cleanup removes the orphaned images).
  Then the low-stock entries and the store profile (the store page) go.
- **Payouts**: the ledger, balances, payouts and the payout account are kept. The payout rules
  (:mod:`shared.commerce.payouts.service`) are not changed by a deletion: what the seller
  earned on delivered orders is theirs, so a ``held`` payout is still transferred to their
  Connect account when its hold ends (an ``available`` one when the account becomes active),
  refunds still lower or reverse them, and the admin keeps retrying failed ones. Nothing there
  reads the deleted profile.

Every step works on what is still there, found by key or index (no Scan), page by page; it
returns ``False`` between pages once the context is out of time, and a retry finds only what
is left (finished items are skipped by their own condition: an anonymised order, a review that
is gone).

Stream consumers see these writes: an anonymised order changes no amount or status (the
analytics rollups, the ledger and the real-time fan-out write nothing for it); a cancelled
unpaid order was never counted (only paid orders are); a delisted or deleted product only
clears its low-stock entry; reviews feed no consumer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from shared.commerce.cart import repository as cart
from shared.commerce.inventory import repository as low_stock
from shared.commerce.orders import repository as orders
from shared.commerce.orders import service as order_service
from shared.commerce.orders.models import OrderItem
from shared.commerce.orders.rules import PENDING, placeholder_address
from shared.commerce.orders.views import order_out
from shared.commerce.payments import gateway
from shared.commerce.payments import repository as payments
from shared.commerce.products import erasure as products
from shared.commerce.products import service as product_service
from shared.commerce.products.models import ProductItem, ReviewItem
from shared.commerce.products.views import product_out, review_out
from shared.commerce.sellers import repository as sellers
from shared.errors import Conflict
from shared.lifecycle.registry import (
    DELETED_NAME,
    ErasureContext,
    deleted_email,
    erasure_step,
    export_section,
    retain,
)

PAGE = 25
PRODUCT_PAGE = 10
EXPORT_PAGE = 100
ACCOUNT_DELETED = "Account deleted"


retain(
    "ORDER_SELLER",
    reason="a seller's index entry of an order (order id, seller id, date), no personal data; the order it "
    "points to is kept for accounting and anonymised by commerce.orders",
)
retain(
    "PAYMENT",
    reason="one record per PaymentIntent (amounts, status, card brand and last 4, Stripe ids), no name, email "
    "or address: kept for accounting, refunds and disputes",
)
retain("LEDGER_ENTRY", reason="immutable money movements (cents, order/seller/Stripe ids): kept for accounting")
retain("SELLER_BALANCE", reason="a seller's running earnings totals, kept with the ledger entries they sum")
retain(
    "PAYOUT",
    reason="what a seller is owed per delivered order, kept for accounting; a deleted seller's held payouts are "
    "still transferred by the payout rules when due (see shared.commerce.lifecycle)",
)
retain(
    "PAYOUT_ACCOUNT",
    reason="the seller's Stripe Connect account id and status flags, no personal data: kept so payouts still "
    "owed reach the seller",
)
retain("CATEGORY", reason="catalog categories managed by admins: owned by no account")
retain(
    "ROLLUP_DAY",
    "ROLLUP_PRODUCT_DAY",
    "ROLLUP_SELLER_DAY",
    reason="daily sales aggregates (counts, cents, product names, seller ids), no personal data; past figures "
    "must not change",
)
retain("STREAM_APPLIED", reason="a stream record's applied marker (its event id), expires by TTL after 2 days")


# ---------------------------------------------------------------------------- erasure steps


@erasure_step("commerce.orders", entities=["ORDER"], order=30)
def anonymise_orders(ctx: ErasureContext) -> bool:
    """The buyer's orders, kept and anonymised (see the module doc; an open order keeps its
    shipping address until it is over); an unpaid one is then cancelled as the unpaid-order job
    would (its intent stopped on Stripe, its stock released, its address redacted by that same
    write), since nobody can pay it any more. It runs first: an intent found paid meanwhile confirms the
    order and writes proofs of purchase, which ``commerce.reviews`` then deletes."""
    email = deleted_email(ctx.user_id)
    address = placeholder_address()
    position: dict[str, Any] | None = None
    while True:
        page = orders.list_for_user(ctx.user_id, limit=PAGE, position=position)
        for order in page.items:
            if not isinstance(order, OrderItem):
                continue
            if order.user_email != email and orders.anonymise(order, name=DELETED_NAME, email=email, address=address):
                ctx.touch()
            if order.status == PENDING:
                _cancel_unpaid(order.order_id)
        position = page.next_position
        if position is None:
            return True
        if ctx.out_of_time():
            return False


def _cancel_unpaid(order_id: str) -> None:
    """Raises :class:`Conflict` ``PAYMENT_IN_PROGRESS`` (Stripe is still processing it) and
    :class:`UpstreamFailed`: the job retries the step."""
    order = orders.get_order(order_id)
    if order is None or order.status != PENDING:
        return
    try:
        order_service.cancel(order, ACCOUNT_DELETED)
    except Conflict as exc:
        if exc.code != "ORDER_NOT_CANCELLABLE":
            raise


@erasure_step("commerce.cart", entities=["CART_LINE", "ORDER_IDEMPOTENCY"], order=31)
def erase_cart(ctx: ErasureContext) -> bool:
    """The cart (bounded by the cart's line limit) and the order Idempotency-Keys."""
    ctx.touch(cart.clear(ctx.user_id))
    return _drain(ctx, partial(orders.delete_idempotency_keys, ctx.user_id, limit=PAGE))


@erasure_step("commerce.reviews", entities=["REVIEW", "PURCHASE"], order=32)
def erase_reviews(ctx: ErasureContext) -> bool:
    """Each review with its product's rating adjusted in the same transaction
    (:func:`products.erase_review`), then the proofs of purchase."""
    position: dict[str, Any] | None = None
    while True:
        page = products.reviews_by(ctx.user_id, limit=PAGE, position=position)
        for review in page.items:
            if isinstance(review, ReviewItem) and products.erase_review(review.product_id, ctx.user_id):
                ctx.touch()
        position = page.next_position
        if position is None:
            break
        if ctx.out_of_time():
            return False
    return _drain(ctx, partial(products.delete_purchases, ctx.user_id, limit=PAGE))


@erasure_step("commerce.payments", entities=["STRIPE_CUSTOMER"], order=33)
def erase_stripe_customer(ctx: ErasureContext) -> bool:
    """Delete the account's Stripe customer, then forget it (raises :class:`UpstreamFailed` while
    Stripe is unreachable: the job retries, the mapping is kept until the delete succeeded)."""
    customer_id = payments.customer_of(ctx.user_id)
    if customer_id is None:
        return True
    gateway.delete_customer(customer_id)
    if payments.drop_customer(ctx.user_id, customer_id):
        ctx.touch()
    return True


@erasure_step("commerce.seller", entities=["PRODUCT", "POSTING", "LOW_STOCK", "SELLER_PROFILE"], order=34)
def erase_seller(ctx: ErasureContext) -> bool:
    """Every product the account sells (GSI5 holds every status, so a half-erased product is
    found again), then its low-stock entries and its store profile. Payouts: see the module doc."""
    position: dict[str, Any] | None = None
    while True:
        page = products.products_of(ctx.user_id, limit=PRODUCT_PAGE, position=position)
        for product in page.items:
            if isinstance(product, ProductItem) and not _erase_product(product.product_id, ctx):
                return False
        position = page.next_position
        if position is None:
            break
        if ctx.out_of_time():
            return False
    if not _drain(ctx, partial(low_stock.clear_seller, ctx.user_id, limit=PAGE)):
        return False
    if sellers.delete_profile(ctx.user_id):
        ctx.touch()
    return True


def _erase_product(product_id: str, ctx: ErasureContext) -> bool:
    """Delist, drop the reviews, delete; ``False`` when time ran out between review pages (the
    product stays delisted and is found again by the next part)."""
    if product_service.delist(product_id) is None:
        return True
    if not _drain(ctx, partial(products.delete_reviews_of, product_id, limit=EXPORT_PAGE)):
        return False
    if product_service.remove_product(product_id):
        ctx.touch()
    return True


def _drain(ctx: ErasureContext, delete_page: Callable[[], tuple[int, bool]]) -> bool:
    """Call ``delete_page`` until nothing is left (``True``) or time ran out (``False``)."""
    while True:
        deleted, more = delete_page()
        ctx.touch(deleted)
        if not more:
            return True
        if ctx.out_of_time():
            return False


# ---------------------------------------------------------------------------- export


@export_section("commerce")
def export(user_id: str) -> dict[str, Any]:
    """What the account owns in commerce: orders (lines and totals in cents), reviews, cart,
    and as a seller the store profile and products (every status). Read page by page."""
    profile = sellers.get_profiles([user_id]).get(user_id)
    store = (
        {
            "storeName": profile.store_name,
            "description": profile.description,
            "logoUrl": profile.logo_url,
            "updatedAt": profile.updated_at,
        }
        if profile
        else None
    )
    return {
        "orders": [_dump(order_out(order)) for order in _all(orders.list_for_user, user_id, OrderItem)],
        "reviews": [_dump(review_out(review)) for review in _all(products.reviews_by, user_id, ReviewItem)],
        "cart": [
            {"productId": line.product_id, "quantity": int(line.quantity), "addedAt": line.added_at}
            for line in cart.get_lines(user_id)
        ],
        "store": store,
        "products": [
            _dump(product_out(product, private=True)) for product in _all(products.products_of, user_id, ProductItem)
        ],
    }


def _all(read: Any, user_id: str, kind: type[Any]) -> list[Any]:
    found: list[Any] = []
    position: dict[str, Any] | None = None
    while True:
        page = read(user_id, limit=EXPORT_PAGE, position=position)
        found.extend(item for item in page.items if isinstance(item, kind))
        position = page.next_position
        if position is None:
            return found


def _dump(model: Any) -> dict[str, Any]:
    return dict(model.model_dump(mode="json", by_alias=True))
