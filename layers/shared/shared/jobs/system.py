"""Platform job types: ``system.canary``, an operator's end-to-end check of the pipeline."""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.jobs.registry import JobContext, register


class CanaryFailure(RuntimeError):
    pass


class CanaryPayload(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    fail_attempts: int = Field(default=0, ge=0, le=100, alias="failAttempts")
    sleep_ms: int = Field(default=0, ge=0, le=5_000, alias="sleepMs")


@register("system.canary", manual=True, payload=CanaryPayload)
def canary(context: JobContext) -> dict[str, Any]:
    """Fails while the attempts made so far (earlier runs included) are at most ``failAttempts``,
    then completes with ``{"attempts": n}``."""
    payload = CanaryPayload.model_validate(context.payload)
    if payload.sleep_ms:
        context.progress(50)
        time.sleep(payload.sleep_ms / 1000)
    if context.attempts_total <= payload.fail_attempts:
        raise CanaryFailure(f"canary attempt {context.attempts_total} of {payload.fail_attempts} planned failures")
    return {"attempts": context.attempts_total}
