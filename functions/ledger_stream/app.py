"""DynamoDB stream consumer: the money ledger and seller payouts, from the orders' own changes
(see :mod:`shared.commerce.ledger.stream`).

The event source's FilterCriteria deliver only MODIFYs of order items. Each record's old and new
image say what moved (the payment, a refund, the delivery); every write it makes is keyed on that
business event, so a replayed record writes nothing. A failure is reported in
``batchItemFailures``: the stream retries from it (bisecting, up to ``MaximumRetryAttempts``, then
the on-failure destination ``LedgerDLQ``).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.commerce.ledger.stream import apply_order_change, order_of
from shared.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


@tracer.capture_method(capture_response=False)
def record_handler(record: DynamoDBRecord) -> None:
    change = record.raw_event.get("dynamodb") or {}
    new = order_of(change.get("NewImage"))
    if new is None:
        logger.error("stream record without an order's new image dropped", extra={"eventID": record.event_id})
        return
    done = apply_order_change(order_of(change.get("OldImage")), new)
    if any(done.values()):
        logger.info("order money recorded", extra={"orderId": new.order_id, "eventID": record.event_id, **done})


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
