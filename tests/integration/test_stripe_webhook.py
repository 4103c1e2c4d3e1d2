"""The Stripe webhook (signature on the raw body, then owed through the outbox) and the
stripe_events worker."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from shared.commerce.payments.signatures import expected_signature

from devstack.apigw import sqs_event
from devstack.lambda_runtime import load_module
from devstack.routes import function_code_dir
from tests.support.api import Api, ApiResponse, assert_problem

ROUTE = "/api/v1/webhooks/stripe"
SECRET = "whsec_test_secret"
EVENT: dict[str, Any] = {
    "id": "evt_test_1",
    "object": "event",
    "type": "payment_intent.succeeded",
    "created": 1_795_348_800,
    "data": {"object": {"id": "pi_test_1", "object": "payment_intent", "amount": 2599, "currency": "usd"}},
}
# As Stripe (and localstripe) send it: pretty-printed, so any re-serialization would break the signature.
PAYLOAD = json.dumps(EVENT, indent=2, sort_keys=True).encode()


def signed(payload: bytes = PAYLOAD, *, secret: str = SECRET, age: int = 0) -> str:
    timestamp = int(time.time()) - age
    return f"t={timestamp},v1={expected_signature(payload, secret, timestamp)}"


def post(
    api: Api,
    payload: bytes = PAYLOAD,
    signature: str | None = None,
    content_type: str = "application/json; charset=utf-8",
) -> ApiResponse:
    headers = {"Content-Type": content_type, "User-Agent": "Stripe/1.0"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return api.call("POST", ROUTE, payload, headers=headers)


@pytest.fixture(autouse=True)
def _webhook_secret(configure: Callable[..., None]) -> None:
    """Not in the shared test environment: tests that switch to a deployed APP_ENV would then
    have to unset it (plain Stripe secrets are refused outside local/test mode)."""
    configure(STRIPE_WEBHOOK_SECRET=SECRET)


def queued(api: Api) -> list[str]:
    """Relay what the outbox owes, then drain the Stripe events queue."""
    assert api.relay_outbox() == {"batchItemFailures": []}
    return [message["Body"] for message in api.aws.queue_messages("StripeEventsQueue")]


# ------------------------------------------------------------------------------------ webhook


def test_a_signed_event_is_queued_as_sent_and_acknowledged(api: Api) -> None:
    res = post(api, signature=signed())

    assert res.status == 200, res.body
    assert res.data == {"received": True}
    (body,) = queued(api)
    assert json.loads(body) == EVENT


def test_with_the_queue_down_the_event_is_acknowledged_and_queued_once_it_is_back(api: Api) -> None:
    # Given the Stripe events queue is down
    url = api.aws.queue_urls["StripeEventsQueue"]
    api.aws.sqs.delete_queue(QueueUrl=url)

    # When Stripe delivers the event, and delivers it again
    first = post(api, signature=signed())
    again = post(api, signature=signed())

    # Then both are acknowledged (the event is stored), the relay cannot queue it yet
    assert first.status == again.status == 200, (first.body, again.body)
    assert len(api.relay_outbox()["batchItemFailures"]) == 1

    # And once the queue is back the event is queued once, as Stripe sent it
    api.aws.sqs.create_queue(QueueName=url.rsplit("/", 1)[1])
    assert [json.loads(body) for body in queued(api)] == [EVENT]
    assert post(api, signature=signed()).status == 200
    assert queued(api) == []


def test_a_base64_encoded_body_is_verified_on_its_bytes(api: Api) -> None:
    function, event = api.event(
        "POST",
        ROUTE,
        body=PAYLOAD,
        headers={"content-type": "application/json", "stripe-signature": signed()},
    )
    event["body"] = base64.b64encode(PAYLOAD).decode()
    event["isBase64Encoded"] = True

    res = api.response(api.invoke(function, event))

    assert res.status == 200, res.body
    assert [json.loads(body) for body in queued(api)] == [EVENT]


def test_an_unknown_event_type_is_still_acknowledged_and_queued(api: Api) -> None:
    payload = json.dumps({**EVENT, "id": "evt_other", "type": "customer.created"}).encode()

    assert post(api, payload, signed(payload)).status == 200
    assert json.loads(queued(api)[0])["type"] == "customer.created"


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("forged signature", "INVALID_SIGNATURE"),
        ("wrong secret", "INVALID_SIGNATURE"),
        ("missing header", "INVALID_SIGNATURE"),
        ("garbled header", "INVALID_SIGNATURE"),
        ("301 s old", "STALE_WEBHOOK"),
        ("in the future", "STALE_WEBHOOK"),
        ("altered body", "INVALID_SIGNATURE"),
        ("signed garbage", "INVALID_EVENT"),
        ("signed non-event", "INVALID_EVENT"),
    ],
)
def test_an_unverifiable_webhook_is_400_and_queues_nothing(api: Api, case: str, code: str) -> None:
    payload, signature = {
        "forged signature": (PAYLOAD, f"t={int(time.time())},v1={'ab' * 32}"),
        "wrong secret": (PAYLOAD, signed(secret="whsec_someone_else")),
        "missing header": (PAYLOAD, None),
        "garbled header": (PAYLOAD, "v1=,t=yesterday"),
        "301 s old": (PAYLOAD, signed(age=301)),
        "in the future": (PAYLOAD, signed(age=-301)),
        "altered body": (PAYLOAD.replace(b"2599", b"2598"), signed()),
        "signed garbage": (b"{not json", signed(b"{not json")),
        "signed non-event": (b'{"id": "evt"}', signed(b'{"id": "evt"}')),
    }[case]

    res = post(api, payload, signature)

    assert_problem(res, 400, code)
    assert queued(api) == []


def test_the_tolerance_is_a_setting(api: Api, configure: Callable[..., None]) -> None:
    configure(STRIPE_WEBHOOK_TOLERANCE_SECONDS="600")

    assert post(api, signature=signed(age=500)).status == 200
    assert post(api, signature=signed(age=700)).code == "STALE_WEBHOOK"


def test_deployed_the_secret_comes_from_secrets_manager(api: Api, configure: Callable[..., None]) -> None:
    import boto3

    boto3.client("secretsmanager", region_name="us-east-1").create_secret(
        Name="platform/dev/stripe-webhook-secret", SecretString="whsec_from_secrets_manager"
    )
    configure(
        APP_ENV="dev",
        JWT_SECRET="",
        STRIPE_WEBHOOK_SECRET="",
        STRIPE_WEBHOOK_SECRET_ID="platform/dev/stripe-webhook-secret",
    )

    assert post(api, signature=signed(secret="whsec_from_secrets_manager")).status == 200
    assert post(api, signature=signed()).code == "INVALID_SIGNATURE"


# ------------------------------------------------------------------------------------- worker


class Handled:
    """Stands in for the domain's ``handle_event``: records events, raises for chosen ids."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.failing: set[str] = set()

    def __call__(self, event: dict[str, Any]) -> None:
        if event.get("id") in self.failing:
            raise RuntimeError(f"cannot apply {event['id']} now")
        self.events.append(event)


@pytest.fixture
def handled(monkeypatch: pytest.MonkeyPatch) -> Handled:
    worker = load_module(function_code_dir("StripeEventsFunction"))
    fake = Handled()
    monkeypatch.setattr(worker.stripe_events, "handle_event", fake, raising=False)
    return fake


def run_worker(api: Api, bodies: list[str]) -> tuple[list[str], list[str]]:
    """Invoke the worker with one SQS batch; return the failed message ids and all message ids."""
    event = sqs_event(bodies, api.aws.queue_arn("StripeEventsQueue"))
    result = api.invoke("StripeEventsFunction", event)
    return [f["itemIdentifier"] for f in result["batchItemFailures"]], [r["messageId"] for r in event["Records"]]


def test_the_worker_applies_what_the_webhook_queued(api: Api, handled: Handled) -> None:
    assert post(api, signature=signed()).status == 200

    failed, _ = run_worker(api, queued(api))

    assert failed == []
    assert handled.events == [EVENT]


def test_only_the_event_that_failed_is_retried(api: Api, handled: Handled) -> None:
    handled.failing = {"evt_fails"}
    bodies = [json.dumps({**EVENT, "id": "evt_fails"}), json.dumps(EVENT)]

    failed, ids = run_worker(api, bodies)

    assert failed == [ids[0]]
    assert [event["id"] for event in handled.events] == ["evt_test_1"]


def test_a_batch_where_everything_fails_is_reported_not_raised(api: Api, handled: Handled) -> None:
    handled.failing = {"evt_a", "evt_b"}

    failed, ids = run_worker(api, [json.dumps({**EVENT, "id": "evt_a"}), json.dumps({**EVENT, "id": "evt_b"})])

    assert failed == ids


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '"evt"', ""])
def test_a_message_that_is_not_a_json_object_is_dropped(api: Api, handled: Handled, body: str) -> None:
    failed, _ = run_worker(api, [body, json.dumps(EVENT)])

    assert failed == []
    assert handled.events == [EVENT]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_the_signature_decides_whatever_the_content_type(api: Api, content_type: str) -> None:
    """A forged event sent as another media type is a 400 like any forgery (not a 415)."""
    forged = post(api, signature=signed(secret="whsec_wrong"), content_type=content_type)
    assert forged.status == 400
    assert forged.code == "INVALID_SIGNATURE"
    assert queued(api) == []
