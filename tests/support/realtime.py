"""Real-time in-process: WebSocket route events through WebSocketFunction, the table's stream
through RealtimeFanoutFunction, and what moto's management API received per connection.

moto's ``apigatewaymanagementapi`` keeps the bytes posted to a connection (concatenated, under
the id as it appears in the URL: ``=`` is ``%3D``) and never answers 410: :meth:`Realtime.gone`
makes chosen connections answer ``GoneException`` (HTTP 410) from moto itself, so botocore
parses a real error response.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest

from devstack.events import stream_record
from devstack.filters import accepts, parse_filters
from devstack.routes import function_events
from devstack.websocket_events import new_id, route_of, websocket_event
from tests.support.api import Account, Api

WEBSOCKET = "WebSocketFunction"
FANOUT = "RealtimeFanoutFunction"
TICKET = "/api/v1/realtime/ticket"
MANAGEMENT_ENDPOINT = "https://abc123.execute-api.us-east-1.amazonaws.com/dev"
WEBSOCKET_URL = "wss://abc123.execute-api.us-east-1.amazonaws.com/dev"
STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/test-table/stream/2026-11-27T00:00:00.000"


def _backend() -> Any:
    from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    return apigatewaymanagementapi_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]


def _frames(data: bytes) -> list[dict[str, Any]]:
    """Split concatenated JSON documents (moto appends every post to one buffer)."""
    decoder, text, found, at = json.JSONDecoder(), data.decode(), [], 0
    while at < len(text):
        doc, at = decoder.raw_decode(text, at)
        found.append(doc)
    return found


def fanout_filters() -> tuple[dict[str, Any], ...]:
    (event,) = (e for e in function_events(FANOUT).values() if e.get("Type") == "DynamoDB")
    return parse_filters(event["Properties"]["FilterCriteria"])


@dataclass
class Socket:
    """One WebSocket connection of a user, as the handler sees it."""

    realtime: Realtime
    id: str
    account: Account | None

    def send(self, frame: dict[str, Any] | str) -> dict[str, Any]:
        body = frame if isinstance(frame, str) else json.dumps(frame)
        return self.realtime.route(route_of(body), self.id, body=body)

    def subscribe(self, thread_id: str) -> dict[str, Any]:
        self.send({"action": "subscribe", "threadId": thread_id})
        return self.last()

    def frames(self) -> list[dict[str, Any]]:
        """Everything posted to this connection so far (then forgotten: the next call gives only what is new)."""
        connection = _backend().connections.get(quote(self.id, safe=""))
        if connection is None or not connection.data:
            return []
        found = _frames(connection.data)
        connection.data = b""
        return found

    def last(self) -> dict[str, Any]:
        found = self.frames()
        assert len(found) == 1, found
        return found[0]

    def events(self) -> list[dict[str, Any]]:
        return [f for f in self.frames() if "id" in f and "at" in f]

    @property
    def closed_by_server(self) -> bool:
        return quote(self.id, safe="") in self.realtime.closed

    def close(self) -> dict[str, Any]:
        return self.realtime.route("$disconnect", self.id)


@dataclass
class Realtime:
    api: Api
    monkeypatch: pytest.MonkeyPatch
    _position: int = 0
    _gone: set[str] = field(default_factory=set)
    closed: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.monkeypatch.setenv("WEBSOCKET_URL", WEBSOCKET_URL)
        self.monkeypatch.setenv("WEBSOCKET_MANAGEMENT_ENDPOINT", MANAGEMENT_ENDPOINT)
        from shared.messaging.clients import reset_clients
        from shared.settings import reset_settings

        reset_settings()
        reset_clients()
        backend, gone, original = _backend(), self._gone, _backend().post_to_connection

        def post_to_connection(data: bytes, connection_id: str) -> None:
            from moto.core.exceptions import JsonRESTError

            if connection_id in gone:
                error = JsonRESTError("GoneException", "")
                error.code = 410
                raise error
            original(data=data, connection_id=connection_id)

        self.monkeypatch.setattr(backend, "post_to_connection", post_to_connection)

        def delete_connection(connection_id: str) -> None:
            self.closed.add(connection_id)  # remembered; what was sent before it is kept

        self.monkeypatch.setattr(backend, "delete_connection", delete_connection)
        self._position = len(self._shard().items)

    # ---- WebSocket routes -------------------------------------------------------------------
    def route(self, route_key: str, connection: str, **kwargs: Any) -> dict[str, Any]:
        return self.api.invoke(WEBSOCKET, websocket_event(route_key, connection, api_id="abc123", **kwargs))

    def ticket(self, account: Account) -> str:
        res = self.api.call("POST", TICKET, token=account.access_token)
        assert res.status == 201, res.body
        return str(res.data["ticket"])

    def connect(self, account: Account, ticket: str | None = None) -> Socket:
        """A connection of ``account`` (asserting the handshake is admitted)."""
        socket = Socket(self, new_id(), account)
        result = self.route("$connect", socket.id, query={"ticket": ticket or self.ticket(account)})
        assert result == {"statusCode": 200}, result
        return socket

    def handshake(self, query: dict[str, str] | None) -> int:
        """The status a handshake with this query string gets."""
        result = self.route("$connect", new_id(), query=query)
        return int(result["statusCode"])

    def gone(self, *sockets: Socket) -> None:
        """These connections answer 410 from now on (closed without a ``$disconnect`` seen)."""
        self._gone.update(quote(socket.id, safe="") for socket in sockets)

    # ---- the stream --------------------------------------------------------------------------
    def _shard(self) -> Any:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends
        from shared.data.table import Item

        return dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[Item.Meta.table_name].stream_shard

    def pending_records(self) -> list[dict[str, Any]]:
        """The stream records written since the last call, as Lambda delivers them to the
        fan-out (after its FilterCriteria)."""
        items = self._shard().items
        records = [stream_record(item.to_json(), STREAM_ARN) for item in items[self._position :]]
        self._position = len(items)
        filters = fanout_filters()
        return [record for record in records if accepts(filters, record)]

    def pump(self) -> dict[str, Any]:
        """Run the fan-out on everything new on the stream (until nothing new comes: removing a
        gone connection is itself a stream record), in batches as the template sets them."""
        failures: list[dict[str, str]] = []
        while records := self.pending_records():
            for start in range(0, len(records), 50):
                result = self.api.invoke(FANOUT, {"Records": records[start : start + 50]})
                failures.extend(result["batchItemFailures"])
        return {"batchItemFailures": failures}
