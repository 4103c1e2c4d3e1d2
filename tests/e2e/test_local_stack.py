"""The local stack over HTTP: the API through the real handlers, the email queue and worker, the
outbox, the DLQ, the local endpoints, ``make seed`` and ``make invoke``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid
from typing import Any
from urllib.parse import unquote

import pytest

from devstack.apigw import http_event
from devstack.httpclient import Client
from devstack.template import ROOT
from tests.e2e.conftest import LocalStack, eventually

pytestmark = pytest.mark.e2e

PASSWORD = "Sup3r-secret-pw"


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def register(api: Client, email: str, password: str = PASSWORD, **extra: Any) -> dict[str, Any]:
    res = api("POST", "/api/v1/auth/register", {"email": email, "password": password, "name": "E2E User", **extra})
    assert res.status == 201, res.body
    data: dict[str, Any] = res.data
    return data


def emails_to(api: Client, address: str) -> list[dict[str, Any]]:
    res = api("GET", f"/_local/emails?to={address}")
    assert res.status == 200, res.body
    items: list[dict[str, Any]] = res.data["items"]
    return items


def queue_is_drained(stack: LocalStack, queue: str) -> bool:
    attributes = stack.client("sqs").get_queue_attributes(QueueUrl=stack.info["queues"][queue], AttributeNames=["All"])
    counts = attributes["Attributes"]
    return counts["ApproximateNumberOfMessages"] == counts["ApproximateNumberOfMessagesNotVisible"] == "0"


# ------------------------------------------------------------------------------------ API


def test_health_and_unknown_routes(api: Client) -> None:
    health = api("GET", "/health")
    assert health.status == 200
    assert health.json()["success"] is True
    assert health.data["status"] == "ok"
    assert health.headers["apigw-requestid"] == health.json()["meta"]["requestId"]
    missing = api("GET", "/api/v1/nope")
    assert missing.status == 404
    assert missing.json()["success"] is False
    assert missing.error["code"] == "ROUTE_NOT_FOUND"
    wrong_method = api("PUT", "/api/v1/auth/login", {})
    assert wrong_method.status == 404


def test_register_login_me_refresh_logout(api: Client) -> None:
    email = unique_email("flow")
    registered = register(api, email)
    assert registered["user"]["email"] == email
    assert registered["user"]["role"] == "customer"

    login = api("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})
    assert login.status == 200, login.body
    tokens = login.data
    me = api("GET", "/api/v1/auth/me", token=tokens["accessToken"])
    assert me.status == 200, me.body
    assert me.data["email"] == email

    refreshed = api("POST", "/api/v1/auth/refresh", {"refreshToken": tokens["refreshToken"]})
    assert refreshed.status == 200, refreshed.body
    new = refreshed.data
    assert new["refreshToken"] != tokens["refreshToken"]
    assert api("GET", "/api/v1/auth/me", token=new["accessToken"]).status == 200

    logout = api("POST", "/api/v1/auth/logout", token=new["accessToken"])
    assert logout.status == 200, logout.body
    after = api("GET", "/api/v1/auth/me", token=new["accessToken"])
    assert after.status == 401
    assert after.json()["success"] is False
    for old in (tokens["refreshToken"], new["refreshToken"]):
        reuse = api("POST", "/api/v1/auth/refresh", {"refreshToken": old})
        assert reuse.status == 401, reuse.body


def test_cookie_auth_and_cors_preflight(api: Client) -> None:
    email = unique_email("cookie")
    register(api, email)
    login = api("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})
    cookies = login.headers.get_all("Set-Cookie") or []
    access = next(c.split(";", 1)[0] for c in cookies if c.startswith("access_token="))
    me = api("GET", "/api/v1/auth/me", headers={"Cookie": f"theme=dark; {access}"})
    assert me.status == 200, me.body
    assert me.data["email"] == email

    preflight = api(
        "OPTIONS",
        "/api/v1/auth/login",
        headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] in ("*", "http://localhost:5173")
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_password_reset_mail_arrives_and_its_token_works_once(api: Client) -> None:
    email = unique_email("reset")
    register(api, email)
    res = api("POST", "/api/v1/auth/forgot-password", {"email": email})
    assert res.status == 202, res.body

    def reset_mail() -> dict[str, Any] | None:
        return next((m for m in emails_to(api, email) if "/reset-password?token=" in (m["text"] or "")), None)

    mail = eventually(reset_mail)
    assert mail["to"] == email
    assert mail["subject"]
    assert mail["html"]
    assert mail["sentAt"]
    found = re.search(r"token=([^\s\"'&<]+)", mail["text"])
    assert found
    token = unquote(found.group(1))

    new_password = "N3w-password-ok"
    first = api("POST", "/api/v1/auth/reset-password", {"token": token, "password": new_password})
    assert first.status == 200, first.body
    second = api("POST", "/api/v1/auth/reset-password", {"token": token, "password": "An0ther-password"})
    assert second.status == 400, second.body
    assert api("POST", "/api/v1/auth/login", {"email": email, "password": new_password}).status == 200
    assert api("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD}).status == 401


def test_owed_emails_are_relayed_from_the_table_stream(stack: LocalStack) -> None:
    # Given the relay reads the table's stream, filtered to outbox INSERTs, with its DLQ
    (source,) = [s for s in stack.info["eventSources"] if s["function"] == "OutboxRelayFunction"]
    assert (source["type"], source["table"]) == ("DynamoDB", "Table")
    assert "1 filter(s)" in source["settings"]
    assert "bisect" in source["settings"]
    assert "on failure -> OutboxRelayDLQ" in source["settings"]

    # When a user asks for a password reset
    email = unique_email("relay")
    register(stack.api, email)
    assert stack.api("POST", "/api/v1/auth/forgot-password", {"email": email}).status == 202

    # Then the reset email, owed in the table, arrives through the relay and the email worker
    eventually(lambda: [m for m in emails_to(stack.api, email) if "/reset-password?token=" in (m["text"] or "")])
    assert "stream Table -> OutboxRelayFunction" in stack.log()
    assert "EmailQueue -> EmailWorkerFunction" in stack.log()


# ----------------------------------------------------------------------- queue and worker


def test_a_redelivered_email_message_is_sent_once(stack: LocalStack) -> None:
    email = unique_email("dup")
    message = {
        "id": f"e2e-duplicate:{uuid.uuid4().hex}",
        "template": "welcome",
        "to": email,
        "data": {"name": "Dupe", "role": "customer", "status": "approved"},
    }
    sqs = stack.client("sqs")
    for _ in range(2):
        sqs.send_message(QueueUrl=stack.info["queues"]["EmailQueue"], MessageBody=json.dumps(message))
    eventually(lambda: emails_to(stack.api, email))
    eventually(lambda: queue_is_drained(stack, "EmailQueue"))
    time.sleep(0.5)
    sent = emails_to(stack.api, email)
    assert len(sent) == 1
    assert sent[0]["subject"].startswith("Welcome")


def test_a_failing_email_message_lands_in_the_dlq(stack: LocalStack) -> None:
    email = unique_email("dlq")
    message_id = f"e2e-poison:{uuid.uuid4().hex}"
    body = json.dumps({"id": message_id, "template": "no-such-template", "to": email, "data": {}})
    sqs = stack.client("sqs")
    sqs.send_message(QueueUrl=stack.info["queues"]["EmailQueue"], MessageBody=body)
    dlq = stack.info["queues"]["EmailDLQ"]

    def dead_lettered() -> dict[str, Any] | None:
        received = sqs.receive_message(
            QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0, MessageSystemAttributeNames=["All"]
        )
        return next((m for m in received.get("Messages", []) if message_id in m["Body"]), None)

    found = eventually(dead_lettered, timeout=20)
    assert json.loads(found["Body"])["id"] == message_id
    # received maxReceiveCount (3) times from EmailQueue before the redrive, plus our receives from the DLQ
    assert int(found["Attributes"]["ApproximateReceiveCount"]) >= 3
    assert "EmailQueue -> EmailWorkerFunction 1 record(s), 1 failed" in stack.log()
    assert emails_to(stack.api, email) == []


# ------------------------------------------------------------------------ local endpoints


def test_local_info_and_invoke(stack: LocalStack) -> None:
    info = stack.info
    assert info["tableName"] == "platform-local"
    assert {"EmailQueue", "EmailDLQ", "StripeEventsQueue", "StripeEventsDLQ", "OutboxRelayDLQ"} <= set(info["queues"])
    assert info["awsEndpointUrl"].startswith("http://127.0.0.1:")
    sources = {(s["type"], s["queue"], s["function"]) for s in info["eventSources"] if s["type"] == "SQS"}
    assert ("SQS", "EmailQueue", "EmailWorkerFunction") in sources
    assert ("SQS", "StripeEventsQueue", "StripeEventsFunction") in sources
    assert not any(route["path"].startswith(("/_local", "/docs", "/openapi")) for route in info["routes"])

    event = {
        "version": "2.0",
        "routeKey": "GET /health",
        "rawPath": "/health",
        "rawQueryString": "",
        "headers": {},
        "requestContext": {
            "http": {"method": "GET", "path": "/health"},
            "requestId": "e2e-invoke",
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }
    invoked = stack.api("POST", "/_local/invoke/HealthFunction", event)
    assert invoked.status == 200, invoked.body
    assert invoked.data["statusCode"] == 200
    assert json.loads(invoked.data["body"])["data"]["status"] == "ok"
    assert stack.api("POST", "/_local/invoke/NoSuchFunction", {}).status == 404
    unknown = stack.api("POST", "/_local/schedules/no-such-schedule")
    assert unknown.status == 404
    assert unknown.error["code"] == "SCHEDULE_NOT_FOUND"


def test_docs_and_openapi(api: Client) -> None:
    docs = api("GET", "/docs")
    assert docs.status == 200
    assert b"swagger-ui" in docs.body
    spec = api("GET", "/openapi.json")
    assert spec.status in (200, 501)
    if spec.status == 200:
        document = spec.json()
        assert "/api/v1/auth/login" in document["paths"]
        assert not any(path.startswith("/_local") for path in document["paths"])


def test_emails_can_be_cleared(api: Client) -> None:
    assert api("GET", "/_local/emails").status == 200
    cleared = api("DELETE", "/_local/emails")
    assert cleared.status == 200
    assert api("GET", "/_local/emails").data["items"] == []


# ------------------------------------------------------------------------------ make seed


def test_seed_creates_approved_sellers_and_is_idempotent(stack: LocalStack) -> None:
    env = {**stack.env, "LOCAL_API_URL": stack.api.base_url}
    for _ in range(2):
        command = [sys.executable, "-m", "devstack.seed"]
        done = subprocess.run(command, check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "sam.seller@example.com" in done.stdout
    login = stack.api("POST", "/api/v1/auth/login", {"email": "sam.seller@example.com", "password": "Demo12345!"})
    assert login.status == 200, login.body
    assert login.data["user"]["role"] == "seller"
    assert login.data["user"]["status"] == "approved"


# ---------------------------------------------------------------------------- make invoke


def test_invoke_runs_a_function_with_an_event_file(tmp_path: Any, stack: LocalStack) -> None:
    event = http_event(
        "POST",
        "/api/v1/auth/login",
        route_key="POST /api/v1/auth/login",
        body={"email": "nobody@example.com", "password": "Passw0rd1"},
    )
    path = tmp_path / "login.json"
    path.write_text(json.dumps(event))
    command = [sys.executable, "-m", "devstack.invoke", "AuthFunction", str(path)]
    done = subprocess.run(command, check=False, cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["statusCode"] == 401
    assert json.loads(result["body"])["error"]["code"] == "INVALID_CREDENTIALS"
    assert "REPORT AuthFunction" in done.stderr
