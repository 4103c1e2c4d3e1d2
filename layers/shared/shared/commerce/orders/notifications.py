"""Order emails, queued for the email worker. Each id is a business key, so whoever queues the
same fact twice (a retried event, the webhook and ``/payments/confirm`` racing) sends one email."""

from __future__ import annotations

from typing import Any

from shared.commerce.orders.models import OrderItem
from shared.messaging.email import EmailMessage, Template, send_email
from shared.settings import get_settings


def order_data(order: OrderItem) -> dict[str, Any]:
    address = dict(order.shipping_address.as_dict()) if order.shipping_address else {}  # type: ignore[no-untyped-call]
    return {
        "id": order.order_id,
        "number": order.order_number,
        "url": f"{get_settings().frontend_url.rstrip('/')}/orders/{order.order_id}",
        "currency": order.currency,
        "subtotal": int(order.subtotal),
        "tax": int(order.tax_amount),
        "shipping": int(order.shipping_amount),
        "discount": int(order.discount_amount),
        "total": int(order.total_amount),
        "created_at": order.created_at,
        "items": [
            {
                "name": line.name,
                "quantity": int(line.quantity),
                "unit_price": int(line.unit_price),
                "line_total": int(line.line_total),
            }
            for line in order.lines
        ],
        "shipping_address": address,
    }


def _send(order: OrderItem, template: Template, key: str, required: bool, **extra: Any) -> None:
    send_email(
        EmailMessage(
            id=f"{template}:{order.order_id}{key}",
            template=template,
            to=order.user_email,
            data={"name": order.user_name, "order": order_data(order), **extra},
        ),
        required=required,
    )


def confirmation(order: OrderItem, *, required: bool) -> None:
    _send(order, "order_confirmation", "", required)


def shipped(order: OrderItem, *, required: bool = False) -> None:
    _send(
        order,
        "order_shipped",
        "",
        required,
        tracking_number=order.tracking_number,
        tracking_url=order.tracking_url,
    )


def cancelled(order: OrderItem, *, refund_amount: int, required: bool = False) -> None:
    _send(order, "order_cancelled", "", required, reason=order.cancellation_reason, refund_amount=refund_amount)


def refunded(order: OrderItem, *, refund_amount: int, refunded_total: int, required: bool = False) -> None:
    """One email per refunded total reached (a second partial refund is a second email)."""
    _send(
        order,
        "order_refunded",
        f":{refunded_total}",
        required,
        refund_amount=refund_amount,
        refunded_total=refunded_total,
        full=refunded_total >= int(order.paid_amount or order.total_amount),
    )
