"""DynamoDB stream consumer: sends real-time events to the WebSocket connections they concern
(see :mod:`shared.realtime.events` for which records become which events, and
:mod:`shared.realtime.fanout` for who gets them).

The event source's FilterCriteria deliver only the item types with a builder. A record whose
delivery fails (DynamoDB or the management API, after botocore's retries) is reported in
``batchItemFailures``; the stream retries from it (bisecting, up to ``MaximumRetryAttempts``,
then the batch's coordinates go to the on-failure queue). Delivery is at least once: a retried
record sends its events again under the same ids, which clients use to drop duplicates.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.observability import logger, metrics, tracer
from shared.realtime import fanout

processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


@tracer.capture_method(capture_response=False)
def record_handler(record: DynamoDBRecord) -> None:
    done = fanout.deliver(record.raw_event)
    if done.posts:
        logger.debug("delivered", extra={"eventID": record.event_id, "posts": done.posts, "gone": done.gone})
        metrics.add_metric(name="RealtimePosts", unit=MetricUnit.Count, value=done.posts)
    if done.gone:
        metrics.add_metric(name="RealtimeGoneConnections", unit=MetricUnit.Count, value=done.gone)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
