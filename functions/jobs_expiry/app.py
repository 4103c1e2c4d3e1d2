"""DynamoDB stream consumer: keeps the job counters equal to the job records when a record goes
away (see :func:`shared.jobs.records.uncount`).

The event source's FilterCriteria deliver only REMOVEs of job records: the TTL's deletions of
finished jobs (``userIdentity`` ``dynamodb.amazonaws.com``) and any other delete. Each lowers
its job's status and type counters once; a replayed record finds the job's ``UNCOUNTED`` marker
and lowers nothing. A failed write is reported in ``batchItemFailures``, so the stream retries
from it (bisecting, up to ``MaximumRetryAttempts``, then the on-failure destination). This
module loads no HTTP, identity or JWT code.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.jobs import records
from shared.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
TTL_PRINCIPAL = "dynamodb.amazonaws.com"


@tracer.capture_method(capture_response=False)
def record_handler(record: DynamoDBRecord) -> None:
    image = (record.raw_event.get("dynamodb") or {}).get("OldImage") or {}
    job = records.removed_job(image)
    if job is None:
        logger.error("stream record without a job's old image dropped", extra={"eventID": record.event_id})
        return
    expired = record.user_identity.get("principalId") == TTL_PRINCIPAL
    context = {"jobId": job.job_id, "jobType": job.job_type, "status": job.status, "eventID": record.event_id}
    if not expired:
        logger.warning("job record deleted (not by its TTL)", extra=context)
    if records.uncount(job):
        logger.info("removed job uncounted", extra={**context, "expired": expired})
        metrics.add_metric(name="JobRecordsRemoved", unit=MetricUnit.Count, value=1)
    else:
        logger.info("removed job already uncounted", extra=context)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
