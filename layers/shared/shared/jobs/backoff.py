"""Retry delays: BullMQ's exponential backoff, ``base * 2 ** (attempt - 1)``, capped.

SQS can hold a received message back for at most 12 hours (its visibility timeout limit), which
is the cap of every delay computed here.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_VISIBILITY_SECONDS = 12 * 3600


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff: attempt 1 runs at once; after failed attempt ``n`` the job waits
    ``base_seconds * 2 ** (n - 1)`` seconds (2 s, 4 s, 8 s ... for base 2), at most
    ``cap_seconds``."""

    base_seconds: int = 2
    cap_seconds: int = MAX_VISIBILITY_SECONDS

    def __post_init__(self) -> None:
        if self.base_seconds < 0 or self.cap_seconds < 0:
            raise ValueError("backoff seconds must not be negative")

    def delay(self, failed_attempt: int) -> int:
        """Seconds to wait after failed attempt ``failed_attempt`` (1-based) before the next."""
        if failed_attempt < 1:
            raise ValueError("attempts are numbered from 1")
        cap = min(self.cap_seconds, MAX_VISIBILITY_SECONDS)
        # Past 2**31 the product only exceeds the cap; stop the exponent growing without bound.
        exponent = min(failed_attempt - 1, 31)
        return min(cap, self.base_seconds * (1 << exponent))


def exponential(base_seconds: int = 2, cap_seconds: int = MAX_VISIBILITY_SECONDS) -> Backoff:
    return Backoff(base_seconds=base_seconds, cap_seconds=cap_seconds)
