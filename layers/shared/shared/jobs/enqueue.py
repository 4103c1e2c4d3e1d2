"""Enqueue: the one entry point of every system into the job system.

:func:`enqueue` stores the job's record and its outbox message in one transaction; the relay then
delivers it (:mod:`shared.jobs.queues`). A write that owes a job as part of its own change adds
``outbox.add(tx, owed(build(...)))`` to its transaction instead (see :mod:`shared.jobs.spec`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.jobs import records
from shared.jobs.backoff import Backoff
from shared.jobs.models import Priority
from shared.jobs.spec import build


def enqueue(
    job_type_name: str,
    payload: dict[str, Any] | None = None,
    *,
    delay_seconds: int = 0,
    run_at: datetime | None = None,
    priority: Priority = "normal",
    dedup_key: str | None = None,
    max_attempts: int = 3,
    backoff: Backoff | None = None,
) -> str:
    """Enqueue a job; returns its id. With ``dedup_key``, while a job with that key is live
    (waiting, delayed, active) its id is returned and nothing is enqueued."""
    spec = build(
        job_type_name,
        payload,
        delay_seconds=delay_seconds,
        run_at=run_at,
        priority=priority,
        dedup_key=dedup_key,
        max_attempts=max_attempts,
        backoff=backoff,
    )
    return records.create(spec)


def enqueue_cron(job_type: str, payload: dict[str, Any] | None = None) -> str:
    """A schedule's tick: at most one live run of a cron job (a tick while the previous run still
    waits or runs returns that run's id)."""
    return enqueue(job_type, payload, dedup_key=f"cron:{job_type}")
