"""Ledger API models (amounts in integer cents)."""

from __future__ import annotations

from shared.schemas import ApiModel


class LedgerEntryOut(ApiModel):
    id: str
    type: str
    amount: int
    currency: str
    order_id: str
    seller_id: str | None = None
    stripe_id: str | None = None
    payout_id: str | None = None
    created_at: str
