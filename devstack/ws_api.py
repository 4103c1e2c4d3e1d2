"""The template's WebSocket API (``AWS::ApiGatewayV2::Api`` with ``ProtocolType: WEBSOCKET``), read
as API Gateway deploys it, and the events API Gateway sends its Lambda integrations.

Read from the template: the API's ``RouteSelectionExpression`` (``$request.body.<path>``), each
``AWS::ApiGatewayV2::Route`` (``RouteKey``, ``Target: integrations/<Integration>``), each
``AWS::ApiGatewayV2::Integration`` (``IntegrationUri`` naming a function of the template, e.g.
``!Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations``),
the ``AWS::ApiGatewayV2::Stage`` (``StageName``) and each ``AWS::ApiGatewayV2::RouteResponse``
(a route with one sends the integration's ``body`` back to the client, as a two-way route does).
Served by :mod:`devstack.ws_server`.
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from devstack.stack import Stack
from devstack.template import resources_of_type

CONNECT, DISCONNECT, DEFAULT = "$connect", "$disconnect", "$default"
_FUNCTION_IN_URI = re.compile(r":function:([A-Za-z0-9_-]+)")


class WebSocketApiError(ValueError):
    """The template's WebSocket API cannot be served (a route without a function of the template)."""


@dataclass(frozen=True)
class WsRoute:
    key: str
    function: str
    two_way: bool = False  # a RouteResponse: the integration's body goes back to the client


@dataclass(frozen=True)
class WebSocketApi:
    logical_id: str
    api_id: str
    stage: str
    selection_expression: str
    routes: dict[str, WsRoute] = field(default_factory=dict)

    def select(self, body: str | None) -> str | None:
        """The route key for a message (``None``: no route, API Gateway answers ``Forbidden``)."""
        key = route_key(self.selection_expression, body)
        if key is not None and key in self.routes and key not in (CONNECT, DISCONNECT):
            return key
        return DEFAULT if DEFAULT in self.routes else None


def route_key(expression: str, body: str | None) -> str | None:
    """Evaluate ``$request.body.<path>`` on a JSON text body; ``None`` when it does not apply."""
    found = re.fullmatch(r"\$request\.body\.([A-Za-z0-9_.$-]+)", expression.strip())
    if found is None or body is None:
        return None
    try:
        value: Any = json.loads(body)
    except ValueError:
        return None
    for part in found.group(1).split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return None
    return str(value)


def websocket_api(stack: Stack) -> WebSocketApi | None:
    """The template's first WebSocket API, or ``None`` when it has none."""
    template = stack.template
    apis = {
        name: resource
        for name, resource in resources_of_type("AWS::ApiGatewayV2::Api", template).items()
        if (resource.get("Properties") or {}).get("ProtocolType") == "WEBSOCKET"
    }
    if not apis:
        return None
    logical_id = next(iter(apis))
    props = apis[logical_id].get("Properties") or {}

    def belongs(resource: dict[str, Any]) -> bool:
        api = (resource.get("Properties") or {}).get("ApiId")
        return isinstance(api, dict) and api.get("Ref") == logical_id

    stages = [r for r in resources_of_type("AWS::ApiGatewayV2::Stage", template).values() if belongs(r)]
    stage = str(stack.intrinsics.resolve((stages[0].get("Properties") or {}).get("StageName"))) if stages else "local"
    two_way = {
        str(stack.intrinsics.resolve((r.get("Properties") or {}).get("RouteId")))
        for r in resources_of_type("AWS::ApiGatewayV2::RouteResponse", template).values()
        if belongs(r)
    }
    integrations = resources_of_type("AWS::ApiGatewayV2::Integration", template)
    routes: dict[str, WsRoute] = {}
    for name, resource in resources_of_type("AWS::ApiGatewayV2::Route", template).items():
        if not belongs(resource):
            continue
        route_props = stack.intrinsics.resolve(resource.get("Properties") or {})
        key = str(route_props["RouteKey"])
        target = str(route_props.get("Target") or "")
        integration = integrations.get(target.removeprefix("integrations/"))
        if integration is None:
            raise WebSocketApiError(f"route {key!r} ({name}): target {target!r} is not an integration of the template")
        uri = str(stack.intrinsics.resolve((integration.get("Properties") or {}).get("IntegrationUri")))
        found = _FUNCTION_IN_URI.search(uri)
        if found is None or found.group(1) not in stack.functions:
            raise WebSocketApiError(f"route {key!r}: integration {uri!r} is not a function of the template")
        routes[key] = WsRoute(key, found.group(1), name in two_way)
    return WebSocketApi(
        logical_id=logical_id,
        api_id=str(stack.intrinsics.resolve({"Ref": logical_id})),
        stage=stage,
        selection_expression=str(props.get("RouteSelectionExpression") or "$request.body.action"),
        routes=routes,
    )


# ---------------------------------------------------------------------------------------- events


def new_id() -> str:
    """An id shaped as API Gateway's connection and request ids (16 characters, ``=`` at the end)."""
    return base64.b64encode(os.urandom(11)).decode().replace("+", "-").replace("/", "_")


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


def _context(api: WebSocketApi, peer: Peer, domain: str, route: str, event_type: str, **extra: Any) -> dict[str, Any]:
    now = int(time.time() * 1000)
    identity: dict[str, Any] = {"sourceIp": peer.source_ip}
    if event_type == "CONNECT" and peer.user_agent is not None:
        identity["userAgent"] = peer.user_agent
    return {
        "routeKey": route,
        "eventType": event_type,
        **extra,
        "extendedRequestId": new_id(),
        "requestTime": _request_time(now),
        "messageDirection": "IN",
        "stage": api.stage,
        "connectedAt": peer.connected_at_ms,
        "requestTimeEpoch": now,
        "identity": identity,
        "requestId": new_id(),
        "domainName": domain,
        "connectionId": peer.connection_id,
        "apiId": api.api_id,
    }


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def connect_event(api: WebSocketApi, peer: Peer, domain: str, port: int) -> dict[str, Any]:
    """``$connect``: the handshake's headers (with the ``X-Forwarded-*`` API Gateway adds) and query."""
    headers = [(k, v) for k, v in peer.headers if k.lower() not in ("x-forwarded-for", "x-forwarded-port")]
    headers += [
        ("X-Amzn-Trace-Id", f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"),
        ("X-Forwarded-For", peer.source_ip),
        ("X-Forwarded-Port", str(port)),
        ("X-Forwarded-Proto", "http"),
    ]
    multi_headers = _multi(headers)
    event: dict[str, Any] = {
        "headers": {key: values[-1] for key, values in multi_headers.items()},
        "multiValueHeaders": multi_headers,
    }
    if peer.query:
        multi_query = _multi(peer.query)
        event["queryStringParameters"] = {key: values[-1] for key, values in multi_query.items()}
        event["multiValueQueryStringParameters"] = multi_query
    event["requestContext"] = _context(api, peer, domain, CONNECT, "CONNECT")
    event["isBase64Encoded"] = False
    return event


def message_event(api: WebSocketApi, peer: Peer, domain: str, route: str, data: str | bytes) -> dict[str, Any]:
    """A message on ``route``: a text frame's body as is, a binary frame's base64-encoded."""
    binary = isinstance(data, bytes)
    body = base64.b64encode(data).decode() if isinstance(data, bytes) else data
    context = _context(api, peer, domain, route, "MESSAGE", messageId=new_id())
    return {"requestContext": context, "body": body, "isBase64Encoded": binary}


def disconnect_event(api: WebSocketApi, peer: Peer, domain: str, code: int, reason: str) -> dict[str, Any]:
    headers = [("Host", domain), ("x-api-key", ""), ("X-Forwarded-For", ""), ("x-restapi", "")]
    context = _context(api, peer, domain, DISCONNECT, "DISCONNECT", disconnectStatusCode=code, disconnectReason=reason)
    return {
        "headers": dict(headers),
        "multiValueHeaders": _multi(headers),
        "requestContext": context,
        "isBase64Encoded": False,
    }


def route_reply(result: Any) -> str | None:
    """What a two-way route sends back: a proxy result's ``body`` (``None``: nothing)."""
    if isinstance(result, dict):
        body = result.get("body")
        if body is None:
            return None
        if result.get("isBase64Encoded"):
            return base64.b64decode(str(body)).decode("utf-8", errors="replace")
        return body if isinstance(body, str) else json.dumps(body)
    if result is None:
        return None
    return result if isinstance(result, str) else json.dumps(result)
