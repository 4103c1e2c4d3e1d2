"""The email worker: SQS batches in, SES sends out, each message id at most once."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from devstack.apigw import sqs_event
from tests.support.api import Account, Api

WELCOME = {
    "id": "welcome:01test",
    "template": "welcome",
    "to": "ann@example.com",
    "data": {"name": "Ann", "role": "customer", "status": "approved"},
}


def message(**overrides: Any) -> str:
    return json.dumps({**WELCOME, **overrides})


def invoke(api: Api, bodies: list[str], receive_count: int = 1) -> tuple[dict[str, Any], list[str]]:
    """Run the worker on one SQS event; return its response and the records' message ids."""
    event = sqs_event(bodies, api.aws.queue_arn("EmailQueue"), receive_count=receive_count)
    result = api.invoke("EmailWorkerFunction", event)
    return result, [record["messageId"] for record in event["Records"]]


def failed_ids(result: dict[str, Any]) -> list[str]:
    return [failure["itemIdentifier"] for failure in result["batchItemFailures"]]


def test_registration_emails_are_rendered_and_sent(api: Api, customer: Account) -> None:
    result = api.deliver_emails()

    assert result == {"batchItemFailures": []}
    subjects = sorted(mail.subject for mail in api.mails_to(customer.email))
    assert subjects == ["Confirm your email address", "Welcome to Platform!"]
    assert len(api.sent_emails()) == 2
    for mail in api.mails_to(customer.email):
        assert mail.text.strip()
        assert mail.html.lstrip().startswith("<!doctype html>")
        assert "Carla Customer" in mail.text


def test_a_redelivered_message_is_sent_once(api: Api) -> None:
    # Given the same message delivered twice (SQS is at-least-once)
    first, _ = invoke(api, [message()])
    second, _ = invoke(api, [message()], receive_count=2)

    # Then SES is asked once
    assert failed_ids(first) == failed_ids(second) == []
    assert len(api.sent_emails()) == 1


def test_duplicates_within_one_batch_are_sent_once(api: Api) -> None:
    result, _ = invoke(api, [message(), message(), message(id="welcome:02other", to="bob@example.com")])

    assert failed_ids(result) == []
    assert sorted(mail.to[0] for mail in api.outbox) == ["ann@example.com", "bob@example.com"]


def test_same_id_is_the_business_key(api: Api) -> None:
    # Two different envelopes of one business message (e.g. queued twice by a retried request)
    invoke(api, [message()])
    invoke(api, [message(data={**WELCOME["data"], "name": "Ann B."})])

    assert len(api.sent_emails()) == 1


def test_bad_messages_fail_alone(api: Api) -> None:
    bodies = [
        message(),
        "{not json",
        json.dumps({"template": "welcome", "to": "x@example.com"}),  # no id
        message(id="x:1", template="no_such_template"),
        message(id="x:2", template="password_reset", data={"name": "Ann"}),  # lacks resetUrl
        message(id="welcome:03", to="cy@example.com"),
    ]

    result, ids = invoke(api, bodies)

    # The four bad records are reported for retry (and, eventually, the DLQ); the good ones are sent
    assert failed_ids(result) == ids[1:5]
    assert sorted(mail.to[0] for mail in api.outbox) == ["ann@example.com", "cy@example.com"]


def test_ses_failure_is_retried_and_then_sent_once(api: Api, configure: Callable[..., None]) -> None:
    # Given a sender address SES has not verified
    configure(EMAIL_FROM="unverified@example.com")

    failed, ids = invoke(api, [message()])

    # Then the record is reported failed, and nothing is recorded as sent
    assert failed_ids(failed) == ids
    assert api.sent_emails() == []

    # When the sender is verified and SQS redelivers the message (twice, for good measure)
    api.aws.ses.verify_email_identity(EmailAddress="unverified@example.com")
    retried, _ = invoke(api, [message()], receive_count=2)
    again, _ = invoke(api, [message()], receive_count=3)

    # Then it is sent exactly once
    assert failed_ids(retried) == failed_ids(again) == []
    assert len(api.sent_emails()) == 1
    assert api.outbox[0].source == "unverified@example.com"


def test_html_is_escaped_and_text_is_not(api: Api) -> None:
    invoke(api, [message(data={**WELCOME["data"], "name": "<script>alert(1)</script> & Co"})])

    mail = api.outbox[0]
    assert "<script>" not in mail.html
    assert "&lt;script&gt;" in mail.html
    assert "<script>alert(1)</script> & Co" in mail.text
