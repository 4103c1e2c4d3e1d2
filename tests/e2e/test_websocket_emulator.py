"""The local stack's WebSocket API emulator and worker pools, against a small WebSocket template
(``tests/support/websocket.py``) served in this process, with real worker processes, a real
WebSocket client and boto3's management API client."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from devstack.stack import build_stack
from devstack.workers import FunctionError, PooledInvoker
from devstack.ws_server import WebSocketServer, serve_websocket_api
from tests.e2e.conftest import eventually
from tests.support.websocket import STAGE, websocket_template

pytestmark = pytest.mark.e2e


@dataclass
class Emulator:
    server: WebSocketServer
    pools: PooledInvoker
    records: Path
    log: list[str]

    def connect(self, query: str = "token=let-me-in", path: str = f"/{STAGE}") -> ClientConnection:
        return connect(f"ws://{self.server.domain}{path}?{query}", proxy=None, open_timeout=20)

    def management(self) -> Any:
        return boto3.client(
            "apigatewaymanagementapi",
            endpoint_url=self.server.management_url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def record(self, connection_id: str, route: str) -> dict[str, Any]:
        path = self.records / f"{connection_id}.{route}.json"
        return eventually(lambda: json.loads(path.read_text()) if path.exists() else None, timeout=20)


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    records = tmp_path_factory.mktemp("ws-records")
    stack = build_stack(websocket_template(str(records)), port=3000, caller_env={})
    pools = PooledInvoker(stack.invoker, size=2)  # type: ignore[arg-type]
    stack.invoker = pools
    log: list[str] = []
    server = serve_websocket_api(stack, log=log.append)
    assert server is not None
    server.start()
    try:
        yield Emulator(server, pools, records, log)
    finally:
        server.stop()
        pools.close()


def _connection_id(emulator: Emulator, ws: ClientConnection) -> str:
    """The function reads its connection through the management API and posts it back."""
    ws.send(json.dumps({"action": "whoami"}))
    reply = json.loads(ws.recv(timeout=20))
    assert reply["sourceIp"] == "127.0.0.1"
    assert reply["stage"] == STAGE
    return str(reply["connectionId"])


def test_functions_get_the_local_websocket_urls(emulator: Emulator) -> None:
    environment = emulator.pools.specs["MessageFunction"].environment
    assert environment["WEBSOCKET_URL"] == f"ws://{emulator.server.domain}/{STAGE}"
    assert environment["WEBSOCKET_MANAGEMENT_ENDPOINT"] == f"http://{emulator.server.domain}/{STAGE}"
    assert environment["AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI"] == environment["WEBSOCKET_MANAGEMENT_ENDPOINT"]


@pytest.mark.parametrize(("query", "status"), [("", 401), ("token=nope", 401), ("token=forbidden", 403)])
def test_connect_refused_with_the_functions_status(emulator: Emulator, query: str, status: int) -> None:
    with pytest.raises(InvalidStatus) as refused:
        emulator.connect(query)
    assert refused.value.response.status_code == status


def test_connect_event_and_routes(emulator: Emulator) -> None:
    with emulator.connect("token=let-me-in&tag=a&tag=b") as ws:
        connection_id = _connection_id(emulator, ws)
        event = emulator.record(connection_id, "$connect")
        context = event["requestContext"]
        assert context["routeKey"] == "$connect"
        assert context["eventType"] == "CONNECT"
        assert context["connectionId"] == connection_id
        assert context["stage"] == STAGE
        assert context["domainName"] == emulator.server.domain
        assert context["identity"]["sourceIp"] == "127.0.0.1"
        for key in ("apiId", "requestId", "extendedRequestId", "requestTimeEpoch", "connectedAt", "messageDirection"):
            assert context[key]
        assert event["queryStringParameters"] == {"token": "let-me-in", "tag": "b"}
        assert event["multiValueQueryStringParameters"]["tag"] == ["a", "b"]
        assert "Sec-WebSocket-Key" in event["headers"]
        assert event["multiValueHeaders"]["X-Forwarded-For"] == ["127.0.0.1"]

        ws.send(json.dumps({"action": "echo", "text": "hi"}))  # a two-way route: the body comes back
        assert json.loads(ws.recv(timeout=20)) == {"echo": {"action": "echo", "text": "hi"}, "eventType": "MESSAGE"}
        for frame in ("not json", json.dumps({"action": "unknown"}), json.dumps({"action": "$connect"})):
            ws.send(frame)
            reply = json.loads(ws.recv(timeout=20))
            assert reply == {"route": "$default", "body": frame, "isBase64Encoded": False}
        ws.send(b"\x00\x01")
        assert json.loads(ws.recv(timeout=20)) == {"route": "$default", "body": "AAE=", "isBase64Encoded": True}
        ws.send(json.dumps({"action": "boom"}))
        failure = json.loads(ws.recv(timeout=20))
        assert failure["message"] == "Internal server error"
        assert failure["connectionId"] == connection_id
        ws.close(code=4000, reason="bye")
    event = emulator.record(connection_id, "$disconnect")
    assert event["requestContext"]["eventType"] == "DISCONNECT"
    assert event["requestContext"]["disconnectStatusCode"] == 4000
    assert event["requestContext"]["disconnectReason"] == "bye"


def test_management_api_through_boto3(emulator: Emulator) -> None:
    management = emulator.management()
    with emulator.connect() as ws:
        connection_id = _connection_id(emulator, ws)
        management.post_to_connection(ConnectionId=connection_id, Data=b'{"type":"pong"}')
        assert ws.recv(timeout=20) == '{"type":"pong"}'
        described = management.get_connection(ConnectionId=connection_id)
        assert described["Identity"]["SourceIp"] == "127.0.0.1"
        assert described["LastActiveAt"] >= described["ConnectedAt"]
        management.delete_connection(ConnectionId=connection_id)
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=20)
    event = emulator.record(connection_id, "$disconnect")
    assert event["requestContext"]["disconnectStatusCode"] == 1000
    for call in (
        lambda: management.post_to_connection(ConnectionId=connection_id, Data=b"late"),
        lambda: management.get_connection(ConnectionId=connection_id),
        lambda: management.delete_connection(ConnectionId="Tg_unknown0000=="),
    ):
        with pytest.raises(ClientError) as gone:
            call()
        assert gone.value.response["Error"]["Code"] == "GoneException"
        assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410


def test_wrong_stage_is_forbidden(emulator: Emulator) -> None:
    with pytest.raises(InvalidStatus) as refused:
        emulator.connect(path="/other")
    assert refused.value.response.status_code == 403


def test_invocations_of_one_function_run_concurrently(emulator: Emulator, tmp_path: Path) -> None:
    """Each invocation waits for the other: with one invocation at a time both would be alone."""
    results: dict[str, Any] = {}

    def invoke(me: str, other: str) -> None:
        results[me] = emulator.pools.invoke("BarrierFunction", {"dir": str(tmp_path), "me": me, "other": other})

    threads = [threading.Thread(target=invoke, args=pair) for pair in (("a", "b"), ("b", "a"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == {"a": "met", "b": "met"}


def test_a_handler_error_carries_lambdas_error_fields(emulator: Emulator) -> None:
    event = {"requestContext": {"routeKey": "boom", "connectionId": "x"}}
    with pytest.raises(FunctionError) as failed:
        emulator.pools.invoke("MessageFunction", event)
    assert failed.value.error_type == "RuntimeError"
    assert failed.value.error_message == "boom"
    assert any("raise RuntimeError" in line for line in failed.value.stack_trace)
    for _ in range(2):  # the worker stays usable
        with pytest.raises(FunctionError) as unmarshallable:
            emulator.pools.invoke("BarrierFunction", {"unmarshallable": True})
        assert unmarshallable.value.error_type == "Runtime.MarshalError"


def test_an_idle_connection_is_closed_going_away(emulator: Emulator) -> None:
    quick = WebSocketServer(emulator.server.api, emulator.pools, idle_timeout=0.5, log=emulator.log.append)
    quick.start()
    before = set(emulator.records.glob("*.$connect.json"))
    try:
        with (
            connect(f"{quick.url}?token=let-me-in", proxy=None, open_timeout=20) as ws,
            pytest.raises(ConnectionClosed) as closed,
        ):
            ws.recv(timeout=20)
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1001, "Going away")
        (record,) = set(emulator.records.glob("*.$connect.json")) - before
        event = emulator.record(record.name.split(".")[0], "$disconnect")
        assert event["requestContext"]["disconnectStatusCode"] == 1001
    finally:
        quick.stop()
