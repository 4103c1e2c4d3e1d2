"""Fixed-window rate limit counters kept in the table with TTL.

Access pattern: ``PK = RATE#<scope>#<sha256(key)>``, ``SK = <window start epoch>``; one
atomic ``ADD`` per attempt (no read-then-write), the item expires after its window.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.attributes import NumberAttribute

from shared.clock import epoch
from shared.data.table import Item


class RateCounter(Item, discriminator="RATE"):
    hits = NumberAttribute(default=0)


@dataclass(frozen=True)
class WindowCount:
    count: int
    retry_after_seconds: int


def _window(scope: str, key: str, window_seconds: int) -> tuple[str, str, int, int]:
    """``(PK, SK, window start, seconds left)`` of the current window."""
    now = epoch()
    start = now - now % window_seconds
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"RATE#{scope}#{digest}", str(start), start, start + window_seconds - now


def hit(scope: str, key: str, window_seconds: int) -> WindowCount:
    """Count one attempt for ``key`` in the current window and return the window's total."""
    pk, sk, start, left = _window(scope, key, window_seconds)
    counter = RateCounter(pk, sk)
    counter.update(
        actions=[
            RateCounter.hits.add(1),
            RateCounter.ttl.set(datetime.fromtimestamp(start + window_seconds + 60, UTC)),
        ]
    )
    return WindowCount(count=int(counter.hits), retry_after_seconds=left)


def peek(scope: str, key: str, window_seconds: int) -> WindowCount:
    """The current window's count without counting (for limits on failures only)."""
    pk, sk, _, left = _window(scope, key, window_seconds)
    try:
        counter = RateCounter.get(pk, sk, consistent_read=True)
    except RateCounter.DoesNotExist:
        return WindowCount(count=0, retry_after_seconds=left)
    return WindowCount(count=int(counter.hits or 0), retry_after_seconds=left)
