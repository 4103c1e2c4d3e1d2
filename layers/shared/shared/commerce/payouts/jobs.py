"""Payout job types: the release of one payout when its hold ends (a one-time schedule owed with
the payout), the reversal owed by a refund after a transfer, and the daily sweep (cron
``payouts-sweep`` through ``JobsCronFunction``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.jobs.registry import JobContext, register

RELEASE = "payouts.release"
REVERSE = "payouts.reverse"
SWEEP = "payouts.sweep"


class PayoutPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")
    payoutId: str


@register(RELEASE, manual=True, payload=PayoutPayload)
def release_payout(context: JobContext) -> dict[str, Any]:
    """Release a payout whose hold ended (nothing if it is not due or no longer held); a failed
    transfer leaves it ``failed`` for the admin's retry rather than failing the job."""
    from shared.commerce.payouts.service import release

    payout = release(str(context.payload["payoutId"]))
    return {"payoutId": payout.payout_id, "status": payout.status}


@register(REVERSE, manual=True, payload=PayoutPayload)
def reverse_payout(context: JobContext) -> dict[str, Any]:
    """Reverse what refunds after the transfer took back; raises (retried) while in flight."""
    from shared.commerce.payouts.service import reverse

    payout = reverse(str(context.payload["payoutId"]))
    return {"payoutId": payout.payout_id, "reversed": int(payout.reversed or 0)}


@register(SWEEP, manual=True)
def sweep_payouts(context: JobContext) -> dict[str, Any]:
    from shared.commerce.payouts.service import sweep

    return sweep()
