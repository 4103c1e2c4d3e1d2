"""The admin API's job models (camelCase on the wire)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from shared.jobs.models import JobStatus, Priority
from shared.jobs.spec import MAX_ATTEMPTS
from shared.schemas import ApiModel, StrictInput, StrictInt, Text

TypeName = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.-]*$")


class EnqueueJobRequest(StrictInput):
    """A manual run of a job type that allows one. ``delaySeconds`` and ``runAt`` are exclusive."""

    type: Text = TypeName
    payload: dict[str, Any] = Field(default_factory=dict)
    delay_seconds: StrictInt = Field(default=0, ge=0, le=365 * 86_400)
    run_at: datetime | None = None
    max_attempts: StrictInt = Field(default=3, ge=1, le=MAX_ATTEMPTS)
    dedup_key: Text | None = Field(default=None, min_length=1, max_length=200)
    priority: Priority = "normal"


class AttemptOut(ApiModel):
    number: int
    started_at: str
    ended_at: str | None = None
    error: str | None = None


class JobOut(ApiModel):
    id: str  # the same as jobId, named like every other resource's id
    job_id: str
    type: str
    status: JobStatus
    priority: Priority
    payload: dict[str, Any]
    attempts: int
    attempts_total: int
    max_attempts: int
    progress: int
    last_error: str | None = None
    result: Any = None
    dedup_key: str | None = None
    run_at: str | None = None
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    attempt_log: list[AttemptOut] = Field(default_factory=list)


class StatusCounts(ApiModel):
    waiting: int = 0
    delayed: int = 0
    active: int = 0
    completed: int = 0
    failed: int = 0
    cancelled: int = 0


class QueueStats(ApiModel):
    visible: int
    in_flight: int
    delayed: int
    dlq: int


class JobStats(ApiModel):
    counts: StatusCounts
    by_type: dict[str, StatusCounts]
    queues: dict[str, QueueStats]


class RedriveOut(ApiModel):
    moved: dict[str, int]
