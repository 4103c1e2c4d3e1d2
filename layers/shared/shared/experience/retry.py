"""Backoff between attempts of a write that lost a race (a revision moved, a transaction conflict)."""

from __future__ import annotations

import random
import time

MAX_STEP_SECONDS = 0.005


def backoff(attempt: int) -> None:
    """Full jitter, growing with the attempt (at most ~5 ms per attempt so far): concurrent
    writers of one thread spread out instead of colliding again at once."""
    time.sleep(random.uniform(0, MAX_STEP_SECONDS * (attempt + 1)))  # noqa: S311 - jitter, not a secret
