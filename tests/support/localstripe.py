"""localstripe (a fake Stripe API) in a subprocess, for tests that talk to Stripe."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

from devstack.httpclient import request
from devstack.localstripe_server import start_local_stripe

LOCAL_KEY = "sk_test_localstripe"


@contextmanager
def local_stripe_server() -> Iterator[str]:
    """Start ``devstack.localstripe_server`` on a free port; yield its base URL; stop it on exit."""
    stripe = start_local_stripe(0, output=subprocess.DEVNULL)
    try:
        yield stripe.url
    finally:
        stripe.stop()


def stripe_call(base_url: str, method: str, path: str, key: str = LOCAL_KEY, **form: str) -> dict[str, Any]:
    """Call localstripe's Stripe API (form-encoded, as Stripe's API is); fail on an error status."""
    data = urlencode(form).encode() if form else None
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/x-www-form-urlencoded"}
    res = request(method, f"{base_url}{path}", data=data, headers=headers)
    assert res.status == 200, res.body
    body: dict[str, Any] = res.json()
    return body


def pay_intent(base_url: str, intent_id: str, key: str = LOCAL_KEY) -> dict[str, Any]:
    """Pay a PaymentIntent with a test card (payment method, attach to the intent, confirm), as a
    browser would with Stripe.js. localstripe then posts a signed ``payment_intent.succeeded``
    to the registered webhook about a second later. Returns the confirmed intent."""
    card = {"card[number]": "4242424242424242", "card[exp_month]": "12", "card[exp_year]": "2034", "card[cvc]": "123"}
    method = stripe_call(base_url, "POST", "/v1/payment_methods", key, type="card", **card)
    stripe_call(base_url, "POST", f"/v1/payment_intents/{intent_id}", key, payment_method=method["id"])
    return stripe_call(base_url, "POST", f"/v1/payment_intents/{intent_id}/confirm", key)
