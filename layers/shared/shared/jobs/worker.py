"""Running one job message: the worker function's record handler.

A message is ``{"jobId", "run"}``; the record says the rest. What happens to it:

=====================================  ==========================================================
the record                             outcome
=====================================  ==========================================================
missing, finished, or of an older run  nothing (a redelivered or stale message): acknowledged
``active`` and its lease not expired   another delivery is running it: held for the rest of the
                                       lease, then looked at again
``delayed``, its time not come yet     a copy that came early: held until the job's time
``waiting``/``delayed``, or ``active``  attempt ``n = attempts + 1`` starts (a conditional write;
past its lease (a crashed attempt)     the crashed attempt is logged as failed)
handler returns                        ``completed`` with its result: acknowledged
handler raises, ``n < maxAttempts``    ``delayed``; the message is held ``base*2^(n-1)`` seconds
                                       (``ChangeMessageVisibility``) and reported failed
handler raises, ``n = maxAttempts``    ``failed``, stays listed: acknowledged
=====================================  ==========================================================

The attempt count lives in the record, never in ``ApproximateReceiveCount`` (which also rises on
throttles and duplicate deliveries).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from shared.clock import now
from shared.jobs import queues, records
from shared.jobs.backoff import MAX_VISIBILITY_SECONDS, Backoff
from shared.jobs.models import FINISHED, JobItem
from shared.jobs.registry import JobContext, job_type
from shared.observability import logger, metrics
from shared.settings import get_settings

Outcome = Literal["completed", "retrying", "failed", "skipped", "busy"]
MAX_ERROR_CHARS = 1_000


class RetryLater(Exception):
    """The message must come back later (reported as a batch item failure)."""


@dataclass(frozen=True)
class Delivery:
    body: str
    queue_arn: str
    receipt_handle: str


def _error_text(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:MAX_ERROR_CHARS]


def run(delivery: Delivery) -> Outcome:
    """Handle one message; raises :class:`RetryLater` when SQS must deliver it again."""
    try:
        message = json.loads(delivery.body)
        job_id, run_number = str(message["jobId"]), int(message.get("run", 0))
    except (ValueError, KeyError, TypeError):
        logger.error("job message dropped: not a job message")
        return "skipped"
    job = records.get(job_id)
    if job is None or job.status in FINISHED or int(job.run) != run_number:
        return "skipped"
    early = _seconds_until(job.run_at) if job.status == "delayed" else 0
    if early > 1:
        # A copy that arrived before the job's time (a duplicate, a redriven message): held too.
        queues.hold(delivery.queue_arn, delivery.receipt_handle, min(early, MAX_VISIBILITY_SECONDS))
        raise RetryLater(f"job {job_id} is delayed for {early}s more")
    crashed = False
    lease_seconds = get_settings().job_lease_seconds
    if job.status == "active":
        remaining = _lease_remaining(job)
        if remaining > 0:
            queues.hold(delivery.queue_arn, delivery.receipt_handle, remaining)
            raise RetryLater(f"job {job_id} is running elsewhere")
        crashed = True
        if int(job.attempts) >= int(job.max_attempts):
            error = "the last attempt did not finish (worker crashed or timed out)"
            if records.fail(job, error):
                _record(job, "Failed")
            return "failed"
    if not records.start(job, lease_seconds, crashed=crashed):
        raise RetryLater(f"job {job_id} changed while starting")
    return _attempt(job, delivery)


def _progress(job: JobItem, percent: int) -> None:
    records.set_progress(job, percent)


def _seconds_until(moment: str | None) -> int:
    if not moment:
        return 0
    return max(0, int((datetime.fromisoformat(moment) - now()).total_seconds() + 0.999))


def _lease_remaining(job: JobItem) -> int:
    return _seconds_until(job.lease_until)


def _attempt(job: JobItem, delivery: Delivery) -> Outcome:
    kind = job_type(job.job_type)
    context = JobContext(
        job_id=job.job_id,
        job_type=job.job_type,
        payload=json.loads(job.payload or "{}"),
        attempt=int(job.attempts),
        attempts_total=int(job.attempts_total),
        max_attempts=int(job.max_attempts),
        report_progress=lambda percent: _progress(job, percent),
    )
    started = time.perf_counter()
    try:
        if kind is None:
            raise LookupError(f"no handler registered for job type {job.job_type!r}")
        result = kind.handler(context)
    except Exception as exc:
        error = _error_text(exc)
        logger.warning(
            "job attempt failed",
            extra={"jobId": job.job_id, "jobType": job.job_type, "attempt": context.attempt, "error": error},
        )
        return _failed(job, error, delivery, time.perf_counter() - started)
    _record(job, "Duration", (time.perf_counter() - started) * 1000, MetricUnit.Milliseconds)
    if records.complete(job, result):
        _record(job, "Completed")
        logger.info("job completed", extra={"jobId": job.job_id, "jobType": job.job_type, "attempt": context.attempt})
    return "completed"


def _failed(job: JobItem, error: str, delivery: Delivery, seconds: float) -> Outcome:
    _record(job, "Duration", seconds * 1000, MetricUnit.Milliseconds)
    if int(job.attempts) >= int(job.max_attempts):
        if records.fail(job, error):
            _record(job, "Failed")
        return "failed"
    delay = Backoff(int(job.backoff_base), int(job.backoff_cap)).delay(int(job.attempts))
    if not records.retry_later(job, error, delay):
        raise RetryLater(f"job {job.job_id} changed while failing")
    _record(job, "Retried")
    queues.hold(delivery.queue_arn, delivery.receipt_handle, delay)
    raise RetryLater(f"job {job.job_id} attempt {job.attempts} failed; next in {delay}s")


def _record(job: JobItem, name: str, value: float = 1, unit: MetricUnit = MetricUnit.Count) -> None:
    """``Job<name>`` twice: for all types (the alarm's metric, flushed with the invocation's
    metrics) and with a ``jobType`` dimension (one EMF record now)."""
    metrics.add_metric(name=f"Job{name}", unit=unit, value=value)
    with single_metric(name=f"Job{name}", unit=unit, value=value, namespace=metrics.namespace) as metric:
        metric.add_dimension(name="service", value=str(metrics.service or "platform"))
        metric.add_dimension(name="jobType", value=job.job_type)
