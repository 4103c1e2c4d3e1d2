"""Data access for the job queues and one-time schedules (SQS and EventBridge Scheduler): the only
module of :mod:`shared.jobs` that calls AWS besides DynamoDB.

- :func:`deliver` (the outbox relay): a job's message goes to the queue of its priority at once,
  with ``DelaySeconds`` up to 900 s, or through a one-time schedule ``at(runAt)`` that sends it
  to the queue and deletes itself (``ActionAfterCompletion: DELETE``).
- :func:`hold` (the worker): ``ChangeMessageVisibility`` on a received message, the backoff.
- :func:`redrive`: the DLQs' messages back to their queues. ``StartMessageMoveTask`` would do it
  server-side, but moto lacks it; receive, send, delete works on both, message by message, so a
  crash in between can only duplicate a message, which the worker absorbs.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from shared.clock import now
from shared.jobs.spec import MAX_SQS_DELAY_SECONDS, JobSpec
from shared.messaging.clients import client
from shared.settings import ConfigurationError, get_settings

REDRIVE_LIMIT = 1_000


def queue_url(priority: str) -> str:
    settings = get_settings()
    url = settings.jobs_high_queue_url if priority == "high" else settings.jobs_queue_url
    if not url:
        raise ConfigurationError(f"no job queue configured for priority {priority!r} (JOBS_QUEUE_URL)")
    return url


def _queue_arn(priority: str) -> str:
    settings = get_settings()
    arn = settings.jobs_high_queue_arn if priority == "high" else settings.jobs_queue_arn
    if not arn or not settings.jobs_scheduler_role_arn:
        raise ConfigurationError("JOBS_QUEUE_ARN / JOBS_SCHEDULER_ROLE_ARN are needed for jobs beyond 900 s")
    return arn


def deliver(body: dict[str, Any]) -> None:
    """Send the job described by ``body`` (a :class:`JobSpec`) as its time requires. Idempotent
    for schedules (an existing one is kept); a repeated send is absorbed by the worker."""
    spec = JobSpec.model_validate(body)
    message = json.dumps(spec.message(), separators=(",", ":"))
    delay = 0
    if spec.run_at is not None:
        delay = max(0, int((datetime.fromisoformat(spec.run_at) - now()).total_seconds() + 0.999))
    if delay > MAX_SQS_DELAY_SECONDS:
        _schedule(spec, message)
        return
    client("sqs").send_message(QueueUrl=queue_url(spec.priority), MessageBody=message, DelaySeconds=delay)


def _schedule(spec: JobSpec, message: str) -> None:
    assert spec.run_at is not None
    at = datetime.fromisoformat(spec.run_at).strftime("%Y-%m-%dT%H:%M:%S")
    scheduler = client("scheduler")
    try:
        scheduler.create_schedule(
            Name=spec.schedule_name(),
            GroupName=get_settings().jobs_schedule_group,
            ScheduleExpression=f"at({at})",
            ScheduleExpressionTimezone="UTC",
            FlexibleTimeWindow={"Mode": "OFF"},
            ActionAfterCompletion="DELETE",
            Target={
                "Arn": _queue_arn(spec.priority),
                "RoleArn": get_settings().jobs_scheduler_role_arn,
                "Input": message,
                "RetryPolicy": {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 3600},
            },
        )
    except scheduler.exceptions.ConflictException:
        return


def delete_schedule(name: str) -> None:
    """Delete a delayed job's one-time schedule; a schedule already gone is fine."""
    scheduler = client("scheduler")
    try:
        scheduler.delete_schedule(Name=name, GroupName=get_settings().jobs_schedule_group)
    except scheduler.exceptions.ResourceNotFoundException:
        return


def hold(queue_arn: str, receipt_handle: str, seconds: int) -> None:
    """Keep a received message invisible for ``seconds`` from now (the retry's backoff)."""
    client("sqs").change_message_visibility(
        QueueUrl=_url_of_arn(queue_arn), ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
    )


def _queues() -> dict[str, tuple[str, str]]:
    """``{name: (queue url, its DLQ url)}`` of the configured job queues."""
    settings = get_settings()
    found = {
        "normal": (settings.jobs_queue_url, settings.jobs_dlq_url),
        "high": (settings.jobs_high_queue_url, settings.jobs_high_dlq_url),
    }
    return {name: urls for name, urls in found.items() if urls[0]}


def _url_of_arn(arn: str) -> str:
    """The queue URL of a job queue's ARN (the queue's name is the ARN's last part)."""
    name = arn.rsplit(":", 1)[-1]
    for url, _dlq in _queues().values():
        if url.rstrip("/").rsplit("/", 1)[-1] == name:
            return url
    return str(client("sqs").get_queue_url(QueueName=name)["QueueUrl"])


def stats() -> dict[str, dict[str, int]]:
    """Per queue: ``visible``, ``inFlight``, ``delayed`` messages and its DLQ's ``dlq`` depth
    (SQS's approximate counts)."""
    sqs = client("sqs")
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    found: dict[str, dict[str, int]] = {}
    for name, (url, dlq) in _queues().items():
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        depth = 0
        if dlq:
            dlq_attrs = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
            depth = int(dlq_attrs["Attributes"].get("ApproximateNumberOfMessages", 0))
        found[name] = {
            "visible": int(attrs.get("ApproximateNumberOfMessages", 0)),
            "inFlight": int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0)),
            "delayed": int(attrs.get("ApproximateNumberOfMessagesDelayed", 0)),
            "dlq": depth,
        }
    return found


def redrive(limit: int = REDRIVE_LIMIT) -> dict[str, int]:
    """Move up to ``limit`` messages from each DLQ back to its queue; returns counts per queue."""
    sqs = client("sqs")
    moved: dict[str, int] = {}
    for name, (url, dlq) in _queues().items():
        moved[name] = 0
        while dlq and moved[name] < limit:
            batch = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=30)
            messages = batch.get("Messages", [])
            if not messages:
                break
            for message in messages:
                sqs.send_message(QueueUrl=url, MessageBody=message["Body"])
                sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
                moved[name] += 1
    return moved
