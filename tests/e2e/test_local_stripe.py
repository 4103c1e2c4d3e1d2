"""``make run``'s local Stripe: localstripe started with the stack, our webhook registered with it,
and a payment confirmed there delivered, signed, to ``POST /api/v1/webhooks/stripe``."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import LocalStack, eventually
from tests.support.localstripe import pay_intent, stripe_call

pytestmark = pytest.mark.e2e


def test_the_local_stripe_is_listed_and_answers(stack: LocalStack) -> None:
    url = stack.info["stripeUrl"]

    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
    assert stripe_call(url, "GET", "/v1/payment_intents")["object"] == "list"


def test_a_payment_confirmed_on_the_local_stripe_reaches_our_webhook_signed(stack: LocalStack) -> None:
    url = stack.info["stripeUrl"]
    # The stack is shared: other tests (the fuzzer, forged webhooks) leave their own 400s in its log.
    start = len(stack.log())
    intent = stripe_call(
        url, "POST", "/v1/payment_intents", amount="2599", currency="usd", **{"payment_method_types[]": "card"}
    )

    paid = pay_intent(url, intent["id"])

    assert paid["status"] == "succeeded"
    # localstripe logs each delivery with our route's answer; a bad signature would be a 400 here.
    delivered = 'webhook "payment_intent.succeeded" successfully delivered'
    eventually(lambda: delivered in stack.log()[start:], timeout=20)
    log = stack.log()[start:]
    assert re.search(r"POST /api/v1/webhooks/stripe 200 \d+ms StripeWebhookFunction", log)
    assert "POST /api/v1/webhooks/stripe 400" not in log
    assert "failed with response code" not in log
