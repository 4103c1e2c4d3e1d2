"""Opaque tokens (refresh, password reset, email verification).

Each token names what it belongs to and carries a random secret; only the SHA-256 of the
whole token is stored, so the table never holds a usable token.

- refresh: ``<userId>.<sessionId>.<secret>``
- reset / verify: ``<userId>.<secret>``
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.ids import new_secret

_PART = re.compile(r"[A-Za-z0-9_-]{1,128}")  # used with fullmatch (``$`` would allow a trailing newline)


@dataclass(frozen=True)
class RefreshToken:
    user_id: str
    session_id: str
    raw: str


def new_refresh_token(user_id: str, session_id: str) -> str:
    return f"{user_id}.{session_id}.{new_secret()}"


def parse_refresh_token(raw: str) -> RefreshToken | None:
    parts = raw.split(".")
    if len(parts) != 3 or not all(_PART.fullmatch(part) for part in parts):
        return None
    return RefreshToken(user_id=parts[0], session_id=parts[1], raw=raw)


def new_user_token(user_id: str) -> str:
    return f"{user_id}.{new_secret()}"


def token_owner(raw: str) -> str | None:
    """The user id a reset/verify token names, or None when it is not of our shape."""
    parts = raw.split(".")
    if len(parts) != 2 or not all(_PART.fullmatch(part) for part in parts):
        return None
    return parts[0]
