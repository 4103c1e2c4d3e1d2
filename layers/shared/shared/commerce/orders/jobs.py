"""Order job types: the unpaid-order expiry, a cron job (the ``expire-unpaid-orders`` schedule
enqueues it every 5 minutes through ``JobsCronFunction``)."""

from __future__ import annotations

from typing import Any

from shared.jobs.registry import JobContext, register

EXPIRE_UNPAID = "orders.expire-unpaid"


class ExpiryIncomplete(RuntimeError):
    pass


@register(EXPIRE_UNPAID, manual=True)
def expire_unpaid_orders(context: JobContext) -> dict[str, Any]:
    """Cancel unpaid orders past ``UNPAID_ORDER_TIMEOUT_MINUTES``; an order that could not be
    expired (the payment provider failed) fails the attempt, so the job is retried with backoff."""
    from shared.commerce.orders.service import expire_unpaid

    counts = expire_unpaid()
    if counts["failed"]:
        raise ExpiryIncomplete(f"{counts['failed']} unpaid order(s) could not be expired: {counts}")
    return counts
