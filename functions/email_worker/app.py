"""SQS consumer: renders and sends transactional email, each message id at most once.

Batch failures are reported per record (``ReportBatchItemFailures``): a failed send is
retried by SQS and, after the queue's max receive count, lands in the DLQ.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.email.delivery import deliver
from shared.messaging.email import EmailMessage
from shared.observability import logger, metrics, tracer

# A batch whose every record failed is reported like any other (all ids in batchItemFailures)
# rather than raised: the outcome for SQS is the same, without a function error per bad batch.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
_context: dict[str, LambdaContext | None] = {"current": None}


@tracer.capture_method(capture_response=False)
def record_handler(record: SQSRecord) -> None:
    message = EmailMessage.model_validate(json.loads(record.body))
    deliver(message, _context["current"])


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    _context["current"] = context
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
