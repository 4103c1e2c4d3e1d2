"""Scheduled job: cancel unpaid orders older than ``UNPAID_ORDER_TIMEOUT_MINUTES`` and give their
stock back (an order found paid meanwhile is confirmed instead)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.commerce.orders.service import expire_unpaid
from shared.observability import logger, metrics, tracer


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    counts = expire_unpaid()
    logger.info("unpaid orders expired", extra=counts)
    return counts
