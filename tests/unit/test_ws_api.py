"""The WebSocket API read from a template as API Gateway deploys it: routes, integrations, stage,
route selection, and the events its functions get (``devstack.ws_api``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from devstack.stack import Stack, build_stack
from devstack.websocket_events import Peer, connect_event, disconnect_event, message_event
from devstack.ws_api import WebSocketApi, WebSocketApiError, route_key, route_reply, websocket_api
from tests.support.websocket import STAGE, websocket_template


def _stack(template: dict[str, Any]) -> Stack:
    return build_stack(template, port=3000, caller_env={})


@pytest.fixture(scope="module")
def api() -> WebSocketApi:
    found = websocket_api(_stack(websocket_template("/tmp/unused")))
    assert found is not None
    return found


def _peer() -> Peer:
    headers = [("Host", "127.0.0.1:3001"), ("User-Agent", "test"), ("X-Forwarded-For", "10.0.0.9")]
    return Peer("abcdefghijklmno=", "127.0.0.1", "test", 1_700_000_000_000, headers, [("t", "1"), ("t", "2")])


def test_routes_integrations_and_stage_from_the_template(api: WebSocketApi) -> None:
    assert api.stage == STAGE
    assert api.selection_expression == "$request.body.action"
    assert {key: route.function for key, route in api.routes.items()} == {
        "$connect": "ConnectFunction",
        "$disconnect": "ConnectFunction",
        "echo": "MessageFunction",
        "whoami": "MessageFunction",
        "boom": "MessageFunction",
        "$default": "MessageFunction",
    }
    assert [key for key, route in api.routes.items() if route.two_way] == ["echo"]


def test_a_template_without_a_websocket_api_has_none() -> None:
    assert websocket_api(_stack({"Resources": {}})) is None


def test_a_route_to_an_unknown_integration_is_refused() -> None:
    template = websocket_template("/tmp/unused")
    template["Resources"]["EchoRoute"]["Properties"]["Target"] = "integrations/Missing"
    with pytest.raises(WebSocketApiError, match="Missing"):
        websocket_api(_stack(template))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"action": "echo"}', "echo"),
        ('{"action": "whoami", "x": 1}', "whoami"),
        ('{"action": "nope"}', "$default"),
        ('{"action": "$connect"}', "$default"),
        ('{"action": 5}', "$default"),
        ('{"type": "echo"}', "$default"),
        ('["echo"]', "$default"),
        ("not json", "$default"),
        (None, "$default"),
    ],
)
def test_route_selection(api: WebSocketApi, body: str | None, expected: str) -> None:
    assert api.select(body) == expected


def test_without_a_default_route_an_unmatched_message_has_no_route() -> None:
    api = websocket_api(_stack(websocket_template("/tmp/unused", default_route=False)))
    assert api is not None
    assert api.select('{"action": "nope"}') is None
    assert api.select('{"action": "echo"}') == "echo"


def test_route_key_follows_a_nested_path() -> None:
    assert route_key("$request.body.meta.kind", json.dumps({"meta": {"kind": "x"}})) == "x"
    assert route_key("$request.body.meta.kind", json.dumps({"meta": "x"})) is None
    assert route_key("$request.header.x", "{}") is None


def test_connect_event_shape(api: WebSocketApi) -> None:
    event = connect_event(api, _peer(), "127.0.0.1:3001", 3001)
    context = event["requestContext"]
    assert context["routeKey"] == "$connect"
    assert context["eventType"] == "CONNECT"
    assert context["connectionId"] == "abcdefghijklmno="
    assert context["connectedAt"] == 1_700_000_000_000
    assert context["identity"] == {"sourceIp": "127.0.0.1", "userAgent": "test"}
    assert context["messageDirection"] == "IN"
    assert (context["stage"], context["domainName"], context["apiId"]) == (STAGE, "127.0.0.1:3001", "ChatApi")
    assert event["queryStringParameters"] == {"t": "2"}
    assert event["multiValueQueryStringParameters"] == {"t": ["1", "2"]}
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"  # API Gateway's, not the client's
    assert event["headers"]["X-Forwarded-Port"] == "3001"
    assert event["multiValueHeaders"]["User-Agent"] == ["test"]
    assert event["isBase64Encoded"] is False


def test_message_and_disconnect_event_shapes(api: WebSocketApi) -> None:
    text = message_event(api, _peer(), "d", "echo", '{"action":"echo"}')
    assert text["body"] == '{"action":"echo"}'
    assert text["isBase64Encoded"] is False
    assert text["requestContext"]["eventType"] == "MESSAGE"
    assert text["requestContext"]["messageId"]
    assert "headers" not in text
    binary = message_event(api, _peer(), "d", "$default", b"\x00\xff")
    assert (binary["body"], binary["isBase64Encoded"]) == ("AP8=", True)
    gone = disconnect_event(api, _peer(), "d", 1001, "Going away")
    assert gone["requestContext"]["routeKey"] == "$disconnect"
    assert gone["requestContext"]["eventType"] == "DISCONNECT"
    assert (gone["requestContext"]["disconnectStatusCode"], gone["requestContext"]["disconnectReason"]) == (
        1001,
        "Going away",
    )


@pytest.mark.parametrize(
    ("result", "sent"),
    [
        ({"statusCode": 200, "body": "hi"}, "hi"),
        ({"statusCode": 200, "body": {"a": 1}}, '{"a": 1}'),
        ({"statusCode": 200, "body": "aGk=", "isBase64Encoded": True}, "hi"),
        ({"statusCode": 200}, None),
        (None, None),
        ("plain", "plain"),
    ],
)
def test_a_two_way_route_sends_the_body(result: Any, sent: str | None) -> None:
    assert route_reply(result) == sent
