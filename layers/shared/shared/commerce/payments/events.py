"""Apply one verified Stripe event (the ``stripe_events`` worker calls this per SQS record).

The event's own object is applied (it is signed; no extra Stripe read on the hot path), through
the same functions ``/payments/confirm`` and refunds use, which are idempotent and ignore
anything that would move a payment or order backwards: the same event twice, two events for one
payment, or events out of order all leave the same state and send one email. Connect's
``account.updated`` keeps a seller's payout account in sync (newer state only). Unknown event
types and objects we did not create are acknowledged and ignored. Raising asks SQS to retry.
"""

from __future__ import annotations

from typing import Any

from shared.commerce.payments import gateway, service
from shared.observability import logger

INTENT_OUTCOMES: dict[str, service.Outcome] = {
    "payment_intent.succeeded": "succeeded",
    "payment_intent.payment_failed": "failed",
    "payment_intent.canceled": "canceled",
}
HANDLED = (*INTENT_OUTCOMES, "charge.refunded", "account.updated")


def handle_event(event: dict[str, Any]) -> None:
    kind = str(event.get("type") or "")
    obj = (event.get("data") or {}).get("object") or {}
    if kind not in HANDLED or not isinstance(obj, dict) or not obj.get("id"):
        logger.info("stripe event ignored", extra={"eventId": event.get("id"), "eventType": kind})
        return
    if kind == "account.updated":
        from shared.commerce.payouts.accounts import apply_account_event

        apply_account_event(event)
        return
    if kind in INTENT_OUTCOMES:
        service.settle(gateway.intent_from(obj), INTENT_OUTCOMES[kind])
        return
    charge = gateway.charge_from(obj)
    if charge.payment_intent:
        service.record_refund_total(charge.payment_intent, charge.amount_refunded)
