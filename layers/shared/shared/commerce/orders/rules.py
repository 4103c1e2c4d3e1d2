"""Pure order rules: numbers, totals, the status machine. No I/O here."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.lifecycle.registry import DELETED_NAME

PENDING = "pending"
CONFIRMED = "confirmed"
PROCESSING = "processing"
SHIPPED = "shipped"
DELIVERED = "delivered"
CANCELLED = "cancelled"
REFUNDED = "refunded"
STATUSES = (PENDING, CONFIRMED, PROCESSING, SHIPPED, DELIVERED, CANCELLED, REFUNDED)

# The statuses each transition may leave. Everything not listed is refused, so an order never
# moves backwards (a late "succeeded" cannot un-ship an order; a second "ship" is a conflict).
CANCELLABLE = (PENDING, CONFIRMED)
PROCESSABLE = (CONFIRMED,)
SHIPPABLE = (CONFIRMED, PROCESSING)
DELIVERABLE = (SHIPPED,)
PAID_STATES = (CONFIRMED, PROCESSING, SHIPPED, DELIVERED)
REFUNDABLE = PAID_STATES  # a full refund of these ends in ``refunded``

# An order is over once nothing will be sent any more. Until then its shipping address is needed,
# also while ``shipped``: a parcel in transit can come back undeliverable or be lost, and the
# seller then re-ships it or claims from the carrier with that address (a "not received" dispute
# too). Delivered, cancelled and refunded orders need it no more: a dispute after delivery is
# answered with the carrier's proof of delivery, which holds the address.
OVER = (DELIVERED, CANCELLED, REFUNDED)
OPEN = tuple(status for status in STATUSES if status not in OVER)

REDACTED = "[deleted]"


@dataclass(frozen=True)
class Totals:
    subtotal: int
    tax_amount: int
    shipping_amount: int
    discount_amount: int
    total_amount: int


def order_number(moment: datetime) -> str:
    """``ORD-YYYYMMDD-XXXXX`` (UTC date, five random digits). Uniqueness is enforced by a claim
    in the create transaction; a collision is retried with a new number."""
    return f"ORD-{moment.strftime('%Y%m%d')}-{secrets.randbelow(100_000):05d}"


def tax(subtotal: int, rate_bps: int) -> int:
    """Tax in cents, rounded half up (integer arithmetic only)."""
    return (subtotal * rate_bps + 5_000) // 10_000


def totals(
    subtotal: int, *, tax_rate_bps: int, flat_shipping: int, free_shipping_threshold: int, discount: int = 0
) -> Totals:
    shipping = 0 if subtotal >= free_shipping_threshold else flat_shipping
    tax_amount = tax(subtotal, tax_rate_bps)
    discount = min(discount, subtotal + tax_amount + shipping)
    return Totals(
        subtotal=subtotal,
        tax_amount=tax_amount,
        shipping_amount=shipping,
        discount_amount=discount,
        total_amount=subtotal + tax_amount + shipping - discount,
    )


def fingerprint(body: dict[str, Any]) -> str:
    """What a create request asked for, to tell a retry from a different request under one key."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def refundable(paid: int, refunded: int) -> int:
    return max(0, paid - refunded)


def placeholder_address() -> dict[str, str]:
    """The address a deleted buyer's order keeps: every line replaced (optional lines dropped)."""
    return {
        "firstName": DELETED_NAME,
        "lastName": REDACTED,
        "address1": REDACTED,
        "city": REDACTED,
        "postalCode": REDACTED,
        "country": REDACTED,
    }
