"""Payment rules: one Stripe customer per user, one open PaymentIntent per order, and the one
place where an intent's outcome is applied to our records, whoever reports it (the webhook
worker, ``/payments/confirm``, a cancellation that finds the payment already made).

Applying an outcome is idempotent and order-independent: the payment record only moves up its
rank, the order only leaves ``pending`` once (conditional write), proofs of purchase are
idempotent puts, and every email is owed in the transaction of the change that causes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from shared.clock import now_iso
from shared.commerce.orders import notifications, rules
from shared.commerce.orders import repository as orders
from shared.commerce.orders.models import OrderItem
from shared.commerce.orders.schemas import OrderOut
from shared.commerce.orders.views import order_out
from shared.commerce.payments import gateway
from shared.commerce.payments import repository as payments
from shared.commerce.payments.gateway import Intent
from shared.commerce.payments.schemas import IntentOut
from shared.errors import Conflict
from shared.observability import logger

if TYPE_CHECKING:
    from shared.identity.principal import Principal

Outcome = Literal["succeeded", "failed", "canceled"]


def _owned_order(principal: Principal, order_id: str) -> OrderItem:
    order = orders.get_order(order_id)
    if order is None or order.user_id != principal.user_id:
        raise orders.order_not_found()
    return order


def _intent_out(intent: Intent) -> IntentOut:
    return IntentOut(
        client_secret=intent.client_secret or "",
        payment_intent_id=intent.id,
        amount=intent.amount,
        currency=intent.currency,
        status=intent.status,
    )


def ensure_customer(principal: Principal) -> str:
    """The user's Stripe customer, created once (Stripe idempotency key + conditional put)."""
    existing = payments.customer_of(principal.user_id)
    if existing:
        return existing
    user = principal.user
    created = gateway.create_customer(
        user_id=user.user_id, email=user.email, name=user.name, idempotency_key=f"customer-{user.user_id}"
    )
    return payments.keep_customer(user.user_id, created, now_iso())


def create_intent(principal: Principal, order_id: str) -> IntentOut:
    """The order's open intent, or a new one for its total. Raises :class:`NotFound`,
    :class:`Conflict` ``ORDER_ALREADY_PAID`` / ``ORDER_NOT_PAYABLE``, :class:`UpstreamFailed`."""
    order = _owned_order(principal, order_id)
    for _ in range(3):
        _ensure_payable(order)
        if order.payment_intent_id:
            current = gateway.retrieve_intent(order.payment_intent_id)
            if current is not None and current.status == "succeeded":
                settle(current, "succeeded")
                raise Conflict("This order is already paid", code="ORDER_ALREADY_PAID")
            if current is not None and current.is_open and current.amount == int(order.total_amount):
                return _intent_out(current)
        attempt = int(order.payment_attempts or 0) + 1
        intent = gateway.create_intent(
            amount=int(order.total_amount),
            currency=order.currency,
            customer=ensure_customer(principal),
            metadata={"orderId": order.order_id, "orderNumber": order.order_number, "userId": order.user_id},
            idempotency_key=f"order-{order.order_id}-intent-{attempt}",
        )
        if _attach(order, intent, attempt):
            return _intent_out(intent)
        fresh = orders.get_order(order_id)
        if fresh is None:
            raise orders.order_not_found()
        if fresh.payment_intent_id != intent.id:
            gateway.cancel_intent(intent.id)  # a concurrent request attached its own intent first
        order = fresh
    raise Conflict("The order is being paid by another request; retry", code="ORDER_CHANGED")


def _ensure_payable(order: OrderItem) -> None:
    if order.status in rules.PAID_STATES or order.status == rules.REFUNDED:
        raise Conflict("This order is already paid", code="ORDER_ALREADY_PAID")
    if order.status != rules.PENDING:
        raise Conflict(f"An order that is {order.status} cannot be paid", code="ORDER_NOT_PAYABLE")


def _attach(order: OrderItem, intent: Intent, attempt: int) -> bool:
    """Record the intent on the order (iff nobody attached one meanwhile) and its payment record."""
    at = now_iso()
    payment = payments.new_payment(
        intent.id,
        order_id=order.order_id,
        user_id=order.user_id,
        amount=int(order.total_amount),
        currency=order.currency,
        at=at,
    )
    return payments.attach(order, payment, attempt=attempt, at=at)


def outcome_of(intent: Intent) -> Outcome | None:
    if intent.status == "succeeded":
        return "succeeded"
    if intent.status == "canceled":
        return "canceled"
    if intent.status == "requires_payment_method" and intent.failure_reason:
        return "failed"
    return None


def confirm(principal: Principal, order_id: str) -> OrderOut:
    """Re-read the order's intent from Stripe and apply it as the webhook would; returns the
    buyer's view of the order. Raises
    :class:`NotFound`, :class:`Conflict` ``NO_PAYMENT``, :class:`UpstreamFailed`."""
    order = _owned_order(principal, order_id)
    if not order.payment_intent_id:
        raise Conflict("No payment was started for this order", code="NO_PAYMENT")
    intent = gateway.retrieve_intent(order.payment_intent_id)
    if intent is None:
        raise Conflict("The payment provider does not know this payment", code="NO_PAYMENT")
    outcome = outcome_of(intent)
    if outcome is not None:
        settle(intent, outcome)
    return order_out(orders.get_order(order_id) or order, payments=payments.payments_of(order_id))


def settle(intent: Intent, outcome: Outcome) -> None:
    """Apply an intent's outcome to its payment record and order (idempotent; see module doc).
    Intents we did not create, or whose amount does not match the record, change nothing."""
    payment = payments.get_payment(intent.id)
    if payment is None:
        logger.info("payment event for an unknown intent ignored", extra={"paymentIntentId": intent.id})
        return
    if intent.amount != int(payment.amount) or intent.currency != payment.currency:
        logger.error("payment amount does not match the order; ignored", extra={"paymentIntentId": intent.id})
        return
    at = now_iso()
    if outcome == "failed":
        payments.advance(intent.id, "failed", at, failure_reason=(intent.failure_reason or "Payment failed")[:500])
        return
    if outcome == "canceled":
        payments.advance(intent.id, "canceled", at)
        return
    brand, last4 = intent.card_brand, intent.card_last4
    if brand is None and intent.payment_method_id:
        brand, last4 = gateway.card_of(intent.payment_method_id)
    payments.advance(intent.id, "succeeded", at, card_brand=brand, card_last4=last4)
    _confirm_order(payment.order_id, intent)


def _confirm_order(order_id: str, intent: Intent) -> None:
    order = orders.get_order(order_id)
    if order is None:
        logger.error("paid intent for a missing order", extra={"orderId": order_id, "paymentIntentId": intent.id})
        return
    if order.status == rules.PENDING:
        at = now_iso()
        moved = orders.transition(
            order,
            rules.CONFIRMED,
            expect=OrderItem.status == rules.PENDING,
            sets={
                "paid_amount": intent.amount,
                "payment_intent_id": intent.id,
                "paid_at": at,
                "confirmed_at": at,
                "updated_at": at,
            },
            purchases=[str(line.product_id) for line in order.lines],
            owed=notifications.confirmation(order),
        )
        order = orders.get_order(order_id) or order
        if not moved and order.status == rules.PENDING:
            raise Conflict("The order changed meanwhile; retry", code="ORDER_CHANGED")
    if order.payment_intent_id == intent.id and int(order.paid_amount or 0) > 0:
        return  # confirmed, by this call or an earlier one (which owed the email with it)
    # Paid, but the order no longer wants the money (cancelled before the payment landed).
    logger.warning("payment for a cancelled order refunded", extra={"orderId": order_id, "paymentIntentId": intent.id})
    to_refund = intent.amount - intent.amount_refunded
    if to_refund > 0:
        total = gateway.refund(
            intent_id=intent.id,
            amount=to_refund,
            refunded_before=intent.amount_refunded,
            metadata={"orderId": order_id, "reason": "order cancelled before payment"},
            idempotency_key=f"orphan-{intent.id}",
        )
        record_refund_total(intent.id, total)


def stop_payment(order: OrderItem) -> bool:
    """Make sure an unpaid order's intent can no longer be paid. Returns ``True`` when it turns
    out to be paid already (the order is then confirmed here). Raises :class:`Conflict`
    ``PAYMENT_IN_PROGRESS`` while Stripe is still processing it, :class:`UpstreamFailed`."""
    if not order.payment_intent_id:
        return False
    intent = gateway.cancel_intent(order.payment_intent_id)
    if intent is None:
        return False
    if intent.status == "succeeded":
        settle(intent, "succeeded")
        return True
    if intent.status == "canceled":
        payments.advance(intent.id, "canceled", now_iso())
        return False
    raise Conflict("The payment is being processed; try again shortly", code="PAYMENT_IN_PROGRESS")


def refund(order: OrderItem, amount: int, *, idempotency_key: str, reason: str | None = None) -> int:
    """Refund ``amount`` cents of the order's payment on Stripe; returns the refunded total."""
    if not order.payment_intent_id:
        raise Conflict("This order has no payment to refund", code="ORDER_NOT_PAID")
    metadata = {"orderId": order.order_id, "orderNumber": order.order_number}
    if reason:
        metadata["reason"] = reason[:500]
    return gateway.refund(
        intent_id=order.payment_intent_id,
        amount=amount,
        refunded_before=int(order.refunded_amount or 0),
        metadata=metadata,
        idempotency_key=idempotency_key,
    )


def record_refund_total(intent_id: str, total: int) -> OrderItem | None:
    """Apply "this payment has ``total`` cents refunded" (from our refund call or a
    ``charge.refunded`` event): amounts only grow, a full refund of a paid order makes it
    ``refunded``, and the refund email goes out once per total reached. Returns the order."""
    payment = payments.get_payment(intent_id)
    if payment is None:
        logger.info("refund for an unknown payment ignored", extra={"paymentIntentId": intent_id})
        return None
    at = now_iso()
    payments.raise_refunded_now(intent_id, total, at)
    order = orders.get_order(payment.order_id)
    if order is None or order.payment_intent_id != intent_id or int(order.paid_amount or 0) <= 0:
        return order
    before = int(order.refunded_amount or 0)
    if total <= before:
        return order
    full = total >= int(order.paid_amount)
    grows = OrderItem.refunded_amount < total
    # A cancelled order's refund is told by the cancellation email.
    owed = (
        []
        if order.status == rules.CANCELLED
        else notifications.refunded(order, refund_amount=total - before, refunded_total=total)
    )
    moved = False
    if full and order.status in rules.REFUNDABLE:
        moved = orders.transition(
            order,
            rules.REFUNDED,
            expect=grows & OrderItem.status.is_in(*rules.REFUNDABLE),
            sets={"refunded_amount": total, "refunded_at": at, "updated_at": at},
            owed=owed,
        )
    if not moved:
        orders.update_fields(order.order_id, expect=grows, sets={"refunded_amount": total, "updated_at": at}, owed=owed)
    return orders.get_order(order.order_id) or order
