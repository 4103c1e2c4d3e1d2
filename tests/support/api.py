"""Call our Lambda handlers with real API Gateway v2 / SQS events, in-process (AWS mocked by moto)."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from devstack.apigw import http_event, sqs_event
from devstack.lambda_runtime import LambdaContext, load_handler
from devstack.routes import function_code_dir, match
from tests.support.aws import FakeAws
from tests.support.outbox import RELAY, insert_record, owed_items, stream_event

PASSWORD = "Sup3r-secret-pw"

# Nothing that can be used to log in or prove ownership of a token may ever leave the API.
SECRET_FIELDS = {"passwordHash", "password_hash", "verifyHash", "verify_hash", "resetHash", "reset_hash", "refreshHash"}


def assert_no_secrets(value: Any, path: str = "") -> None:
    """No stored secret (a field of that name, or an argon2 hash) anywhere in a response body.
    The keys of ``error.errors`` are exempt: they echo the field names the caller sent."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert key not in SECRET_FIELDS, f"response leaks {path}.{key}"
            if path != ".error" or key != "errors":
                assert_no_secrets(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            assert_no_secrets(item, path)
    elif isinstance(value, str):
        assert "$argon2" not in value, f"response leaks a password hash at {path}"


@dataclass
class ApiResponse:
    status: int
    body: Any
    headers: dict[str, str]
    cookies: list[str] = field(default_factory=list)

    @property
    def data(self) -> Any:
        assert self.body.get("success") is True, self.body
        return self.body["data"]

    @property
    def error(self) -> dict[str, Any]:
        assert self.body.get("success") is False, self.body
        return dict(self.body["error"])

    @property
    def code(self) -> str:
        return str(self.error["code"])

    def cookie(self, name: str) -> str | None:
        """The ``Set-Cookie`` string for ``name``, if the response sets it."""
        return next((c for c in self.cookies if c.split("=", 1)[0] == name), None)


@dataclass
class Account:
    user: dict[str, Any]
    access_token: str
    refresh_token: str
    password: str

    @property
    def id(self) -> str:
        return str(self.user["id"])

    @property
    def email(self) -> str:
        return str(self.user["email"])


@dataclass(frozen=True)
class SentEmail:
    """One SendEmail call that SES accepted, as the worker made it."""

    source: str
    to: list[str]
    subject: str
    text: str
    html: str


_TOKEN_IN_LINK = re.compile(r"[?&]token=([^\s&\"'<>]+)")


def link_token(text: str) -> str:
    """The ``token=`` query value of the (first) link in an email body."""
    found = _TOKEN_IN_LINK.search(text)
    assert found, f"no token= link in {text!r}"
    return unquote(found.group(1))


class Api:
    def __init__(self, aws: FakeAws) -> None:
        self.aws = aws
        self.outbox: list[SentEmail] = []
        self._record_ses_sends()

    # ---- HTTP ----------------------------------------------------------------------------
    def event(self, method: str, path: str, **kwargs: Any) -> tuple[str, dict[str, Any]]:
        found = match(method, path)
        assert found, f"no route for {method} {path}"
        route, params = found
        return route.function, http_event(
            method, path, route_key=route.route_key, path_parameters=params or None, **kwargs
        )

    def invoke(self, function: str, event: dict[str, Any]) -> dict[str, Any]:
        handler = load_handler(function_code_dir(function))
        result: dict[str, Any] = handler(event, LambdaContext(function_name=function))
        return result

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
        cookies: list[str] | None = None,
        ip: str = "198.51.100.7",
    ) -> ApiResponse:
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        function, event = self.event(method, path, body=body, headers=hdrs, query=query, cookies=cookies, source_ip=ip)
        return self.response(self.invoke(function, event))

    def call_function(self, function: str, method: str, path: str, **kwargs: Any) -> ApiResponse:
        """Invoke ``function`` with an event API Gateway would not route to it by itself
        (a CORS preflight, a path with no route), to see what the function does with it."""
        return self.response(self.invoke(function, http_event(method, path, **kwargs)))

    @staticmethod
    def response(result: dict[str, Any]) -> ApiResponse:
        raw = result.get("body") or ""
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw
        assert_no_secrets(parsed)
        headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
        return ApiResponse(result["statusCode"], parsed, headers, list(result.get("cookies") or []))

    # ---- accounts ------------------------------------------------------------------------
    def register(
        self,
        email: str | None = None,
        *,
        password: str = PASSWORD,
        name: str = "Test User",
        role: str | None = None,
        ip: str | None = None,
    ) -> Account:
        body: dict[str, Any] = {
            "email": email or f"user-{uuid.uuid4().hex[:10]}@example.com",
            "password": password,
            "name": name,
        }
        if role:
            body["role"] = role
        res = self.call("POST", "/api/v1/auth/register", body, ip=ip or f"10.{uuid.uuid4().int % 250}.0.1")
        assert res.status == 201, res.body
        data = res.data
        return Account(data["user"], data["accessToken"], data["refreshToken"], password)

    def login(self, email: str, password: str = PASSWORD, *, ip: str = "198.51.100.7") -> ApiResponse:
        return self.call("POST", "/api/v1/auth/login", {"email": email, "password": password}, ip=ip)

    def login_account(self, email: str, password: str = PASSWORD) -> Account:
        """Sign in once more (a second session of the same user)."""
        res = self.login(email, password)
        assert res.status == 200, res.body
        data = res.data
        return Account(data["user"], data["accessToken"], data["refreshToken"], password)

    def me(self, token: str) -> ApiResponse:
        return self.call("GET", "/api/v1/auth/me", token=token)

    # ---- outbox and email ------------------------------------------------------------------
    def relay_outbox(self) -> dict[str, Any]:
        """Run the outbox relay on the INSERT records of every owed outbox item (in batches of
        25, as the stream would deliver them); returns the batch item failures."""
        records = [insert_record(item) for item in owed_items()]
        failures: list[dict[str, str]] = []
        for start in range(0, len(records), 25):
            result = self.invoke(RELAY, stream_event(records[start : start + 25]))
            failures.extend(result["batchItemFailures"])
        return {"batchItemFailures": failures}

    def queued_emails(self) -> list[dict[str, Any]]:
        """Relay what the outbox owes, then receive (and delete) every message waiting in the
        email queue."""
        assert self.relay_outbox() == {"batchItemFailures": []}
        messages: list[dict[str, Any]] = []
        while batch := self.aws.queue_messages("EmailQueue"):
            messages.extend(json.loads(m["Body"]) for m in batch)
        return messages

    def deliver_emails(self) -> dict[str, Any]:
        """Drain the email queue into the email worker, as the SQS event source would."""
        bodies = [json.dumps(message) for message in self.queued_emails()]
        return self.deliver(bodies)

    def deliver(self, bodies: list[str]) -> dict[str, Any]:
        """Invoke the email worker with one SQS event holding ``bodies`` (in batches of 10)."""
        failures: list[dict[str, str]] = []
        for start in range(0, len(bodies), 10):
            event = sqs_event(bodies[start : start + 10], self.aws.queue_arn("EmailQueue"))
            failures.extend(self.invoke("EmailWorkerFunction", event)["batchItemFailures"])
        return {"batchItemFailures": failures}

    def sent_emails(self) -> list[Any]:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends

        return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)

    def mails_to(self, address: str, subject: str | None = None) -> list[SentEmail]:
        return [m for m in self.outbox if address in m.to and (subject is None or m.subject == subject)]

    def _record_ses_sends(self) -> None:
        """Record each SendEmail the worker's SES client makes and SES accepts (moto keeps only
        the HTML part, and we want to read the text part too)."""
        from shared.messaging.clients import client

        events = client("ses").meta.events

        def remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            context["sent_email"] = params

        def accepted(http_response: Any, context: dict[str, Any], **_: Any) -> None:
            params = context.get("sent_email")
            if params is None or http_response.status_code != 200:
                return
            body = params["Message"]["Body"]
            self.outbox.append(
                SentEmail(
                    source=params["Source"],
                    to=list(params["Destination"]["ToAddresses"]),
                    subject=params["Message"]["Subject"]["Data"],
                    text=body.get("Text", {}).get("Data", ""),
                    html=body.get("Html", {}).get("Data", ""),
                )
            )

        events.register("provide-client-params.ses.SendEmail", remember)
        events.register("after-call.ses.SendEmail", accepted)


def assert_problem(res: ApiResponse, status: int, code: str) -> dict[str, Any]:
    """``res`` is the error envelope of DESIGN.md (seeds' code/message plus RFC 7807 fields)
    with ``status`` and ``code``; returns the error object."""
    assert res.status == status, res.body
    assert res.body["success"] is False, res.body
    error = res.error
    assert error["code"] == code, error
    assert error["status"] == status
    assert error["message"]
    assert error["detail"]
    assert error["title"]
    assert error["type"].startswith("urn:problem-type:")
    assert isinstance(error["errors"], dict)
    assert error["requestId"]
    assert res.headers["content-type"].startswith("application/json")
    assert "Traceback" not in json.dumps(res.body)
    return error
