"""Order emails, owed through the outbox by the transition that causes each (built from the order
as read before it, plus what the transition sets). Each id is a business key, so the same fact
owed twice collapses into one email. The buyer of an erased account is owed none: their orders
carry a placeholder address (:func:`shared.lifecycle.registry.deleted_email`)."""

from __future__ import annotations

from typing import Any

from shared.commerce.orders.models import OrderItem
from shared.lifecycle.registry import deleted_email
from shared.messaging.email import EmailMessage, Template, owed_email
from shared.messaging.owed import Owed
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


def _email(order: OrderItem, template: Template, key: str, **extra: Any) -> list[Owed]:
    if order.user_email == deleted_email(order.user_id):
        return []
    message = EmailMessage(
        id=f"{template}:{order.order_id}{key}",
        template=template,
        to=order.user_email,
        data={"name": order.user_name, "order": order_data(order), **extra},
    )
    return [owed_email(message)]


def confirmation(order: OrderItem) -> list[Owed]:
    return _email(order, "order_confirmation", "")


def shipped(order: OrderItem, *, tracking_number: str | None, tracking_url: str | None) -> list[Owed]:
    return _email(order, "order_shipped", "", tracking_number=tracking_number, tracking_url=tracking_url)


def cancelled(order: OrderItem, *, reason: str, refund_amount: int) -> list[Owed]:
    return _email(order, "order_cancelled", "", reason=reason, refund_amount=refund_amount)


def refunded(order: OrderItem, *, refund_amount: int, refunded_total: int) -> list[Owed]:
    """One email per refunded total reached (a second partial refund is a second email)."""
    return _email(
        order,
        "order_refunded",
        f":{refunded_total}",
        refund_amount=refund_amount,
        refunded_total=refunded_total,
        full=refunded_total >= int(order.paid_amount or order.total_amount),
    )
