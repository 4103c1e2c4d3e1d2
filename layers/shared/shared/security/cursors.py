"""Opaque, tamper-evident pagination cursors.

A cursor is ``base64url(json(position)) + "." + base64url(hmac)``, the HMAC taken over the
listing's scope as well, so a cursor from one listing (or one user's listing) is refused by
another, and any edit is detected.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from shared.errors import InvalidInput
from shared.security.secrets import derived_key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(scope: str, payload: str) -> str:
    digest = hmac.new(derived_key("cursor"), f"{scope}|{payload}".encode(), hashlib.sha256).digest()
    return _b64(digest[:18])


def encode_cursor(position: dict[str, Any] | None, scope: str) -> str | None:
    if not position:
        return None
    payload = _b64(json.dumps(position, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_mac(scope, payload)}"


def decode_cursor(cursor: str | None, scope: str) -> dict[str, Any] | None:
    """Raises :class:`InvalidInput` (``INVALID_CURSOR``) for anything we did not issue for ``scope``."""
    if not cursor:
        return None
    invalid = InvalidInput("The cursor is invalid", code="INVALID_CURSOR", errors={"cursor": ["is invalid"]})
    payload, _, mac = cursor.partition(".")
    # Compared as bytes: compare_digest refuses non-ASCII str, and the cursor is caller input.
    if not payload or not mac or not hmac.compare_digest(mac.encode(), _mac(scope, payload).encode()):
        raise invalid
    try:
        position = json.loads(_unb64(payload))
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid from exc
    if not isinstance(position, dict):
        raise invalid
    return position
