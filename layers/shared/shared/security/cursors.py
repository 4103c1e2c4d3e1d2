"""Opaque, tamper-evident pagination cursors.

A cursor is ``base64url(nonce + ciphertext) + "." + base64url(tag)``: the position (a DynamoDB
key) is encrypted with an HMAC-SHA256 keystream (counter mode, random nonce), so clients see no
key names or values, and authenticated by an HMAC over the listing's scope, nonce and ciphertext
(encrypt-then-MAC), so any edit is detected and a cursor from one listing (or one user's listing)
is refused by another. Both keys are derived from the signing key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

from shared.errors import InvalidInput
from shared.security.secrets import derived_key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_NONCE_BYTES = 12


def _mac(scope: str, payload: str) -> str:
    digest = hmac.new(derived_key("cursor-mac"), f"{scope}|{payload}".encode(), hashlib.sha256).digest()
    return _b64(digest[:18])


def _keystream_xor(nonce: bytes, data: bytes) -> bytes:
    key = derived_key("cursor-enc")
    stream = b"".join(
        hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
        for counter in range((len(data) + 31) // 32)
    )
    return bytes(a ^ b for a, b in zip(data, stream, strict=False))


def encode_cursor(position: dict[str, Any] | None, scope: str) -> str | None:
    if not position:
        return None
    nonce = secrets.token_bytes(_NONCE_BYTES)
    plain = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    payload = _b64(nonce + _keystream_xor(nonce, plain))
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
        sealed = _unb64(payload)
        position = json.loads(_keystream_xor(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid from exc
    if not isinstance(position, dict):
        raise invalid
    return position
