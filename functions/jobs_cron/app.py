"""The template's schedules enqueue typed jobs here: each schedule's ``Input`` names a job type
(``{"type": "orders.expire-unpaid"}``), and this function enqueues one run of it, so periodic work
gets a job's status, retries and monitoring. At most one run of a cron job is live at a time
(its dedup key ``cron:<type>``): a tick while the previous run still waits or runs adds nothing.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.jobs.enqueue import enqueue_cron
from shared.jobs.registry import job_type
from shared.observability import logger, metrics, tracer


class UnknownCronJob(ValueError):
    pass


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    name = event.get("type") if isinstance(event, dict) else None
    if not isinstance(name, str) or job_type(name) is None:
        raise UnknownCronJob(f"the schedule's Input names no registered job type: {name!r}")
    payload = event.get("payload")
    job_id = enqueue_cron(name, payload if isinstance(payload, dict) else None)
    logger.info("cron job enqueued", extra={"jobType": name, "jobId": job_id})
    return {"jobId": job_id, "type": name}
