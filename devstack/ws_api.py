"""The template's WebSocket API (``AWS::ApiGatewayV2::Api`` with ``ProtocolType: WEBSOCKET``), read
as API Gateway deploys it: its routes, their functions, route selection and what a two-way route
sends back. The events its functions get are :mod:`devstack.websocket_events`.

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
import re
from dataclasses import dataclass, field
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
