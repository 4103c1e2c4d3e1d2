"""A frozen clock for the rate limiter."""

from __future__ import annotations


class Clock:
    """Epoch seconds, frozen at the start of a window (a multiple of 900 and 3600) until moved."""

    WINDOW_START = 1_800_000_000

    def __init__(self) -> None:
        self.now = self.WINDOW_START + 100

    def __call__(self) -> int:
        return self.now
