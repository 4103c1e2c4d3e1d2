"""Order items → API models: the one place deciding what each viewer sees of an order."""

from __future__ import annotations

from typing import Any, cast

from shared.commerce.orders.models import OrderItem
from shared.commerce.orders.schemas import AddressOut, OrderLineOut, OrderOut, OrderStatus, PaymentOut
from shared.commerce.payments.models import PaymentItem


def _address(value: Any) -> AddressOut | None:
    if value is None:
        return None
    raw = value.as_dict() if hasattr(value, "as_dict") else dict(value)
    return AddressOut.model_validate(raw)


def payment_out(payment: PaymentItem) -> PaymentOut:
    return PaymentOut(
        payment_intent_id=payment.payment_intent_id,
        status=payment.status,
        amount=int(payment.amount),
        currency=payment.currency,
        amount_refunded=int(payment.amount_refunded or 0),
        card_brand=payment.card_brand,
        card_last4=payment.card_last4,
        failure_reason=payment.failure_reason,
        created_at=payment.created_at,
        updated_at=payment.updated_at,
    )


def order_out(order: OrderItem, *, seller_id: str | None = None, payments: list[PaymentItem] | None = None) -> OrderOut:
    """``seller_id``: the view of a seller of the order, who sees only their own lines, their
    subtotal, the shipping details, and nothing of the payment or other sellers' amounts."""
    lines = [line for line in order.lines if seller_id is None or line.seller_id == seller_id]
    items = [
        OrderLineOut(
            product_id=line.product_id,
            seller_id=line.seller_id,
            name=line.name,
            slug=line.slug,
            sku=line.sku,
            image=line.image,
            unit_price=int(line.unit_price),
            quantity=int(line.quantity),
            line_total=int(line.line_total),
        )
        for line in lines
    ]
    own_subtotal = sum(item.line_total for item in items)
    shipping = _address(order.shipping_address)
    assert shipping is not None
    seller_view = seller_id is not None
    return OrderOut(
        id=order.order_id,
        order_number=order.order_number,
        user_id=order.user_id,
        status=cast(OrderStatus, order.status),
        currency=order.currency,
        subtotal=own_subtotal if seller_view else int(order.subtotal),
        tax_amount=0 if seller_view else int(order.tax_amount),
        shipping_amount=0 if seller_view else int(order.shipping_amount),
        discount_amount=0 if seller_view else int(order.discount_amount),
        total_amount=own_subtotal if seller_view else int(order.total_amount),
        paid_amount=0 if seller_view else int(order.paid_amount or 0),
        refunded_amount=0 if seller_view else int(order.refunded_amount or 0),
        items=items,
        item_count=sum(item.quantity for item in items),
        shipping_address=shipping,
        billing_address=None if seller_view else _address(order.billing_address),
        notes=order.notes,
        tracking_number=order.tracking_number,
        tracking_url=order.tracking_url,
        payment_intent_id=None if seller_view else order.payment_intent_id,
        paid_at=order.paid_at,
        shipped_at=order.shipped_at,
        delivered_at=order.delivered_at,
        cancelled_at=order.cancelled_at,
        cancellation_reason=order.cancellation_reason,
        refunded_at=order.refunded_at,
        created_at=order.created_at,
        updated_at=order.updated_at,
        payments=None if payments is None or seller_view else [payment_out(p) for p in payments],
    )
