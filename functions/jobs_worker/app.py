"""SQS consumer of both job queues (normal and high priority): runs each job message through
:func:`shared.jobs.worker.run`, with Powertools' BatchProcessor and partial batch failures.

A record whose job failed an attempt (to be retried after its backoff, which the worker set as
the message's visibility timeout) or that another delivery is running is reported in
``batchItemFailures``; everything else is acknowledged. This module loads no HTTP, identity
auth or JWT code; the job types' handlers import what they use when they run.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.jobs import worker
from shared.jobs.registry import load_catalog
from shared.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
load_catalog()


@tracer.capture_method(capture_response=False)
def record_handler(record: SQSRecord) -> str:
    delivery = worker.Delivery(
        body=record.body, queue_arn=record.event_source_arn, receipt_handle=record.receipt_handle
    )
    return worker.run(delivery)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
