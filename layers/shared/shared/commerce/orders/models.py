"""Order entities: the order (its lines embedded), one slice per seller, order-number claims and
idempotency keys.

Access patterns
===============

=========================================  ==================================================================
Who reads what                             Key / index
=========================================  ==================================================================
order by id (detail, transitions, events)  ``PK=ORDER#<id>``, ``SK=ORDER`` (lines embedded: one read)
order by number                            ``PK=UNIQUE#ORDER_NUMBER#<number>`` → owner id → order
                                           (claimed in the create transaction: numbers are unique)
a buyer's orders, newest first             Query GSI1 ``GSI1PK=USER_ORDERS#<uid>``, ``GSI1SK=<createdAt>#<id>``
admin: every order, newest first           Query GSI3 ``GSI3PK=ORDERS``, ``GSI3SK=<createdAt>#<id>``
admin: orders by status, newest first;     Query GSI2 ``GSI2PK=ORDERS#STATUS#<status>``, ``GSI2SK=<createdAt>#<id>``
job: unpaid orders older than a cutoff     (``pending`` and ``GSI2SK < <cutoff>``: reads only expired orders)
a seller's orders, newest first            Query GSI1 ``GSI1PK=SELLER_ORDERS#<sid>``, ``GSI1SK=<createdAt>#<id>``
                                           on the slices ``PK=ORDER#<id>``, ``SK=SELLER#<sid>``, then one
                                           BatchGetItem of the orders (the seller sees only their lines)
retried create with an Idempotency-Key     ``PK=USER#<uid>``, ``SK=ORDER_IDEMPOTENCY#<key>`` → order id
                                           (conditional put in the create transaction; TTL)
=========================================  ==================================================================

A deleted buyer's open order keeps its shipping address, marked ``redactShippingWhenOver``: the
write that moves it to a status of ``rules.OVER`` also replaces the address and drops the mark.

Every status change is an UpdateItem conditioned on the status it leaves (and, where stock or
money moves with it, part of one TransactWrite), so no retry, race or late event applies a
transition twice or moves an order backwards. ``GSI3PK=ORDERS`` is a single partition: fine for
an admin list at this scale; a busy store would shard it by month.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from shared.data.table import Item

ORDER_SK = "ORDER"
ALL_ORDERS = "ORDERS"
SELLER_PREFIX = "SELLER#"
IDEMPOTENCY_PREFIX = "ORDER_IDEMPOTENCY#"


def order_pk(order_id: str) -> str:
    return f"ORDER#{order_id}"


def user_orders(user_id: str) -> str:
    return f"USER_ORDERS#{user_id}"


def seller_orders(seller_id: str) -> str:
    return f"SELLER_ORDERS#{seller_id}"


def status_partition(status: str) -> str:
    return f"ORDERS#STATUS#{status}"


def order_position(created_at: str, order_id: str) -> str:
    return f"{created_at}#{order_id}"


def idempotency_key(user_id: str, key: str) -> tuple[str, str]:
    return f"USER#{user_id}", f"{IDEMPOTENCY_PREFIX}{key}"


class OrderLine(MapAttribute[str, object]):
    """A line as bought: name, SKU and unit price are snapshots, never re-read from the product."""

    product_id = UnicodeAttribute(attr_name="productId")
    seller_id = UnicodeAttribute(attr_name="sellerId")
    name = UnicodeAttribute()
    slug = UnicodeAttribute(null=True)
    sku = UnicodeAttribute(null=True)
    image = UnicodeAttribute(null=True)
    unit_price = NumberAttribute(attr_name="unitPrice")
    quantity = NumberAttribute()
    line_total = NumberAttribute(attr_name="lineTotal")


class OrderItem(Item, discriminator="ORDER"):
    order_id = UnicodeAttribute(attr_name="orderId")
    order_number = UnicodeAttribute(attr_name="orderNumber")
    user_id = UnicodeAttribute(attr_name="userId")
    user_email = UnicodeAttribute(attr_name="userEmail")
    user_name = UnicodeAttribute(attr_name="userName")
    status = UnicodeAttribute()
    currency = UnicodeAttribute()
    subtotal = NumberAttribute()
    tax_amount = NumberAttribute(attr_name="taxAmount")
    shipping_amount = NumberAttribute(attr_name="shippingAmount")
    discount_amount = NumberAttribute(attr_name="discountAmount")
    total_amount = NumberAttribute(attr_name="totalAmount")
    lines = ListAttribute(of=OrderLine)
    seller_ids = ListAttribute[str](attr_name="sellerIds")
    shipping_address = MapAttribute[str, object](attr_name="shippingAddress")  # type: ignore[no-untyped-call]
    billing_address = MapAttribute[str, object](null=True, attr_name="billingAddress")  # type: ignore[no-untyped-call]
    notes = UnicodeAttribute(null=True)
    # Set by the erasure of the buyer while the order is open: the shipping address is kept for
    # the seller and replaced by the transition that ends the order (issue #18, see ``rules.OVER``).
    redact_shipping = BooleanAttribute(null=True, attr_name="redactShippingWhenOver")
    tracking_number = UnicodeAttribute(null=True, attr_name="trackingNumber")
    tracking_url = UnicodeAttribute(null=True, attr_name="trackingUrl")
    payment_intent_id = UnicodeAttribute(null=True, attr_name="paymentIntentId")
    payment_attempts = NumberAttribute(default=0, attr_name="paymentAttempts")
    paid_amount = NumberAttribute(default=0, attr_name="paidAmount")
    refunded_amount = NumberAttribute(default=0, attr_name="refundedAmount")
    stock_released = BooleanAttribute(default=False, attr_name="stockReleased")
    paid_at = UnicodeAttribute(null=True, attr_name="paidAt")
    confirmed_at = UnicodeAttribute(null=True, attr_name="confirmedAt")
    shipped_at = UnicodeAttribute(null=True, attr_name="shippedAt")
    delivered_at = UnicodeAttribute(null=True, attr_name="deliveredAt")
    cancelled_at = UnicodeAttribute(null=True, attr_name="cancelledAt")
    cancellation_reason = UnicodeAttribute(null=True, attr_name="cancellationReason")
    refunded_at = UnicodeAttribute(null=True, attr_name="refundedAt")
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")


class SellerOrderItem(Item, discriminator="ORDER_SELLER"):
    """One per seller of an order: puts the order in that seller's list."""

    order_id = UnicodeAttribute(attr_name="orderId")
    seller_id = UnicodeAttribute(attr_name="sellerId")
    created_at = UnicodeAttribute(attr_name="createdAt")


class OrderIdempotencyItem(Item, discriminator="ORDER_IDEMPOTENCY"):
    order_id = UnicodeAttribute(attr_name="orderId")
    fingerprint = UnicodeAttribute()
    created_at = UnicodeAttribute(attr_name="createdAt")
