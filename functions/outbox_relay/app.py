"""DynamoDB stream consumer: relays every owed outbox item to its queue (see
:mod:`shared.messaging.outbox`).

The event source's FilterCriteria deliver only INSERTs of outbox items. Each record is relayed
on its own; a failed send (the queue is down) is reported in ``batchItemFailures``, so the
stream retries from it (bisecting, up to ``MaximumRetryAttempts``, then the on-failure
destination) while the item stays owed in the table. A replayed record sends nothing: the item
is already marked relayed.

The same function, on its schedule (any event without ``Records``), sweeps: it relays the items
still owed five minutes after they were written, which the stream gave up on (or never
delivered). This module loads no HTTP, identity or JWT code.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.messaging import outbox
from shared.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


@tracer.capture_method(capture_response=False)
def record_handler(record: DynamoDBRecord) -> None:
    keys = record.dynamodb.keys if record.dynamodb else {}
    pk, sk = keys.get("PK"), keys.get("SK")
    if not isinstance(pk, str) or not isinstance(sk, str):
        logger.error("stream record without an outbox key dropped", extra={"eventID": record.event_id})
        return
    outcome = outbox.relay(pk, sk)
    logger.info(f"outbox message {outcome}", extra={"outboxKey": pk, "eventID": record.event_id})
    if outcome == "relayed":
        metrics.add_metric(name="OutboxRelayed", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse | dict[str, int]:
    if "Records" not in event:
        counts = outbox.sweep()
        logger.info("outbox swept", extra=counts)
        metrics.add_metric(name="OutboxSwept", unit=MetricUnit.Count, value=counts["relayed"])
        metrics.add_metric(name="OutboxSweepFailed", unit=MetricUnit.Count, value=counts["failed"])
        return counts
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
