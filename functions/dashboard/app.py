"""Marketplace dashboards: the admin's (``/api/v1/admin/dashboard``, from the daily rollups) and
a seller's low-stock list (``/api/v1/sellers/me/low-stock``). Rules live in
:mod:`shared.commerce.analytics.dashboard` and :mod:`shared.commerce.inventory.service`."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.commerce.analytics import dashboard
from shared.commerce.analytics.schemas import DashboardOut
from shared.commerce.inventory import service as inventory
from shared.commerce.inventory.schemas import LowStockOut
from shared.commerce.products.schemas import Currency
from shared.errors import InvalidInput
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import raises
from shared.http.pagination import Cursor, Limit
from shared.http.responses import ok
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope, ItemsPage

app = create_app()
DateQuery = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="A UTC date, YYYY-MM-DD")]


@app.get("/api/v1/admin/dashboard", responses=raises(InvalidInput), tags=["admin"])
@requires("admin")
def get_dashboard(
    from_: Annotated[str | None, Query(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    to: DateQuery = None,
    currency: Annotated[Currency, Query()] = "usd",
) -> Response[Envelope[DashboardOut]]:
    """Marketplace totals for a range of UTC days.

    Defaults to the last 30 days (`to` = today); at most 366 days (400 `DATE_RANGE_TOO_LONG`),
    `from` not after `to` (400 `INVALID_DATE_RANGE`). GMV and `orders` count orders on the day
    they were paid; refunds on the day they were recorded; `byStatus` is the paid orders by their
    status now; `daily` lists every day of the range. Read from daily rollups kept from the
    table stream (about a second behind), at a cost that grows with days, not orders.
    """
    principal(app, "admin")
    return ok(app, dashboard.dashboard(from_, to, currency))


@app.get("/api/v1/sellers/me/low-stock", tags=["sellers"])
@requires("seller")
def my_low_stock(limit: Limit = 20, cursor: Cursor = None) -> Response[Envelope[ItemsPage[LowStockOut]]]:
    """The caller's products at or below their low-stock threshold.

    Kept from the table stream (about a second behind a sale); stock and threshold are read now.
    """
    return ok(app, inventory.low_stock(principal(app, "seller"), limit=limit, cursor=cursor))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
