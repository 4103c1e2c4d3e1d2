"""Order routes: ``/api/v1/orders`` (checkout, reads, lifecycle) and ``/api/v1/sellers/me/orders``."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.commerce.orders import service
from shared.commerce.orders.schemas import (
    CancelOrderRequest,
    CreateOrderRequest,
    OrderOut,
    OrderStatus,
    RefundOrderRequest,
    ShipOrderRequest,
)
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import created_response
from shared.http.pagination import Cursor, Limit
from shared.http.responses import created, ok
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope, ItemsPage

app = create_app()
PREFIX = "/api/v1/orders"
OrderId = Annotated[str, Path(min_length=1, max_length=64, description="Order id (or order number)")]


@app.post(PREFIX, responses=created_response(Envelope[OrderOut]), tags=["orders"])
@requires()
def create_order(body: Annotated[CreateOrderRequest, Body()]) -> Response[Envelope[OrderOut]]:
    """Checkout: the cart becomes a pending order. Send an ``Idempotency-Key`` header to make a
    retried request return the same order (answered 200 with ``Idempotent-Replayed: true``)."""
    key = app.current_event.headers.get("idempotency-key")
    order, replayed = service.create_order(principal(app), body, key)
    if replayed:
        return ok(app, order, headers={"Idempotent-Replayed": "true"})
    return created(app, order)


@app.get(PREFIX, tags=["orders"])
@requires()
def list_orders(
    status: Annotated[OrderStatus | None, Query()] = None, limit: Limit = 20, cursor: Cursor = None
) -> Response[Envelope[ItemsPage[OrderOut]]]:
    return ok(app, service.list_orders(principal(app), status=status, limit=limit, cursor=cursor))


@app.get("/api/v1/sellers/me/orders", tags=["orders", "sellers"])
@requires("seller", "admin")
def seller_orders(limit: Limit = 20, cursor: Cursor = None) -> Response[Envelope[ItemsPage[OrderOut]]]:
    return ok(app, service.seller_orders(principal(app), limit=limit, cursor=cursor))


@app.get(f"{PREFIX}/<orderId>", tags=["orders"])
@requires()
def get_order(orderId: OrderId) -> Response[Envelope[OrderOut]]:
    return ok(app, service.get_order(principal(app), orderId))


@app.post(f"{PREFIX}/<orderId>/cancel", tags=["orders"])
@requires()
def cancel_order(
    orderId: OrderId, body: Annotated[CancelOrderRequest | None, Body()] = None
) -> Response[Envelope[OrderOut]]:
    return ok(app, service.cancel_order(principal(app), orderId, body))


@app.post(f"{PREFIX}/<orderId>/process", tags=["orders"])
@requires("seller", "admin")
def process_order(orderId: OrderId) -> Response[Envelope[OrderOut]]:
    return ok(app, service.process_order(principal(app), orderId))


@app.post(f"{PREFIX}/<orderId>/ship", tags=["orders"])
@requires("seller", "admin")
def ship_order(orderId: OrderId, body: Annotated[ShipOrderRequest, Body()]) -> Response[Envelope[OrderOut]]:
    return ok(app, service.ship_order(principal(app), orderId, body))


@app.post(f"{PREFIX}/<orderId>/deliver", tags=["orders"])
@requires("seller", "admin")
def deliver_order(orderId: OrderId) -> Response[Envelope[OrderOut]]:
    return ok(app, service.deliver_order(principal(app), orderId))


@app.post(f"{PREFIX}/<orderId>/refund", tags=["orders"])
@requires("admin")
def refund_order(
    orderId: OrderId, body: Annotated[RefundOrderRequest | None, Body()] = None
) -> Response[Envelope[OrderOut]]:
    return ok(app, service.refund_order(principal(app), orderId, body))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
