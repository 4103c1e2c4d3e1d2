"""Data access for payment records and Stripe customers (the only module building their keys)."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError

from shared.commerce.orders import repository as orders
from shared.commerce.orders.models import OrderItem
from shared.commerce.payments.models import (
    PAYMENT_SK,
    RANKS,
    PaymentItem,
    StripeCustomerItem,
    customer_key,
    order_payments,
    payment_pk,
)
from shared.data.table import Item
from shared.data.transactions import delete_if, is_condition_failure, transaction


def new_payment(intent_id: str, *, order_id: str, user_id: str, amount: int, currency: str, at: str) -> PaymentItem:
    payment = PaymentItem(
        payment_pk(intent_id),
        PAYMENT_SK,
        payment_intent_id=intent_id,
        order_id=order_id,
        user_id=user_id,
        amount=amount,
        currency=currency,
        status="pending",
        rank=RANKS["pending"],
        created_at=at,
        updated_at=at,
    )
    payment.gsi1pk = order_payments(order_id)
    payment.gsi1sk = f"{at}#{intent_id}"
    return payment


def attach(order: OrderItem, payment: PaymentItem, *, attempt: int, at: str) -> bool:
    """In one transaction: the order names the new intent (iff it is still pending and nobody
    attached another one since ``order`` was read) and the payment record is created. Returns
    ``False`` when a condition did not hold (nothing was written)."""
    expect = (OrderItem.status == "pending") & (OrderItem.payment_attempts == int(order.payment_attempts or 0))
    try:
        with transaction() as tx:
            orders.in_transaction(
                tx,
                order.order_id,
                expect=expect,
                sets={"payment_intent_id": payment.payment_intent_id, "payment_attempts": attempt, "updated_at": at},
            )
            tx.save(payment, condition=Item.pk.does_not_exist())
    except TransactWriteError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def get_payment(intent_id: str) -> PaymentItem | None:
    try:
        found = Item.get(payment_pk(intent_id), PAYMENT_SK, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, PaymentItem) else None


def payments_of(order_id: str) -> list[PaymentItem]:
    found = Item.gsi1.query(order_payments(order_id))
    return [item for item in found if isinstance(item, PaymentItem)]


def advance(intent_id: str, status: str, at: str, **fields: Any) -> bool:
    """Move the record to ``status`` iff that ranks above its current status (see models). Returns
    whether it moved; ``fields`` (card brand/last4, failure reason) are set with it."""
    rank = RANKS[status]
    actions: list[Any] = [
        PaymentItem.status.set(status),
        PaymentItem.rank.set(rank),
        PaymentItem.updated_at.set(at),
    ]
    for name, value in fields.items():
        if value is not None:
            actions.append(getattr(PaymentItem, name).set(value))
    try:
        PaymentItem(payment_pk(intent_id), PAYMENT_SK).update(
            actions=actions, condition=Item.pk.exists() & (PaymentItem.rank < rank)
        )
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def customer_of(user_id: str) -> str | None:
    pk, sk = customer_key(user_id)
    try:
        found = Item.get(pk, sk, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found.customer_id if isinstance(found, StripeCustomerItem) else None


def keep_customer(user_id: str, customer_id: str, at: str) -> str:
    """Store the user's customer id unless one is stored already; returns the one that stays."""
    pk, sk = customer_key(user_id)
    try:
        StripeCustomerItem(pk, sk, user_id=user_id, customer_id=customer_id, created_at=at).save(
            condition=Item.pk.does_not_exist()
        )
    except PutError as exc:
        if is_condition_failure(exc):
            return customer_of(user_id) or customer_id
        raise
    return customer_id


def drop_customer(user_id: str, customer_id: str) -> bool:
    """Forget the user's customer iff it is still ``customer_id``; returns whether it did."""
    return delete_if(StripeCustomerItem(*customer_key(user_id)), StripeCustomerItem.customer_id == customer_id)


def replace_customer(user_id: str, customer_id: str, at: str) -> None:
    """The stored customer was deleted on Stripe's side: remember the new one."""
    pk, sk = customer_key(user_id)
    StripeCustomerItem(pk, sk, user_id=user_id, customer_id=customer_id, created_at=at).save()


def raise_refunded_now(intent_id: str, total: int, at: str) -> bool:
    """``amountRefunded`` becomes ``total`` iff it was smaller; returns whether it changed."""
    try:
        PaymentItem(payment_pk(intent_id), PAYMENT_SK).update(
            actions=[PaymentItem.amount_refunded.set(total), PaymentItem.updated_at.set(at)],
            condition=Item.pk.exists() & (PaymentItem.amount_refunded < total),
        )
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True
