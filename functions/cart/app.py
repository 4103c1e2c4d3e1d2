"""Cart routes: ``/api/v1/cart`` (the signed-in user's own cart; every route answers with it)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.commerce.cart import service
from shared.commerce.cart.schemas import AddCartItemRequest, CartOut, SetCartItemRequest
from shared.errors import Conflict, NotFound
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import raises
from shared.http.responses import ok
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope

app = create_app()
PREFIX = "/api/v1/cart"
ProductId = Annotated[str, Path(min_length=1, max_length=64, description="Product id")]


@app.get(PREFIX, tags=["cart"])
@requires()
def get_cart() -> Response[Envelope[CartOut]]:
    """The caller's cart.

    Prices are the products' current ones; `subtotal` sums the available lines.
    """
    return ok(app, service.get_cart(principal(app)))


@app.post(f"{PREFIX}/items", responses=raises(NotFound, Conflict), tags=["cart"])
@requires()
def add_item(body: Annotated[AddCartItemRequest, Body()]) -> Response[Envelope[CartOut]]:
    """Add a product to the cart.

    Adds to the existing line atomically; answers the cart.
    """
    return ok(app, service.add_item(principal(app), body))


@app.patch(f"{PREFIX}/items/<productId>", responses=raises(NotFound, Conflict), tags=["cart"])
@requires()
def set_quantity(productId: ProductId, body: Annotated[SetCartItemRequest, Body()]) -> Response[Envelope[CartOut]]:
    """Set the quantity of a cart line."""
    return ok(app, service.set_quantity(principal(app), productId, body))


@app.delete(f"{PREFIX}/items/<productId>", responses=raises(NotFound, Conflict), tags=["cart"])
@requires()
def remove_item(productId: ProductId) -> Response[Envelope[CartOut]]:
    """Remove a line from the cart."""
    return ok(app, service.remove_item(principal(app), productId))


@app.delete(PREFIX, tags=["cart"])
@requires()
def clear_cart() -> Response[Envelope[CartOut]]:
    """Empty the cart."""
    return ok(app, service.clear_cart(principal(app)))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
