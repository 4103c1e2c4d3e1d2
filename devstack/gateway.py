"""One request to the local HTTP API and its reply, as API Gateway (HTTP API, payload 2.0) makes
them: the request's event for the route's function, the reply made of the function's result, the
API's envelopes, and the route an ``OPTIONS`` preflight goes to."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, unquote

from devstack.apigw import http_event
from devstack.routes import Route, http_routes

HOP_BY_HOP = {"content-length", "connection", "transfer-encoding", "keep-alive"}


@dataclass
class Request:
    method: str
    target: str  # the raw request target: path and query string
    headers: list[tuple[str, str]]
    body: bytes
    client_ip: str

    @property
    def raw_path(self) -> str:
        return self.target.split("?", 1)[0] or "/"

    @property
    def raw_query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    function: str | None = None
    dynamodb: str = ""


def envelope(data: Any, request_id: str, status: int = 200) -> Reply:
    body = {"success": True, "data": data, "meta": {"requestId": request_id}}
    return json_reply(status, body)


def problem(status: int, code: str, message: str, request_id: str, **extra: Any) -> Reply:
    """The API's error envelope (same fields as ``shared.http.errors.problem``)."""
    error = {
        "code": code,
        "message": message,
        "type": f"urn:problem-type:{code.lower().replace('_', '-')}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": message,
        "errors": {},
        "requestId": request_id,
        **extra,
    }
    return json_reply(status, {"success": False, "error": error})


def json_reply(status: int, body: Any) -> Reply:
    return Reply(status, [("Content-Type", "application/json")], json.dumps(body, default=str).encode())


def api_event(request: Request, route: Route, params: dict[str, str], *, request_id: str) -> dict[str, Any]:
    """The API Gateway HTTP API (payload 2.0) event for ``request`` on ``route``."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
        else:
            headers[key] = f"{headers[key]},{value}" if key in headers else value
    forwarded = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = f"{forwarded}, {request.client_ip}" if forwarded else request.client_ip
    headers.setdefault("x-forwarded-proto", "http")
    host = headers.get("host", "")
    if ":" in host:
        headers.setdefault("x-forwarded-port", host.rsplit(":", 1)[1])
    query: dict[str, str | list[str]] = {}
    for key, values in parse_qs(request.raw_query, keep_blank_values=True).items():
        query[key] = values if len(values) > 1 else values[0]
    event = http_event(
        request.method,
        request.raw_path,
        route_key=route.route_key,
        path_parameters={key: unquote(value) for key, value in params.items()} or None,
        query=query or None,
        headers=headers,
        cookies=cookies or None,
        body=request.body or None,
        source_ip=request.client_ip,
        request_id=request_id,
    )
    event["rawQueryString"] = request.raw_query
    return event


def reply_from_result(result: Any) -> Reply:
    """The HTTP response API Gateway makes of a function's (payload 2.0) result."""
    if not (isinstance(result, dict) and "statusCode" in result):
        # Payload 2.0: a result without statusCode is a 200 with the result as its JSON body.
        body = result if isinstance(result, str) else json.dumps(result, default=str)
        return Reply(200, [("Content-Type", "application/json")], body.encode())
    multi = {key.lower(): values for key, values in (result.get("multiValueHeaders") or {}).items()}
    headers = [
        (key, str(value))
        for key, value in (result.get("headers") or {}).items()
        if key.lower() not in multi and key.lower() not in HOP_BY_HOP
    ]
    for key, values in (result.get("multiValueHeaders") or {}).items():
        if key.lower() not in HOP_BY_HOP:
            headers.extend((key, str(value)) for value in values)
    headers.extend(("Set-Cookie", str(cookie)) for cookie in result.get("cookies") or [])
    raw = result.get("body") or ""
    payload = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
    return Reply(int(result["statusCode"]), headers, payload)


def preflight_route(path: str) -> tuple[Route, dict[str, str]] | None:
    """An ``OPTIONS`` request goes to the function serving ``path`` (CORS preflight)."""
    for route in http_routes():
        found = route.regex.match(path)
        if found:
            return Route(route.function, "OPTIONS", route.path, route.regex), dict(found.groupdict())
    return None
