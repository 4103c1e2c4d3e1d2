"""Receive a Stripe webhook: verify its signature on the raw body, then owe it to the
``stripe_events`` worker through the outbox (one conditional put keyed on the Stripe event id).

Nothing is applied here; the worker does that (idempotently), so the webhook answers Stripe
within its timeout whatever the event costs to apply. The event is stored before the 200, and
the outbox relay queues it from the table's stream: a queue outage loses nothing, and Stripe's
redelivery of an event already stored collapses into it. A request that fails
verification changes nothing; the ``StripeWebhookRejected`` metric counts those (forgeries or a
misconfigured secret both show there first).
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from shared.clock import epoch
from shared.commerce.payments.signatures import verify_event
from shared.errors import InvalidInput
from shared.messaging import outbox
from shared.messaging.owed import Owed
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
    fresh = outbox.put(Owed("stripe-events", event["id"], event))
    logger.info(
        "Stripe event stored" if fresh else "Stripe event already stored",
        extra={"stripeEventId": event["id"], "stripeEventType": event["type"]},
    )
    metrics.add_metric(
        name="StripeWebhookAccepted" if fresh else "StripeWebhookDuplicate", unit=MetricUnit.Count, value=1
    )
