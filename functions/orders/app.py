"""Order routes: ``/api/v1/orders`` (checkout, reads, lifecycle) and ``/api/v1/sellers/me/orders``."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.commerce.orders import checkout, service
from shared.commerce.orders.schemas import (
    CancelOrderRequest,
    CreateOrderRequest,
    OrderOut,
    OrderStatus,
    RefundOrderRequest,
    ShipOrderRequest,
)
from shared.errors import Conflict, Forbidden, NotFound, UpstreamFailed
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import ok_response, raises
from shared.http.pagination import Cursor, Limit
from shared.http.responses import created, ok
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope, ItemsPage

app = create_app()
PREFIX = "/api/v1/orders"
OrderId = Annotated[str, Path(min_length=1, max_length=64, description="Order id (or order number)")]


@app.post(
    PREFIX,
    responses=ok_response(Envelope[OrderOut], "The order an earlier request with this Idempotency-Key created")
    | raises(Conflict, success=201),
    tags=["orders"],
)
@requires()
def create_order(body: Annotated[CreateOrderRequest, Body()]) -> Response[Envelope[OrderOut]]:
    """Check out: the cart becomes a pending order.

    The stock of every line is reserved in the same transaction and the cart is emptied. Send an
    `Idempotency-Key` header to make a retried request return the same order (answered 200 with
    `Idempotent-Replayed: true`).
    """
    key = app.current_event.headers.get("idempotency-key")
    order, replayed = checkout.create_order(principal(app), body, key)
    if replayed:
        return ok(app, order, headers={"Idempotent-Replayed": "true"})
    return created(app, order)


@app.get(PREFIX, tags=["orders"])
@requires()
def list_orders(
    status: Annotated[OrderStatus | None, Query()] = None, limit: Limit = 20, cursor: Cursor = None
) -> Response[Envelope[ItemsPage[OrderOut]]]:
    """The caller's orders, newest first.

    An admin sees every order.
    """
    return ok(app, service.list_orders(principal(app), status=status, limit=limit, cursor=cursor))


@app.get("/api/v1/sellers/me/orders", tags=["orders", "sellers"])
@requires("seller", "admin")
def seller_orders(limit: Limit = 20, cursor: Cursor = None) -> Response[Envelope[ItemsPage[OrderOut]]]:
    """Orders containing the caller's products.

    Each with only the caller's lines.
    """
    return ok(app, service.seller_orders(principal(app), limit=limit, cursor=cursor))


@app.get(f"{PREFIX}/<orderId>", responses=raises(NotFound), tags=["orders"])
@requires()
def get_order(orderId: OrderId) -> Response[Envelope[OrderOut]]:
    """One order, by id or order number.

    The buyer and admins see the payments; a seller of a line sees only their lines.
    """
    return ok(app, service.get_order(principal(app), orderId))


@app.post(
    f"{PREFIX}/<orderId>/cancel", responses=raises(NotFound, Forbidden, Conflict, UpstreamFailed), tags=["orders"]
)
@requires()
def cancel_order(
    orderId: OrderId, body: Annotated[CancelOrderRequest | None, Body()] = None
) -> Response[Envelope[OrderOut]]:
    """Cancel an order.

    Pending or confirmed orders only; the stock goes back and a paid order is refunded in full
    first.
    """
    return ok(app, service.cancel_order(principal(app), orderId, body))


@app.post(f"{PREFIX}/<orderId>/process", responses=raises(NotFound, Forbidden, Conflict), tags=["orders"])
@requires("seller", "admin")
def process_order(orderId: OrderId) -> Response[Envelope[OrderOut]]:
    """Start processing a confirmed order."""
    return ok(app, service.process_order(principal(app), orderId))


@app.post(f"{PREFIX}/<orderId>/ship", responses=raises(NotFound, Forbidden, Conflict), tags=["orders"])
@requires("seller", "admin")
def ship_order(orderId: OrderId, body: Annotated[ShipOrderRequest, Body()]) -> Response[Envelope[OrderOut]]:
    """Ship an order.

    With a tracking number; the buyer is emailed.
    """
    return ok(app, service.ship_order(principal(app), orderId, body))


@app.post(f"{PREFIX}/<orderId>/deliver", responses=raises(NotFound, Forbidden, Conflict), tags=["orders"])
@requires("seller", "admin")
def deliver_order(orderId: OrderId) -> Response[Envelope[OrderOut]]:
    """Mark a shipped order delivered."""
    return ok(app, service.deliver_order(principal(app), orderId))


@app.post(f"{PREFIX}/<orderId>/refund", responses=raises(NotFound, Conflict, UpstreamFailed), tags=["orders"])
@requires("admin")
def refund_order(
    orderId: OrderId, body: Annotated[RefundOrderRequest | None, Body()] = None
) -> Response[Envelope[OrderOut]]:
    """Refund an order through Stripe.

    All that is left by default; a full refund makes the order `refunded`.
    """
    return ok(app, service.refund_order(principal(app), orderId, body))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
