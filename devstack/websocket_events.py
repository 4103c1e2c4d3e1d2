"""API Gateway WebSocket API events (Lambda proxy integration), as API Gateway sends them for
``$connect``, a message routed by ``$request.body.action`` and ``$disconnect``."""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Any

ROUTE_SELECTION_KEYS = ("subscribe", "unsubscribe", "typing", "ping")


def connection_id() -> str:
    """An id shaped like API Gateway's (15 characters ending in ``=``)."""
    return base64.b64encode(secrets.token_bytes(11)).decode()[:14] + "="


def route_of(body: str | None, routes: tuple[str, ...] = ROUTE_SELECTION_KEYS) -> str:
    """The route ``$request.body.action`` selects for a message (``$default`` when none matches)."""
    try:
        action = json.loads(body or "").get("action")
    except (ValueError, AttributeError):
        return "$default"
    return action if isinstance(action, str) and action in routes else "$default"


def websocket_event(
    route_key: str,
    connection: str,
    *,
    body: str | None = None,
    query: dict[str, str] | None = None,
    api_id: str = "local",
    stage: str = "dev",
    domain_name: str | None = None,
    source_ip: str = "127.0.0.1",
    connected_at: int | None = None,
    now_ms: int | None = None,
    request_id: str | None = None,
    message_id: str | None = None,
    websocket_key: str | None = None,
) -> dict[str, Any]:
    """The event of one WebSocket route invocation (``route_key`` ``$connect``, ``$disconnect``
    or a message's route). Ids and keys are random unless given."""
    at = now_ms if now_ms is not None else int(time.time() * 1000)
    domain = domain_name or f"{api_id}.execute-api.us-east-1.amazonaws.com"
    event_type = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route_key, "MESSAGE")
    context: dict[str, Any] = {
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id or uuid.uuid4().hex[:16],
        "requestTime": datetime.fromtimestamp(at / 1000, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "messageDirection": "IN",
        "stage": stage,
        "connectedAt": connected_at if connected_at is not None else at,
        "requestTimeEpoch": at,
        "identity": {"sourceIp": source_ip, "userAgent": "websocket-client"}
        if event_type == "CONNECT"
        else {"sourceIp": source_ip},
        "requestId": request_id or uuid.uuid4().hex[:16],
        "domainName": domain,
        "connectionId": connection,
        "apiId": api_id,
    }
    event: dict[str, Any] = {"requestContext": context, "isBase64Encoded": False}
    if event_type == "CONNECT":
        headers = {
            "Host": domain,
            "Sec-WebSocket-Key": websocket_key or base64.b64encode(secrets.token_bytes(16)).decode(),
            "Sec-WebSocket-Version": "13",
            "X-Forwarded-For": source_ip,
            "X-Forwarded-Port": "443",
            "X-Forwarded-Proto": "https",
        }
        event["headers"] = headers
        event["multiValueHeaders"] = {key: [value] for key, value in headers.items()}
        if query:
            event["queryStringParameters"] = dict(query)
            event["multiValueQueryStringParameters"] = {key: [value] for key, value in query.items()}
    elif event_type == "DISCONNECT":
        headers = {"Host": domain, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
        event["headers"] = headers
        event["multiValueHeaders"] = {key: [value] for key, value in headers.items()}
        context["disconnectStatusCode"] = 1000
        context["disconnectReason"] = "Client closed the connection"
    else:
        context["messageId"] = message_id or connection_id()
        event["body"] = body if body is not None else ""
    return event
