"""Seller routes: store profiles (``/api/v1/sellers``) and the admin's review of applications
(``/api/v1/admin/sellers``)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.commerce.sellers import service
from shared.commerce.sellers.schemas import (
    PublicSellerOut,
    RejectSellerRequest,
    SellerOut,
    UpdateSellerProfileRequest,
)
from shared.errors import Conflict, NotFound
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import raises
from shared.http.pagination import Cursor, Limit
from shared.http.responses import ok
from shared.identity.schemas import Status
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope, ItemsPage

app = create_app()
SellerId = Annotated[str, Path(min_length=1, max_length=64)]


@app.get("/api/v1/sellers/me", responses=raises(NotFound), tags=["sellers"])
@requires("seller")
def get_my_profile() -> Response[Envelope[SellerOut]]:
    """The caller's store profile and application status."""
    return ok(app, service.my_profile(principal(app, "seller")))


@app.patch("/api/v1/sellers/me", responses=raises(NotFound), tags=["sellers"])
@requires("seller")
def update_my_profile(body: Annotated[UpdateSellerProfileRequest, Body()]) -> Response[Envelope[SellerOut]]:
    """Update the caller's store profile."""
    return ok(app, service.update_my_profile(principal(app, "seller"), body))


@app.get("/api/v1/sellers/<sellerId>", responses=raises(NotFound), tags=["sellers"])
def get_seller(sellerId: SellerId) -> Response[Envelope[PublicSellerOut]]:
    """An approved seller's public page."""
    return ok(app, service.public_profile(sellerId))


@app.get("/api/v1/admin/sellers", tags=["admin"])
@requires("admin")
def list_sellers(
    status: Annotated[Status | None, Query()] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response[Envelope[ItemsPage[SellerOut]]]:
    """Seller applications and sellers.

    Filter with `status` (e.g. `pending`).
    """
    principal(app, "admin")
    return ok(app, service.list_sellers(status=status, limit=limit, cursor=cursor))


@app.post("/api/v1/admin/sellers/<sellerId>/approve", responses=raises(NotFound, Conflict), tags=["admin"])
@requires("admin")
def approve_seller(sellerId: SellerId) -> Response[Envelope[SellerOut]]:
    """Approve a seller application.

    The seller is emailed.
    """
    principal(app, "admin")
    return ok(app, service.review(sellerId, "approve"))


@app.post("/api/v1/admin/sellers/<sellerId>/reject", responses=raises(NotFound, Conflict), tags=["admin"])
@requires("admin")
def reject_seller(sellerId: SellerId, body: Annotated[RejectSellerRequest, Body()]) -> Response[Envelope[SellerOut]]:
    """Reject a seller application.

    The seller is emailed the reason.
    """
    principal(app, "admin")
    return ok(app, service.review(sellerId, "reject", body))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
