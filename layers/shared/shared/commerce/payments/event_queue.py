"""Queue verified Stripe events for the ``stripe_events`` worker (the webhook answers at once)."""

from __future__ import annotations

import json
from typing import Any

from shared.messaging.clients import client
from shared.settings import ConfigurationError, get_settings


def enqueue_event(event: dict[str, Any]) -> None:
    """Send ``event`` (as JSON) to ``STRIPE_EVENTS_QUEUE_URL``."""
    queue_url = get_settings().stripe_events_queue_url
    if not queue_url:
        raise ConfigurationError("STRIPE_EVENTS_QUEUE_URL is not set")
    client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(event, separators=(",", ":")))
