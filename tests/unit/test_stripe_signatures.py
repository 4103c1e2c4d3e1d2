"""Stripe webhook signatures: Stripe's v1 scheme, its tolerance window, and the event's shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from shared.commerce.payments.signatures import expected_signature, verify_event
from shared.errors import InvalidInput

SECRET = "whsec_unit_test_secret"
NOW = 1_795_348_800
EVENT = {"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_1"}}}
PAYLOAD = json.dumps(EVENT).encode()


def header(payload: bytes = PAYLOAD, *, timestamp: int = NOW, secret: str = SECRET, extra: str = "") -> str:
    return f"t={timestamp},v1={expected_signature(payload, secret, timestamp)}{extra}"


def verify(payload: bytes = PAYLOAD, signature: str | None = None, **kwargs: Any) -> dict[str, Any]:
    return verify_event(
        payload,
        header(payload) if signature is None else signature,
        kwargs.get("secret", SECRET),
        tolerance=kwargs.get("tolerance", 300),
        now=kwargs.get("now", NOW),
    )


def code_of(payload: bytes = PAYLOAD, signature: str | None = None, **kwargs: Any) -> str:
    with pytest.raises(InvalidInput) as raised:
        verify(payload, signature, **kwargs)
    return raised.value.code


def test_a_correctly_signed_event_is_returned() -> None:
    assert verify() == EVENT


def test_a_header_signed_by_the_stripe_library_verifies() -> None:
    import stripe

    signature = stripe.WebhookSignature.generate_signature_header(PAYLOAD.decode(), SECRET, timestamp=NOW)
    assert verify(signature=signature) == EVENT
    stripe_v1 = stripe.WebhookSignature._compute_signature(f"{NOW}.{PAYLOAD.decode()}", SECRET)
    assert verify(signature=f"t={NOW},v1={stripe_v1}") == EVENT


def test_our_signature_satisfies_the_stripe_library() -> None:
    import stripe

    assert stripe.WebhookSignature.verify_header(PAYLOAD.decode(), header(timestamp=NOW), SECRET, tolerance=None)


def test_any_matching_v1_is_enough_and_v0_is_ignored() -> None:
    rolled = f"t={NOW},v1={'0' * 64},v1={expected_signature(PAYLOAD, SECRET, NOW)},v0=legacy"
    assert verify(signature=rolled) == EVENT


def test_a_v0_signature_alone_is_refused() -> None:
    assert code_of(signature=f"t={NOW},v0={expected_signature(PAYLOAD, SECRET, NOW)}") == "INVALID_SIGNATURE"


@pytest.mark.parametrize(
    "signature",
    ["", "garbage", "t=,v1=abc", "v1=abc", f"t={NOW}", f"t=abc,v1={'0' * 64}", f"t={NOW},t={NOW},v1=00", "t=-5,v1=00"],
)
def test_a_missing_or_garbled_header_is_refused(signature: str) -> None:
    assert code_of(signature=signature) == "INVALID_SIGNATURE"


def test_no_header_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        verify_event(PAYLOAD, None, SECRET, tolerance=300, now=NOW)
    assert raised.value.code == "INVALID_SIGNATURE"


def test_a_forged_or_foreign_signature_is_refused() -> None:
    assert code_of(signature=f"t={NOW},v1={'a' * 64}") == "INVALID_SIGNATURE"
    assert code_of(signature=header(secret="whsec_someone_else")) == "INVALID_SIGNATURE"


def test_a_body_changed_after_signing_is_refused() -> None:
    signature = header(PAYLOAD)
    altered = PAYLOAD.replace(b"pi_1", b"pi_2")
    assert code_of(altered, signature) == "INVALID_SIGNATURE"


def test_the_timestamp_is_part_of_the_signature() -> None:
    signature = header().replace(f"t={NOW}", f"t={NOW + 1}")
    assert code_of(signature=signature) == "INVALID_SIGNATURE"


@pytest.mark.parametrize("age", [0, 300, -300])
def test_a_timestamp_within_the_tolerance_is_accepted(age: int) -> None:
    assert verify(signature=header(timestamp=NOW - age)) == EVENT


@pytest.mark.parametrize("age", [301, -301, 86_400])
def test_a_timestamp_outside_the_tolerance_is_stale(age: int) -> None:
    assert code_of(signature=header(timestamp=NOW - age)) == "STALE_WEBHOOK"


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"",
        b"[]",
        b'"evt"',
        json.dumps({"type": "x", "data": {"object": {}}}).encode(),
        json.dumps({"id": 1, "type": "x", "data": {"object": {}}}).encode(),
        json.dumps({"id": "evt", "data": {"object": {}}}).encode(),
        json.dumps({"id": "evt", "type": "x"}).encode(),
        json.dumps({"id": "evt", "type": "x", "data": {"object": []}}).encode(),
        json.dumps({"id": "evt", "type": "x", "data": []}).encode(),
    ],
)
def test_a_signed_body_that_is_not_a_stripe_event_is_invalid(payload: bytes) -> None:
    assert code_of(payload, header(payload)) == "INVALID_EVENT"
