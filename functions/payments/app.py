"""Payment routes: ``/api/v1/payments/intent`` and ``/api/v1/payments/confirm`` (Stripe)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.commerce.orders.schemas import OrderOut
from shared.commerce.payments import service
from shared.commerce.payments.schemas import ConfirmPaymentRequest, IntentOut, PaymentIntentRequest
from shared.errors import Conflict, NotFound, UpstreamFailed
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import raises
from shared.http.responses import ok
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope

app = create_app()
PREFIX = "/api/v1/payments"


@app.post(f"{PREFIX}/intent", responses=raises(NotFound, Conflict, UpstreamFailed), tags=["payments"])
@requires()
def create_intent(body: Annotated[PaymentIntentRequest, Body()]) -> Response[Envelope[IntentOut]]:
    """The order's open PaymentIntent.

    Created once per order (asking again returns it), with one Stripe customer per user; the client
    pays with Stripe.js and the `clientSecret`.
    """
    return ok(app, service.create_intent(principal(app), body.order_id))


@app.post(f"{PREFIX}/confirm", responses=raises(NotFound, Conflict, UpstreamFailed), tags=["payments"])
@requires()
def confirm(body: Annotated[ConfirmPaymentRequest, Body()]) -> Response[Envelope[OrderOut]]:
    """Apply the order's payment now.

    Re-reads the intent from Stripe and applies it as the webhook would; answers the order.
    """
    return ok(app, service.confirm(principal(app), body.order_id))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
