"""Receive a Stripe webhook: verify its signature on the raw body, then queue it.

Nothing is applied here; the ``stripe_events`` worker does that (idempotently), so the webhook
answers Stripe within its timeout whatever the event costs to apply. A request that fails
verification changes nothing; the ``StripeWebhookRejected`` metric counts those (forgeries or a
misconfigured secret both show there first).
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from shared.clock import epoch
from shared.commerce.payments.event_queue import enqueue_event
from shared.commerce.payments.signatures import verify_event
from shared.errors import InvalidInput
from shared.observability import logger, metrics
from shared.security.secrets import stripe_webhook_secret
from shared.settings import get_settings


def receive(payload: bytes, signature: str | None) -> None:
    try:
        event = verify_event(
            payload,
            signature,
            stripe_webhook_secret(),
            tolerance=get_settings().stripe_webhook_tolerance_seconds,
            now=epoch(),
        )
    except InvalidInput as exc:
        logger.warning("Stripe webhook rejected", extra={"reason": exc.code})
        metrics.add_metric(name="StripeWebhookRejected", unit=MetricUnit.Count, value=1)
        raise
    enqueue_event(event)
    logger.info("Stripe event queued", extra={"stripeEventId": event["id"], "stripeEventType": event["type"]})
    metrics.add_metric(name="StripeWebhookQueued", unit=MetricUnit.Count, value=1)
