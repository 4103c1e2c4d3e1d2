"""Admin routes of the job system (``/api/v1/admin/jobs``): stats, listing, one job, retry,
cancel, manual enqueue and the DLQ redrive. Admin only; rules live in :mod:`shared.jobs.service`."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.errors import Conflict, InvalidInput, NotFound
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import raises
from shared.http.pagination import Cursor, Limit
from shared.http.responses import created, ok
from shared.jobs import service
from shared.jobs.models import JobStatus
from shared.jobs.schemas import EnqueueJobRequest, JobOut, JobStats, RedriveOut
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope, ItemsPage

app = create_app()
PREFIX = "/api/v1/admin/jobs"
JobId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
JobTypeQuery = Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.-]*$")]


@app.get(f"{PREFIX}/stats", tags=["jobs"])
@requires("admin")
def job_stats() -> Response[Envelope[JobStats]]:
    """Job counts per status and per type, and the queues' depths.

    Counts are exact (counters kept with every transition); queue depths are SQS's approximate
    numbers.
    """
    principal(app, "admin")
    return ok(app, service.stats())


@app.get(PREFIX, responses=raises(InvalidInput), tags=["jobs"])
@requires("admin")
def list_jobs(
    status: Annotated[JobStatus | None, Query()] = None,
    type: JobTypeQuery = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response[Envelope[ItemsPage[JobOut]]]:
    """Jobs, newest first, filtered by status and type."""
    principal(app, "admin")
    return ok(app, service.list_jobs(status=status, job_type_name=type, limit=limit, cursor=cursor))


@app.post(PREFIX, responses=raises(InvalidInput, Conflict, success=201), tags=["jobs"])
@requires("admin")
def create_job(body: Annotated[EnqueueJobRequest, Body()]) -> Response[Envelope[JobOut]]:
    """Enqueue a job of a type that allows manual runs.

    `system.canary` (`{failAttempts, sleepMs}`) checks the pipeline end to end. With a `dedupKey`
    held by a live job, that job is returned.
    """
    principal(app, "admin")
    return created(app, service.create_job(body))


@app.post(f"{PREFIX}/dlq/redrive", tags=["jobs"])
@requires("admin")
def redrive() -> Response[Envelope[RedriveOut]]:
    """Move the job DLQs' messages back to their queues."""
    principal(app, "admin")
    return ok(app, service.redrive())


@app.get(f"{PREFIX}/<jobId>", responses=raises(NotFound), tags=["jobs"])
@requires("admin")
def get_job(jobId: JobId) -> Response[Envelope[JobOut]]:
    """One job, with its attempt log."""
    principal(app, "admin")
    return ok(app, service.get_job(jobId))


@app.post(f"{PREFIX}/<jobId>/retry", responses=raises(NotFound, Conflict), tags=["jobs"])
@requires("admin")
def retry_job(jobId: JobId) -> Response[Envelope[JobOut]]:
    """Retry a failed job: back to waiting, its attempts from zero.

    409 `JOB_NOT_FAILED` for a job in any other status.
    """
    principal(app, "admin")
    return ok(app, service.retry_job(jobId))


@app.post(f"{PREFIX}/<jobId>/cancel", responses=raises(NotFound, Conflict), tags=["jobs"])
@requires("admin")
def cancel_job(jobId: JobId) -> Response[Envelope[JobOut]]:
    """Cancel a waiting or delayed job; it never runs.

    409 `JOB_NOT_CANCELLABLE` for a job in any other status.
    """
    principal(app, "admin")
    return ok(app, service.cancel_job(jobId))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
