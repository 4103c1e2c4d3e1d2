"""Payment entities: one record per PaymentIntent (the seed's Transaction) and the Stripe
customer of each user.

Access patterns
===============

=========================================  ==================================================================
Who reads what                             Key / index
=========================================  ==================================================================
payment by intent id (webhook events,      ``PK=PAYMENT#<paymentIntentId>``, ``SK=PAYMENT``
confirm, refunds)
an order's payments (order detail)         Query GSI1 ``GSI1PK=ORDER_PAYMENTS#<orderId>``, ``GSI1SK=<createdAt>#<pi>``
a user's Stripe customer                   ``PK=USER#<uid>``, ``SK=STRIPE_CUSTOMER`` (conditional put: one per user)
=========================================  ==================================================================

A payment's ``status`` only moves up ``pending < failed < canceled < succeeded`` (``rank``): an
event that arrives late or twice is refused by the condition on the rank, so events in any order
leave the same record. ``amountRefunded`` only grows (``SET`` conditioned on being smaller).
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from shared.data.table import Item

PAYMENT_SK = "PAYMENT"
CUSTOMER_SK = "STRIPE_CUSTOMER"
RANKS = {"pending": 0, "failed": 1, "canceled": 2, "succeeded": 3}


def payment_pk(intent_id: str) -> str:
    return f"PAYMENT#{intent_id}"


def order_payments(order_id: str) -> str:
    return f"ORDER_PAYMENTS#{order_id}"


def customer_key(user_id: str) -> tuple[str, str]:
    return f"USER#{user_id}", CUSTOMER_SK


class PaymentItem(Item, discriminator="PAYMENT"):
    payment_intent_id = UnicodeAttribute(attr_name="paymentIntentId")
    order_id = UnicodeAttribute(attr_name="orderId")
    user_id = UnicodeAttribute(attr_name="userId")
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")
    rank = NumberAttribute(default=0)
    amount_refunded = NumberAttribute(default=0, attr_name="amountRefunded")
    payment_method = UnicodeAttribute(default="card", attr_name="paymentMethod")
    card_brand = UnicodeAttribute(null=True, attr_name="cardBrand")
    card_last4 = UnicodeAttribute(null=True, attr_name="cardLast4")
    failure_reason = UnicodeAttribute(null=True, attr_name="failureReason")
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")


class StripeCustomerItem(Item, discriminator="STRIPE_CUSTOMER"):
    user_id = UnicodeAttribute(attr_name="userId")
    customer_id = UnicodeAttribute(attr_name="customerId")
    created_at = UnicodeAttribute(attr_name="createdAt")
