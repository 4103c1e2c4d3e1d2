"""Money routes: the ledger (``/api/v1/admin/transactions``), payouts (``/api/v1/admin/payouts``)
and the seller's earnings, payouts and payout account (``/api/v1/sellers/me/...``). Rules live in
:mod:`shared.commerce.ledger` and :mod:`shared.commerce.payouts`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.commerce.ledger import service as ledger
from shared.commerce.ledger.models import EntryType
from shared.commerce.ledger.schemas import LedgerEntryOut
from shared.commerce.payouts import accounts, service, views
from shared.commerce.payouts.models import PayoutStatus
from shared.commerce.payouts.schemas import EarningsOut, OnboardingOut, PayoutAccountOut, PayoutOut
from shared.errors import Conflict, InvalidInput, NotFound, UpstreamFailed
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import raises
from shared.http.pagination import Cursor, Limit
from shared.http.responses import ok
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope, ItemsPage

app = create_app()
PayoutId = Annotated[str, Path(min_length=4, max_length=64, pattern=r"^po_[a-f0-9]+$")]
Currency = Annotated[str, Query(pattern=r"^[a-z]{3}$", description="ISO currency, lower case")]


@app.get("/api/v1/admin/transactions", responses=raises(InvalidInput), tags=["ledger"])
@requires("admin")
def list_transactions(
    type: Annotated[EntryType | None, Query()] = None,
    from_: Annotated[date | datetime | None, Query(alias="from")] = None,
    to: Annotated[date | datetime | None, Query()] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response[Envelope[ItemsPage[LedgerEntryOut]]]:
    """Ledger entries, newest first, by type and time.

    `from`/`to`: UTC days (`YYYY-MM-DD`, both inclusive) or ISO date-times; at most 366 days.

    For any set of entries: sum payment - sum refund = sum earning + sum commission + sum tax + sum shipping.
    """
    principal(app, "admin")
    return ok(app, ledger.list_transactions(entry_type=type, start=from_, end=to, limit=limit, cursor=cursor))


@app.get("/api/v1/admin/payouts", responses=raises(InvalidInput), tags=["payouts"])
@requires("admin")
def list_payouts(
    status: Annotated[PayoutStatus | None, Query()] = None,
    sellerId: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response[Envelope[ItemsPage[PayoutOut]]]:
    """Payouts: newest first (by release time when filtered by status only)."""
    principal(app, "admin")
    return ok(app, views.list_payouts(status=status, seller_id=sellerId, limit=limit, cursor=cursor))


@app.post(
    "/api/v1/admin/payouts/<payoutId>/release", responses=raises(NotFound, Conflict, UpstreamFailed), tags=["payouts"]
)
@requires("admin")
def release_payout(payoutId: PayoutId) -> Response[Envelope[PayoutOut]]:
    """Release a held (or available) payout now, skipping the rest of its hold.

    Transferred to the seller's account (`paid`), or `available` while the seller has no active
    payout account; `failed` when Stripe refuses the transfer (retry it).
    """
    principal(app, "admin")
    return ok(app, views.payout_out(service.release(payoutId, force=True)))


@app.post(
    "/api/v1/admin/payouts/<payoutId>/retry", responses=raises(NotFound, Conflict, UpstreamFailed), tags=["payouts"]
)
@requires("admin")
def retry_payout(payoutId: PayoutId) -> Response[Envelope[PayoutOut]]:
    """Retry a payout whose transfer failed (409 `PAYOUT_NOT_FAILED` otherwise)."""
    principal(app, "admin")
    return ok(app, views.payout_out(service.release(payoutId, retry=True)))


@app.get("/api/v1/sellers/me/earnings", responses=raises(InvalidInput), tags=["payouts"])
@requires("seller")
def my_earnings(currency: Currency = "usd") -> Response[Envelope[EarningsOut]]:
    """The seller's earnings: held + available + paid = lifetime (net of commission and refunds)."""
    return ok(app, views.earnings(principal(app, "seller").user_id, currency))


@app.get("/api/v1/sellers/me/payouts", responses=raises(InvalidInput), tags=["payouts"])
@requires("seller")
def my_payouts(limit: Limit = 20, cursor: Cursor = None) -> Response[Envelope[ItemsPage[PayoutOut]]]:
    """The seller's payouts, newest first."""
    seller = principal(app, "seller")
    return ok(app, views.list_payouts(status=None, seller_id=seller.user_id, limit=limit, cursor=cursor))


@app.post("/api/v1/sellers/me/payout-account", responses=raises(UpstreamFailed), tags=["payouts"])
@requires("seller", approved=True)
def start_onboarding() -> Response[Envelope[OnboardingOut]]:
    """The seller's Stripe Express account (created once) and a new onboarding link.

    Open `onboardingUrl` before `expiresAt` (epoch seconds) to finish onboarding on Stripe.
    """
    return ok(app, accounts.start_onboarding(principal(app, "seller")))


@app.get("/api/v1/sellers/me/payout-account", responses=raises(NotFound), tags=["payouts"])
@requires("seller")
def my_payout_account() -> Response[Envelope[PayoutAccountOut]]:
    """The payout account's status (`pending`, `active`, `restricted`), as Stripe last reported it."""
    return ok(app, accounts.my_account(principal(app, "seller")))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
