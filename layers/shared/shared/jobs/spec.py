"""What an enqueue owes: a job described as an outbox message (no I/O, no AWS imports, so a write
that owes a job, like registration owing the onboarding email, stays cheap to import).

A job is owed through :mod:`shared.messaging.outbox` with destination ``jobs``: adding the
:class:`~shared.messaging.owed.Owed` to a transaction also writes the job's record and counters
(:func:`shared.jobs.records.add_job`), and the relay later delivers it to the job queue of its
priority, with an SQS delay up to 900 s or an EventBridge Scheduler one-time schedule beyond.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from shared.clock import iso, now
from shared.ids import new_id
from shared.jobs.backoff import Backoff, exponential
from shared.jobs.models import Priority
from shared.messaging.owed import Owed

MAX_SQS_DELAY_SECONDS = 900
MAX_ATTEMPTS = 10
MAX_PAYLOAD_BYTES = 32_768


class JobSpec(BaseModel):
    """A job as it is stored and relayed (the body of its outbox message)."""

    job_id: str = Field()
    type: str
    payload: dict[str, Any] = Field(default_factory=dict)
    priority: Priority = "normal"
    max_attempts: int = Field(default=3, ge=1, le=MAX_ATTEMPTS)
    backoff_base: int = Field(default=2, ge=0)
    backoff_cap: int = Field(default=43_200, ge=0)
    run_at: str | None = Field(default=None)
    created_at: str = Field()
    dedup_key: str | None = Field(default=None)
    run: int = 0

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    @property
    def delayed(self) -> bool:
        return self.run_at is not None and self.run_at > self.created_at

    def message(self) -> dict[str, Any]:
        """The queue message: only the id and run; the record holds the rest."""
        return {"jobId": self.job_id, "run": self.run}

    def schedule_name(self) -> str:
        return f"job-{self.job_id}-{self.run}"


def build(
    job_type: str,
    payload: dict[str, Any] | None = None,
    *,
    delay_seconds: int = 0,
    run_at: datetime | None = None,
    priority: Priority = "normal",
    dedup_key: str | None = None,
    max_attempts: int = 3,
    backoff: Backoff | None = None,
    job_id: str | None = None,
) -> JobSpec:
    """Describe a job; raises ``ValueError`` for a delay below zero or a payload over 32 KiB."""
    if delay_seconds < 0:
        raise ValueError("delay_seconds must not be negative")
    body = payload or {}
    if len(json.dumps(body)) > MAX_PAYLOAD_BYTES:
        raise ValueError("a job payload is at most 32 KiB")
    created = now()
    when = run_at if run_at is not None else (created + timedelta(seconds=delay_seconds) if delay_seconds else None)
    chosen = backoff or exponential()
    return JobSpec(
        job_id=job_id or new_id(),
        type=job_type,
        payload=body,
        priority=priority,
        max_attempts=max_attempts,
        backoff_base=chosen.base_seconds,
        backoff_cap=chosen.cap_seconds,
        run_at=iso(when) if when is not None and when > created else None,
        created_at=iso(created),
        dedup_key=dedup_key,
    )


def owed(spec: JobSpec) -> Owed:
    """``spec`` as an outbox message: add it to the transaction of the change that causes it."""
    return Owed("jobs", f"{spec.job_id}#{spec.run}", spec.model_dump(by_alias=True))
