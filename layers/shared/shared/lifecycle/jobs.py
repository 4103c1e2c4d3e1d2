"""The ``account.erase`` job: runs every system's erasure step for a deleted account.

The deletion (``DELETE /users/me``, ``DELETE /users/{id}``) owes part 1 of this job in the
transaction that deletes the profile and puts the erasure record (:mod:`shared.lifecycle.models`).
A part runs the registered steps (:func:`shared.lifecycle.registry.steps`) that the record does
not list as done, in order, recording each one done with a conditional update and reporting
progress (steps done of all steps). It stops after :data:`TIME_BUDGET_SECONDS` (the worker's
timeout is 60 s), or when a step returns ``False`` (out of time at a page boundary), and enqueues
the next part as a new job (dedup key per account and part, so a retried part owes it once).

A step that raises fails the attempt: the job system retries it with backoff, and the retry
resumes at the first step not done (each step is idempotent: it works on what is still there).
When every step is done the record becomes ``completed``.

Admins may enqueue the type by hand with ``{"userId"}`` to resume an erasure (after a fix, or a
part that failed every attempt): only an account with an erasure record is accepted, so a live
account is never erased.
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.jobs.registry import JobContext, register
from shared.jobs.spec import JobSpec, build

ERASE = "account.erase"
TIME_BUDGET_SECONDS = 40.0
MAX_ATTEMPTS = 5


def _dedup_key(user_id: str, part: int) -> str:
    return f"account-erase:{user_id}:{part}"


def erase_job(user_id: str, part: int = 1) -> JobSpec:
    """The job a deletion owes (add ``owed(spec)`` to its transaction), or a continuation."""
    return build(
        ERASE, {"userId": user_id, "part": part}, dedup_key=_dedup_key(user_id, part), max_attempts=MAX_ATTEMPTS
    )


class ErasePayload(BaseModel):
    """What an admin may enqueue by hand: the id of an account whose deletion left a record."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    user_id: str = Field(min_length=1, max_length=64, alias="userId")
    part: int | None = Field(default=None, ge=1, le=10_000)

    @field_validator("user_id")
    @classmethod
    def _was_deleted(cls, value: str) -> str:
        from shared.lifecycle import repository

        if repository.get(value) is None:
            raise ValueError("no deleted account with this id (a live account is never erased)")
        return value


@register(ERASE, manual=True, payload=ErasePayload)
def erase_account(context: JobContext) -> dict[str, Any]:
    from shared.lifecycle import registry
    from shared.lifecycle import repository as records

    user_id = str(context.payload.get("userId", ""))
    record = records.get(user_id) if user_id else None
    if record is None:
        return {"skipped": "no erasure record: a live account is never erased"}
    part = int(context.payload.get("part") or int(record.part) + 1)
    steps = registry.steps()
    if record.status == "completed":
        return {"steps": len(steps), "total": len(steps), "touched": 0, "part": part, "alreadyCompleted": True}
    if part != int(record.part) or record.job_id != context.job_id:
        records.set_part(user_id, part, context.job_id)
    recorded = set(record.steps_done or ())
    pending = [step for step in steps if step.name not in recorded]
    done = len(steps) - len(pending)
    context.progress(done * 100 // len(steps))
    ctx = registry.ErasureContext(user_id, record.role, deadline=time.monotonic() + TIME_BUDGET_SECONDS)
    for step in pending:
        before = ctx.touched
        try:
            finished = step.run(ctx)
        except Exception:
            records.add_touched(user_id, ctx.touched - before)
            raise
        if not finished:
            records.add_touched(user_id, ctx.touched - before)
            break
        records.step_done(user_id, step.name, ctx.touched - before)
        done += 1
        context.progress(done * 100 // len(steps))
        if ctx.out_of_time():
            break
    result: dict[str, Any] = {"steps": done, "total": len(steps), "touched": ctx.touched, "part": part}
    if done == len(steps):
        records.complete(user_id)
        return result
    return {**result, "continuedBy": _continue(user_id, part + 1)}


def _continue(user_id: str, part: int) -> str:
    """Enqueue ``part`` (a retried part finds the live one by its dedup key); returns its job id."""
    from shared.jobs.enqueue import enqueue
    from shared.lifecycle import repository as records

    spec = erase_job(user_id, part)
    job_id = enqueue(ERASE, spec.payload, dedup_key=spec.dedup_key, max_attempts=MAX_ATTEMPTS)
    records.set_part(user_id, part, job_id)
    return job_id
