"""What a write owes: a message for a queue, named by its business key (no I/O, no AWS imports,
so message builders stay cheap to import; :mod:`shared.messaging.outbox` stores them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Destination = Literal["email", "stripe-events", "jobs"]


@dataclass(frozen=True)
class Owed:
    """A message owed to ``destination``; ``key`` is its business key (one message per key)."""

    destination: Destination
    key: str
    body: dict[str, Any]
