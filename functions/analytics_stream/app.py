"""DynamoDB stream consumer: the marketplace's daily rollups (the admin dashboard's numbers) and
the sellers' low-stock entries and alert emails (see :mod:`shared.commerce.analytics.consumer`).

The event source's FilterCriteria deliver only what can change them: MODIFYs of orders,
INSERTs of users, and every change of a product (a filter cannot compare the old and new
images, so a product change that moves no stock across its threshold, a view counted, say, is
dropped here without a write). Each record is applied once (its effects and
its ``APPLIED`` marker in one transaction); a failed record is reported in
``batchItemFailures``, so the stream retries from it (bisecting, up to
``MaximumRetryAttempts``, then the batch's coordinates go to the on-failure queue), and the
records after it that had succeeded are skipped on redelivery by their markers.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.commerce.analytics import consumer
from shared.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


@tracer.capture_method(capture_response=False)
def record_handler(record: DynamoDBRecord) -> None:
    change = consumer.change_of(record.raw_event)
    outcome = consumer.apply(change)
    if outcome != "ignored":
        logger.info(
            "stream record " + outcome,
            extra={"eventID": change.event_id, "eventName": change.event_name, "itemType": change.item_type},
        )
    if outcome == "applied":
        metrics.add_metric(name="RollupRecordsApplied", unit=MetricUnit.Count, value=1)
    elif outcome == "replayed":
        metrics.add_metric(name="RollupRecordsReplayed", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
