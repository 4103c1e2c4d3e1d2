"""API Gateway WebSocket API events (Lambda proxy integration), as API Gateway sends them for
``$connect``, a message and ``$disconnect``: the one source of their shapes, for the local
WebSocket API (:mod:`devstack.ws_server`, from each connection's handshake, a :class:`Peer`), the
sample events and the tests (:func:`websocket_event`, one event for a route key with fixed or
random ids).
"""

from __future__ import annotations

import base64
import os
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from devstack.ws_api import CONNECT, DEFAULT, DISCONNECT, WebSocketApi, route_key

ACTION_SELECTION = "$request.body.action"
ROUTE_SELECTION_KEYS = ("subscribe", "unsubscribe", "typing", "ping")


def new_id() -> str:
    """An id shaped as API Gateway's connection and request ids (16 characters, ``=`` at the end)."""
    return base64.b64encode(os.urandom(11)).decode().replace("+", "-").replace("/", "_")


def new_trace_id() -> str:
    """An ``X-Amzn-Trace-Id`` as API Gateway adds to a handshake."""
    return f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"


@dataclass
class Peer:
    """What API Gateway knows of a connection (its handshake)."""

    connection_id: str
    source_ip: str
    user_agent: str | None
    connected_at_ms: int
    headers: list[tuple[str, str]]
    query: list[tuple[str, str]]
    last_active_ms: int = 0

    def __post_init__(self) -> None:
        self.last_active_ms = self.last_active_ms or self.connected_at_ms


def _request_time(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def _context(
    api: WebSocketApi,
    peer: Peer,
    domain: str,
    route: str,
    event_type: str,
    *,
    now_ms: int | None,
    request_id: str | None,
    **extra: Any,
) -> dict[str, Any]:
    now = now_ms if now_ms is not None else int(time.time() * 1000)
    identity: dict[str, Any] = {"sourceIp": peer.source_ip}
    if event_type == "CONNECT" and peer.user_agent is not None:
        identity["userAgent"] = peer.user_agent
    return {
        "routeKey": route,
        "eventType": event_type,
        "extendedRequestId": request_id or new_id(),
        "requestTime": _request_time(now),
        "messageDirection": "IN",
        "stage": api.stage,
        "connectedAt": peer.connected_at_ms,
        "requestTimeEpoch": now,
        "identity": identity,
        "requestId": request_id or new_id(),
        "domainName": domain,
        "connectionId": peer.connection_id,
        "apiId": api.api_id,
        **extra,
    }


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def connect_event(
    api: WebSocketApi,
    peer: Peer,
    domain: str,
    port: int,
    *,
    proto: str = "http",
    trace_id: str | None = None,
    now_ms: int | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """``$connect``: the handshake's headers (with the ``X-Amzn-Trace-Id`` when given and the
    ``X-Forwarded-*`` API Gateway adds) and query."""
    headers = [(k, v) for k, v in peer.headers if k.lower() not in ("x-forwarded-for", "x-forwarded-port")]
    if trace_id is not None:
        headers.append(("X-Amzn-Trace-Id", trace_id))
    headers += [("X-Forwarded-For", peer.source_ip), ("X-Forwarded-Port", str(port)), ("X-Forwarded-Proto", proto)]
    multi_headers = _multi(headers)
    event: dict[str, Any] = {
        "requestContext": _context(api, peer, domain, CONNECT, "CONNECT", now_ms=now_ms, request_id=request_id),
        "isBase64Encoded": False,
        "headers": {key: values[-1] for key, values in multi_headers.items()},
        "multiValueHeaders": multi_headers,
    }
    if peer.query:
        multi_query = _multi(peer.query)
        event["queryStringParameters"] = {key: values[-1] for key, values in multi_query.items()}
        event["multiValueQueryStringParameters"] = multi_query
    return event


def message_event(
    api: WebSocketApi,
    peer: Peer,
    domain: str,
    route: str,
    data: str | bytes,
    *,
    message_id: str | None = None,
    now_ms: int | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """A message on ``route``: a text frame's body as is, a binary frame's base64-encoded."""
    binary = isinstance(data, bytes)
    body = base64.b64encode(data).decode() if isinstance(data, bytes) else data
    context = _context(
        api, peer, domain, route, "MESSAGE", now_ms=now_ms, request_id=request_id, messageId=message_id or new_id()
    )
    return {"requestContext": context, "isBase64Encoded": binary, "body": body}


def disconnect_event(
    api: WebSocketApi,
    peer: Peer,
    domain: str,
    code: int,
    reason: str,
    *,
    now_ms: int | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    headers = [("Host", domain), ("x-api-key", ""), ("X-Forwarded-For", ""), ("x-restapi", "")]
    context = _context(
        api,
        peer,
        domain,
        DISCONNECT,
        "DISCONNECT",
        now_ms=now_ms,
        request_id=request_id,
        disconnectStatusCode=code,
        disconnectReason=reason,
    )
    return {
        "requestContext": context,
        "isBase64Encoded": False,
        "headers": dict(headers),
        "multiValueHeaders": _multi(headers),
    }


def route_of(body: str | None, routes: tuple[str, ...] = ROUTE_SELECTION_KEYS) -> str:
    """The route ``$request.body.action`` selects for a message (``$default`` when none matches)."""
    key = route_key(ACTION_SELECTION, body)
    return key if key is not None and key in routes else DEFAULT


def websocket_event(
    route: str,
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
    """The event of one WebSocket route invocation (``route`` ``$connect``, ``$disconnect`` or a
    message's route) from a client of the deployed API (HTTPS, port 443). Ids and keys are random
    unless given."""
    at = now_ms if now_ms is not None else int(time.time() * 1000)
    domain = domain_name or f"{api_id}.execute-api.us-east-1.amazonaws.com"
    api = WebSocketApi(logical_id="WebSocketApi", api_id=api_id, stage=stage, selection_expression=ACTION_SELECTION)
    handshake = [
        ("Host", domain),
        ("Sec-WebSocket-Key", websocket_key or base64.b64encode(secrets.token_bytes(16)).decode()),
        ("Sec-WebSocket-Version", "13"),
    ]
    peer = Peer(
        connection_id=connection,
        source_ip=source_ip,
        user_agent="websocket-client",
        connected_at_ms=connected_at if connected_at is not None else at,
        headers=handshake,
        query=list((query or {}).items()),
    )
    if route == CONNECT:
        return connect_event(api, peer, domain, 443, proto="https", now_ms=at, request_id=request_id)
    if route == DISCONNECT:
        reason = "Client closed the connection"
        return disconnect_event(api, peer, domain, 1000, reason, now_ms=at, request_id=request_id)
    data = body if body is not None else ""
    return message_event(api, peer, domain, route, data, message_id=message_id, now_ms=at, request_id=request_id)
