"""Payout API models (amounts in integer cents)."""

from __future__ import annotations

from typing import Literal

from shared.schemas import ApiModel


class OnboardingOut(ApiModel):
    account_id: str
    onboarding_url: str
    expires_at: int


class PayoutAccountOut(ApiModel):
    account_id: str
    status: Literal["pending", "active", "restricted"]
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool


class PayoutOut(ApiModel):
    id: str
    order_id: str
    seller_id: str
    currency: str
    status: str
    gross: int
    commission: int
    amount: int
    transferred: int
    reversed: int
    transfer_id: str | None = None
    failure_reason: str | None = None
    delivered_at: str
    release_at: str
    paid_at: str | None = None
    created_at: str
    updated_at: str


class EarningsOut(ApiModel):
    """``held + available + paid = lifetime``: ``lifetime`` is every net earning (after
    commission and refunds), ``paid`` what was transferred (minus reversals), ``available`` what
    waits for a payout account, ``held`` the rest (orders not delivered or in their hold); a
    reversal still under way already counts as taken back from ``paid``."""

    currency: str
    held: int
    available: int
    paid: int
    lifetime: int
