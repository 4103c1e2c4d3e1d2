"""Stripe webhook: ``POST /api/v1/webhooks/stripe`` (public; Stripe proves itself by signature).

The signature covers the exact bytes Stripe sent, so the route reads the raw body from the API
Gateway event and declares no body model: nothing may parse or re-serialize it first.
"""

from __future__ import annotations

import base64
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.commerce.payments import webhooks
from shared.http.app import create_app, serve
from shared.http.responses import ok
from shared.observability import logger, metrics, tracer
from shared.schemas import ApiModel, Envelope

app = create_app()

# The route reads the raw body and the header itself, so what Stripe sends is documented by hand.
STRIPE_EVENT_BODY = {
    "parameters": [
        {
            "name": "Stripe-Signature",
            "in": "header",
            "required": True,
            "description": "t=<unix seconds>,v1=<HMAC-SHA256 hex> (within 300 s of now)",
            "schema": {"type": "string"},
        }
    ],
    "requestBody": {
        "required": True,
        "description": "A Stripe event, signed in the Stripe-Signature header (t=...,v1=...)",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["id", "type", "data"],
                    "properties": {
                        "id": {"type": "string"},
                        "type": {"type": "string"},
                        "data": {
                            "type": "object",
                            "required": ["object"],
                            "properties": {"object": {"type": "object"}},
                        },
                    },
                }
            }
        },
    },
}


class WebhookReceived(ApiModel):
    received: bool


def raw_body() -> bytes:
    body = app.current_event.body or ""
    return base64.b64decode(body) if app.current_event.is_base64_encoded else body.encode()


@app.post("/api/v1/webhooks/stripe", tags=["payments"], openapi_extensions=STRIPE_EVENT_BODY)
def stripe_webhook() -> Response[Envelope[WebhookReceived]]:
    """Receive a signed Stripe event.

    The signature is checked on the raw body (300 s tolerance); the event is queued for the Stripe
    events worker and answered 200 at once.
    """
    webhooks.receive(raw_body(), app.current_event.headers.get("stripe-signature"))
    return ok(app, WebhookReceived(received=True))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context, raw_body=True)
