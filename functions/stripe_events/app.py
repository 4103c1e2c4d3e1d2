"""SQS consumer: applies verified Stripe events (stored by the webhook, relayed by the outbox) to orders and payments.

``handle_event`` is idempotent, so a redelivered event changes nothing. It raises to ask for a
retry; the record is then reported in ``batchItemFailures`` and, after the queue's max receive
count, lands in the DLQ. A body that is not a JSON object can never succeed: it is logged and
dropped rather than retried.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.commerce.payments import events as stripe_events
from shared.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def parse(record: SQSRecord) -> dict[str, Any] | None:
    try:
        event = json.loads(record.body)
    except ValueError:
        event = None
    if not isinstance(event, dict):
        logger.error(
            "dropping a Stripe event message that is not a JSON object", extra={"messageId": record.message_id}
        )
        return None
    return event


@tracer.capture_method(capture_response=False)
def record_handler(record: SQSRecord) -> None:
    event = parse(record)
    if event is not None:
        logger.info(
            "applying Stripe event", extra={"stripeEventId": event.get("id"), "stripeEventType": event.get("type")}
        )
        stripe_events.handle_event(event)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
