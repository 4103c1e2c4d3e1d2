"""Verify a Stripe webhook (``Stripe-Signature``) without the stripe package (cold start).

Stripe's scheme: the header is ``t=<unix seconds>,v1=<hex>[,v1=<hex>...][,v0=...]``; each ``v1`` is
HMAC-SHA256 of ``b"<t>." + raw body`` keyed with the endpoint's ``whsec_...`` secret. Several ``v1``
appear while a secret is being rolled; any one matching is enough. ``v0`` (test-mode legacy) is
ignored. The timestamp must be within ``tolerance`` seconds of now, either way, so a captured
request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from shared.errors import InvalidInput

_MAX_HEADER = 4096


def _bad_signature(message: str) -> InvalidInput:
    return InvalidInput(message, code="INVALID_SIGNATURE")


def _parse_header(header: str | None) -> tuple[int, list[str]]:
    if not header or len(header) > _MAX_HEADER:
        raise _bad_signature("The Stripe-Signature header is missing")
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise _bad_signature("The Stripe-Signature header is malformed")
        if key == "t":
            timestamps.append(value)
        elif key == "v1":
            signatures.append(value)
    if len(timestamps) != 1 or not timestamps[0].isdigit() or not signatures:
        raise _bad_signature("The Stripe-Signature header is malformed")
    return int(timestamps[0]), signatures


def expected_signature(payload: bytes, secret: str, timestamp: int) -> str:
    """The ``v1`` signature Stripe sends for ``payload`` at ``timestamp``."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()


def _parse_event(payload: bytes) -> dict[str, Any]:
    try:
        event = json.loads(payload)
    except ValueError as exc:
        raise InvalidInput("The webhook body is not valid JSON", code="INVALID_EVENT") from exc
    data = event.get("data") if isinstance(event, dict) else None
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and isinstance(data, dict)
        and isinstance(data.get("object"), dict)
    ):
        raise InvalidInput("The webhook body is not a Stripe event", code="INVALID_EVENT")
    return event


def verify_event(
    payload: bytes, signature_header: str | None, secret: str, *, tolerance: int, now: int
) -> dict[str, Any]:
    """The event in ``payload`` if ``signature_header`` proves Stripe sent it within ``tolerance``
    seconds of ``now``; otherwise :class:`InvalidInput` (``INVALID_SIGNATURE``, ``STALE_WEBHOOK``
    or ``INVALID_EVENT``). The signature is checked before the body is parsed."""
    timestamp, signatures = _parse_header(signature_header)
    expected = expected_signature(payload, secret, timestamp)
    matched = False
    for candidate in signatures:
        matched |= hmac.compare_digest(expected.encode(), candidate.encode())
    if not matched:
        raise _bad_signature("The Stripe-Signature does not match the body")
    if abs(now - timestamp) > tolerance:
        raise InvalidInput("The webhook timestamp is outside the tolerance", code="STALE_WEBHOOK")
    return _parse_event(payload)
