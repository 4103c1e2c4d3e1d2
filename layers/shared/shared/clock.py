"""UTC time helpers: every timestamp we store or return is UTC ISO-8601 with a ``Z``."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    return iso(now())


def epoch() -> int:
    return int(time.time())
