"""Call our Lambda handlers with real API Gateway v2 / SQS events, in-process (AWS mocked by moto)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from devstack.apigw import http_event, sqs_event
from devstack.lambda_runtime import LambdaContext, load_handler
from devstack.routes import function_code_dir, match
from tests.support.aws import FakeAws

PASSWORD = "Sup3r-secret-pw"


@dataclass
class ApiResponse:
    status: int
    body: Any
    headers: dict[str, str]
    cookies: list[str] = field(default_factory=list)

    @property
    def data(self) -> Any:
        return self.body["data"]

    @property
    def error(self) -> dict[str, Any]:
        return dict(self.body["error"])


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


class Api:
    def __init__(self, aws: FakeAws) -> None:
        self.aws = aws

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

    @staticmethod
    def response(result: dict[str, Any]) -> ApiResponse:
        raw = result.get("body") or ""
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw
        headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
        return ApiResponse(result["statusCode"], parsed, headers, list(result.get("cookies") or []))

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

    # ---- email ---------------------------------------------------------------------------
    def queued_emails(self) -> list[dict[str, Any]]:
        return [json.loads(m["Body"]) for m in self.aws.queue_messages("EmailQueue")]

    def deliver_emails(self) -> dict[str, Any]:
        """Drain the email queue into the email worker, as the SQS event source would."""
        bodies = [json.dumps(message) for message in self.queued_emails()]
        if not bodies:
            return {"batchItemFailures": []}
        return self.invoke("EmailWorkerFunction", sqs_event(bodies, self.aws.queue_arn("EmailQueue")))

    def sent_emails(self) -> list[Any]:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends

        return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)
