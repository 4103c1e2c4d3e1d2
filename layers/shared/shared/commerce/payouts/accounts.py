"""Payout accounts: one Stripe Express connected account per seller, onboarded through Stripe's
hosted flow and kept in sync by the ``account.updated`` webhook."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.clock import now_iso
from shared.commerce.payouts import gateway, repository
from shared.commerce.payouts.schemas import OnboardingOut, PayoutAccountOut
from shared.errors import NotFound
from shared.jobs.enqueue import enqueue
from shared.observability import logger
from shared.settings import get_settings

if TYPE_CHECKING:
    from shared.identity.principal import Principal


def start_onboarding(principal: Principal) -> OnboardingOut:
    """The seller's connected account (created once: a Stripe idempotency key per seller and a
    conditional put, so concurrent calls keep one) and a fresh onboarding link. Raises
    :class:`UpstreamFailed`."""
    seller_id = principal.user_id
    stored = repository.get_account(seller_id)
    if stored is not None:
        account_id = stored.account_id
    else:
        created = gateway.create_account(
            seller_id=seller_id, email=principal.user.email, idempotency_key=f"connect-account-{seller_id}"
        )
        account_id = repository.keep_account(seller_id, created, now_iso())
    settings = get_settings()
    back = settings.frontend_url.rstrip("/") + settings.payout_onboarding_return_path
    url, expires_at = gateway.create_account_link(
        account_id=account_id, refresh_url=f"{back}?refresh=1", return_url=f"{back}?onboarded=1"
    )
    return OnboardingOut(account_id=account_id, onboarding_url=url, expires_at=expires_at)


def my_account(principal: Principal) -> PayoutAccountOut:
    """Raises :class:`NotFound` ``PAYOUT_ACCOUNT_NOT_FOUND`` before the first POST."""
    stored = repository.get_account(principal.user_id)
    if stored is None:
        raise NotFound("No payout account yet: start onboarding first", code="PAYOUT_ACCOUNT_NOT_FOUND")
    return PayoutAccountOut(
        account_id=stored.account_id,
        status=stored.status,  # type: ignore[arg-type]
        charges_enabled=bool(stored.charges_enabled),
        payouts_enabled=bool(stored.payouts_enabled),
        details_submitted=bool(stored.details_submitted),
    )


def apply_account_event(event: dict[str, Any]) -> None:
    """``account.updated``: store the account's state if it is newer than the stored one (events
    may arrive twice or out of order). An account becoming active releases the seller's
    ``available`` payouts through the sweep job."""
    obj = (event.get("data") or {}).get("object") or {}
    account = gateway.account_from(obj)
    if account.seller_id is None:
        logger.info("account event without a seller ignored", extra={"accountId": account.id})
        return
    before = repository.get_account(account.seller_id)
    applied = repository.sync_account(
        account.seller_id,
        account.id,
        synced_at=int(event.get("created") or 0),
        at=now_iso(),
        status=account.status,
        charges_enabled=account.charges_enabled,
        payouts_enabled=account.payouts_enabled,
        details_submitted=account.details_submitted,
    )
    logger.info("payout account synced", extra={"accountId": account.id, "status": account.status, "applied": applied})
    if applied and account.status == "active" and (before is None or before.status != "active"):
        from shared.commerce.payouts.service import SWEEP_JOB

        enqueue(SWEEP_JOB, dedup_key=f"payouts-sweep-account-{account.id}")
