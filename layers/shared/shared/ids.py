"""Opaque identifiers: random, URL-safe, sortable by creation time."""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def new_id() -> str:
    """A 26-character id: 10 chars of millisecond time, then 80 random bits (ULID-like, lowercase)."""
    millis = int(time.time() * 1000)
    head = ""
    for _ in range(10):
        millis, rem = divmod(millis, 32)
        head = _ALPHABET[rem] + head
    tail = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return head + tail


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
