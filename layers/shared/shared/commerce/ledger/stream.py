"""Money from the order's own changes: the ``LedgerFunction`` stream consumer calls
:func:`apply_order_change` with the old and new image of each modified order item.

Every step is idempotent on a business key, so a redelivered or bisected record changes
nothing: the payment's entries are keyed by the order, a refund's by the refunded total it
reaches, a payout by (order, seller); a payout lowered by a refund remembers the refunded total
it reflects (``refundBasis``) and never goes back. The stream delivers one item's records in
order, so the old image's figures are exactly what the entries already cover.
"""

from __future__ import annotations

from typing import Any

from shared.commerce.ledger import service as ledger
from shared.commerce.orders import rules
from shared.commerce.orders.models import OrderItem
from shared.commerce.payouts import service as payouts
from shared.data.table import Item


def order_of(image: dict[str, Any] | None) -> OrderItem | None:
    """The order in a stream image (DynamoDB JSON); ``None`` for anything else."""
    if not image:
        return None
    try:
        item = Item.from_raw_data(image)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    return item if isinstance(item, OrderItem) else None


def apply_order_change(old: OrderItem | None, new: OrderItem) -> dict[str, bool]:
    """Record what the change moved: the payment, a refund, the delivery's payouts."""
    done = {"payment": False, "refund": False, "delivered": False}
    paid = int(new.paid_amount or 0)
    if paid <= 0 or not new.payment_intent_id:
        return done
    split = ledger.record_payment(new)
    done["payment"] = old is None or int(old.paid_amount or 0) <= 0
    before = int(old.refunded_amount or 0) if old is not None and int(old.paid_amount or 0) > 0 else 0
    after = int(new.refunded_amount or 0)
    if after > before:
        ledger.record_refund(new, split, before, after)
        payouts.on_refund(new, split)
        done["refund"] = True
    if new.status == rules.DELIVERED and (old is None or old.status != rules.DELIVERED):
        payouts.on_delivered(new, split)
        done["delivered"] = True
    return done
