"""Every sample event in events/<function>/ runs through its function with a sensible result.

The samples carry placeholder tokens and ids (see devstack/sample_events.py), so authenticated
ones are expected to be refused with 401; public ones do what they say."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from devstack.routes import function_code_dir, function_names
from tests.support.api import PASSWORD, Account, Api, assert_problem

EVENTS = Path(__file__).resolve().parents[2] / "events"
SAMPLES = sorted(EVENTS.glob("*/*.json"))

# What a caller gets for the samples as they are, in a table with nothing but the admin.
EXPECTED: dict[str, tuple[int, str | None]] = {
    "health/get_health.json": (200, None),
    "auth/post_auth_register.json": (201, None),
    "auth/post_auth_login.json": (200, None),  # after the sample user registered
    "auth/post_auth_forgot_password.json": (202, None),
    "auth/post_auth_refresh.json": (401, "INVALID_REFRESH_TOKEN"),
    "auth/post_auth_reset_password.json": (400, "INVALID_RESET_TOKEN"),
    "auth/post_auth_verify_email.json": (400, "INVALID_VERIFICATION_TOKEN"),
    "messages/post_threads_threadId_messages_api_key.json": (401, "INVALID_API_KEY"),
}


def function_for(sample: Path) -> str:
    by_dir = {Path(function_code_dir(name)).name: name for name in function_names()}
    return by_dir[sample.parent.name]


def load(sample: Path) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(sample.read_text())
    return event


def is_http(event: dict[str, Any]) -> bool:
    return event.get("version") == "2.0" and "requestContext" in event


@pytest.mark.skipif(not SAMPLES, reason="no sample events in events/")
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sample_event_as_is(api: Api, sample: Path) -> None:
    event = load(sample)
    function = function_for(sample)
    name = f"{sample.parent.name}/{sample.name}"
    if name == "auth/post_auth_login.json":
        api.register(json.loads(event["body"])["email"], password=json.loads(event["body"])["password"])
    if function == "OutboxRelayFunction":  # the stream's INSERT: the item is in the table
        for record in event["Records"]:
            api.aws.dynamodb.put_item(TableName=os.environ["TABLE_NAME"], Item=record["dynamodb"]["NewImage"])

    result = api.invoke(function, event)

    if sample.name.startswith("schedule_"):
        # A schedule's Input: the cron function enqueued the job it names.
        assert result["type"] == event["type"]
        assert result["jobId"]
        return
    if "eventType" in (event.get("requestContext") or {}):
        # A WebSocket route: the placeholder ticket is refused; the other routes answer 200
        refused = event["requestContext"]["eventType"] == "CONNECT"
        assert result == {"statusCode": 401 if refused else 200}
        return
    if not is_http(event):
        # An SQS or stream batch: every record handled, nothing to retry.
        assert result == {"batchItemFailures": []}
        if function == "EmailWorkerFunction":
            assert len(api.outbox) == len(event["Records"])
        if function == "OutboxRelayFunction":
            relayed = api.aws.queue_messages("EmailQueue")
            assert [json.loads(m["Body"])["id"] for m in relayed] == ["welcome:sample-user"]
        return
    res = api.response(result)
    if name not in EXPECTED and (
        "authorization" not in event["headers"] or sample.parent.name not in ("auth", "users")
    ):
        # A sample with placeholder ids (or a placeholder token outside identity, where body
        # validation may answer before authentication): a clear answer, never a server error
        assert res.status < 500, res.body
        if res.body["success"]:
            assert res.body["meta"]["requestId"] == event["requestContext"]["requestId"]
        else:
            assert res.error["requestId"] == event["requestContext"]["requestId"]
        return
    status, code = EXPECTED.get(name, (401, "INVALID_TOKEN"))
    if code:
        assert_problem(res, status, code)
    else:
        assert res.status == status, res.body
        assert res.body["success"] is True
        assert res.body["meta"]["requestId"] == event["requestContext"]["requestId"]


@pytest.mark.skipif(not SAMPLES, reason="no sample events in events/")
@pytest.mark.parametrize(
    "sample",
    # Identity's samples; each system's own tests cover its samples with real ids.
    [s for s in SAMPLES if s.parent.name in ("auth", "users") and "authorization" in (load(s).get("headers") or {})],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_authenticated_sample_with_a_real_token(api: Api, admin: Account, sample: Path) -> None:
    # Given the sample with a real token (the user's for /auth, an admin's for /users) and real
    # ids in place of the placeholders
    target = api.register()
    session_id = api.call("GET", "/api/v1/auth/sessions", token=target.access_token).data["items"][0]["id"]
    real = {"userId": target.id, "sessionId": session_id}
    token = target.access_token if sample.parent.name == "auth" else admin.access_token
    text = sample.read_text()
    for name, placeholder in (load(sample).get("pathParameters") or {}).items():
        text = text.replace(placeholder, real[name])  # in rawPath, routeKey context and parameters
    event = json.loads(text)
    if sample.name == "delete_users_me.json":  # the account deletes itself, with its password
        token, event["body"] = target.access_token, json.dumps({"password": PASSWORD})
    event["headers"]["authorization"] = f"Bearer {token}"
    if sample.name == "post_auth_change_password.json":
        event["body"] = json.dumps({"currentPassword": PASSWORD, "newPassword": "N3w-passw0rd-x"})

    res = api.response(api.invoke(function_for(sample), event))

    # Then it succeeds (or refuses for a stated reason, never with a server error)
    assert res.status in (200, 201, 202), res.body
