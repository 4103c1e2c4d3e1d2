"""The admin's reads and actions on jobs (the routes of ``functions/admin_jobs``)."""

from __future__ import annotations

import json
from datetime import UTC

from pydantic import ValidationError

from shared.errors import Conflict, InvalidInput, NotFound
from shared.jobs import queues, records
from shared.jobs.enqueue import enqueue
from shared.jobs.models import STATUSES, JobItem
from shared.jobs.registry import job_type
from shared.jobs.schemas import AttemptOut, EnqueueJobRequest, JobOut, JobStats, QueueStats, RedriveOut, StatusCounts
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor


def job_out(job: JobItem) -> JobOut:
    return JobOut(
        id=job.job_id,
        job_id=job.job_id,
        type=job.job_type,
        status=job.status,  # type: ignore[arg-type]
        priority=job.priority,  # type: ignore[arg-type]
        payload=json.loads(job.payload or "{}"),
        attempts=int(job.attempts),
        attempts_total=int(job.attempts_total),
        max_attempts=int(job.max_attempts),
        progress=int(job.progress),
        last_error=job.last_error,
        result=json.loads(job.result) if job.result else None,
        dedup_key=job.dedup_key,
        run_at=job.run_at,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        attempt_log=[
            AttemptOut(number=int(a.number), started_at=a.started_at, ended_at=a.ended_at, error=a.error)
            for a in job.attempt_log or []
        ],
    )


def _get(job_id: str) -> JobItem:
    job = records.get(job_id)
    if job is None:
        raise NotFound("Job not found", code="JOB_NOT_FOUND")
    return job


def get_job(job_id: str) -> JobOut:
    return job_out(_get(job_id))


def create_job(request: EnqueueJobRequest) -> JobOut:
    """An admin's enqueue. Raises :class:`InvalidInput` ``UNKNOWN_JOB_TYPE`` for a type that
    does not allow manual runs, ``VALIDATION_ERROR`` for a payload the type refuses."""
    kind = job_type(request.type)
    if kind is None or not kind.manual:
        raise InvalidInput(f"Unknown job type {request.type!r} (or not runnable by hand)", code="UNKNOWN_JOB_TYPE")
    if request.run_at is not None and request.delay_seconds:
        raise InvalidInput("Give delaySeconds or runAt, not both", errors={"runAt": ["Exclusive with delaySeconds"]})
    if kind.payload is not None:
        try:
            kind.payload.model_validate(request.payload)
        except ValidationError as exc:
            errors = {"payload." + ".".join(str(p) for p in e["loc"]): [str(e["msg"])] for e in exc.errors()}
            raise InvalidInput("The payload is not valid for this job type", errors=errors) from exc
    run_at = request.run_at
    if run_at is not None and run_at.tzinfo is None:
        run_at = run_at.replace(tzinfo=UTC)
    try:
        job_id = enqueue(
            request.type,
            request.payload,
            delay_seconds=request.delay_seconds,
            run_at=run_at,
            priority=request.priority,
            dedup_key=request.dedup_key,
            max_attempts=request.max_attempts,
        )
    except ValueError as exc:  # a payload over 32 KiB
        raise InvalidInput(str(exc), errors={"payload": [str(exc)]}) from exc
    return get_job(job_id)


def list_jobs(*, status: str | None, job_type_name: str | None, limit: int, cursor: str | None) -> ItemsPage[JobOut]:
    scope = f"jobs|{status}|{job_type_name}"
    page = records.list_jobs(status=status, job_type=job_type_name, limit=limit, position=decode_cursor(cursor, scope))
    return ItemsPage[JobOut](
        items=[job_out(job) for job in page.items], next_cursor=encode_cursor(page.next_position, scope)
    )


def retry_job(job_id: str) -> JobOut:
    """``failed`` → ``waiting``, attempts from 0. Raises :class:`Conflict` ``JOB_NOT_FAILED``."""
    job = _get(job_id)
    if job.status != "failed":
        raise Conflict(f"Only a failed job can be retried (this one is {job.status})", code="JOB_NOT_FAILED")
    if not records.requeue(job):
        current = _get(job_id)
        if current.status != "failed":
            raise Conflict(f"Only a failed job can be retried (this one is {current.status})", code="JOB_NOT_FAILED")
        raise Conflict("Another live job holds this job's dedup key", code="DUPLICATE_JOB")
    return get_job(job_id)


def cancel_job(job_id: str) -> JobOut:
    """``waiting``/``delayed`` → ``cancelled`` (its schedule, if any, is deleted). Raises
    :class:`Conflict` ``JOB_NOT_CANCELLABLE`` for any other status."""
    job = _get(job_id)
    if job.status not in ("waiting", "delayed") or not records.cancel(job):
        current = _get(job_id)
        raise Conflict(
            f"Only a waiting or delayed job can be cancelled (this one is {current.status})", code="JOB_NOT_CANCELLABLE"
        )
    if job.schedule_name:
        queues.delete_schedule(job.schedule_name)
    return get_job(job_id)


def stats() -> JobStats:
    counters = records.counts()
    by_type = {
        key.removeprefix("TYPE#"): StatusCounts(**values) for key, values in counters.items() if key.startswith("TYPE#")
    }
    return JobStats(
        counts=StatusCounts(**counters.get("ALL", dict.fromkeys(STATUSES, 0))),
        by_type=by_type,
        queues={
            name: QueueStats(visible=q["visible"], in_flight=q["inFlight"], delayed=q["delayed"], dlq=q["dlq"])
            for name, q in queues.stats().items()
        },
    )


def redrive() -> RedriveOut:
    return RedriveOut(moved=queues.redrive())
