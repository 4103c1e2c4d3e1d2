"""The template's WebSocket API served locally, with its management API, on one port.

* ``ws://127.0.0.1:<port>/<stage>`` (``/`` works too): the handshake runs the ``$connect`` route (a
  non-2xx ``statusCode`` refuses it with that status, a function error with 500; headers the
  function returns, e.g. ``Sec-WebSocket-Protocol``, go into the handshake response); each message
  goes to the route its ``RouteSelectionExpression`` selects, else ``$default``, else the client
  gets API Gateway's ``{"message": "Forbidden", ...}`` frame (``"Internal server error"`` when the
  function raised); a route with a ``RouteResponse`` sends the function's ``body`` back. Closing
  (by either side, the idle timeout or the maximum age) runs ``$disconnect`` with
  ``disconnectStatusCode``/``disconnectReason``. Messages of one connection are handled
  concurrently, as API Gateway does.
* ``POST|GET|DELETE /<stage>/@connections/{connectionId}`` (``/@connections/...`` works too): the
  management API, shaped for boto3's ``apigatewaymanagementapi`` client with
  ``endpoint_url="http://127.0.0.1:<port>/<stage>"``; an unknown or closed connection is a 410
  ``GoneException``. Requests are not authenticated.

Limits as API Gateway's: 128 KiB per message, 10 minutes idle, 2 hours per connection
(``LOCAL_WS_IDLE_TIMEOUT``/``LOCAL_WS_MAX_AGE`` in seconds change the last two).

The connections and the management API are :mod:`devstack.ws_connections`; the events the
functions get, :mod:`devstack.websocket_events`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from typing import Any, Protocol
from urllib.parse import parse_qsl

from websockets.datastructures import Headers
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State
from websockets.server import ServerProtocol

from devstack.stack import Stack
from devstack.websocket_events import Peer, connect_event, disconnect_event, message_event, new_id, new_trace_id
from devstack.ws_api import CONNECT, DISCONNECT, WebSocketApi, route_reply, websocket_api
from devstack.ws_connections import MAX_MESSAGE_BYTES, Connection, manage, now_ms

IDLE_TIMEOUT_SECONDS = 600.0
MAX_AGE_SECONDS = 7200.0
CLOSE_WAIT_SECONDS = 5.0  # for the client's close frame after ours


class Invoking(Protocol):
    def invoke(self, function: str, event: Any) -> Any: ...


class WebSocketServer:
    """Serves ``api`` on ``host:port`` (0: a free port) from a thread running an asyncio loop."""

    def __init__(
        self,
        api: WebSocketApi,
        invoker: Invoking,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log: Callable[[str], None] = print,
        idle_timeout: float = IDLE_TIMEOUT_SECONDS,
        max_age: float = MAX_AGE_SECONDS,
    ) -> None:
        self.api = api
        self.invoker = invoker
        self.log = log
        self.idle_timeout = idle_timeout
        self.max_age = max_age
        self.sock = socket.create_server((host, port), reuse_port=False)
        self.host = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
        self.port = int(self.sock.getsockname()[1])
        self.connections: dict[str, Connection] = {}
        self._executor = ThreadPoolExecutor(max_workers=32, thread_name_prefix="ws-invoke")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def domain(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """What clients connect to (``WEBSOCKET_URL``)."""
        return f"ws://{self.domain}/{self.api.stage}"

    @property
    def management_url(self) -> str:
        """The management API's endpoint (``WEBSOCKET_MANAGEMENT_ENDPOINT``)."""
        return f"http://{self.domain}/{self.api.stage}"

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        ready = threading.Event()
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(ready),), name="websocket", daemon=True)
        self._thread.start()
        ready.wait(10)

    def stop(self) -> None:
        if self._thread is None:
            self.sock.close()
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _main(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        server = await asyncio.start_server(self._client, sock=self.sock)
        ready.set()
        async with server:
            await self._stopping.wait()
            for connection in list(self.connections.values()):
                connection.close(1001, "Going away")
            server.close()
            # Idle keep-alive management connections would hold ``wait_closed`` (and stop()) up
            server.close_clients()
            for task in list(self._tasks):
                task.cancel()

    def _spawn(self, work: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _invoke(self, function: str, event: dict[str, Any]) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.invoker.invoke, function, event)

    # -- one TCP connection: management requests, or a WebSocket -------------------------------
    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer_ip = str((writer.get_extra_info("peername") or ("127.0.0.1",))[0])
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                method, target, headers = _parse_head(head)
                if "websocket" in headers.get("upgrade", "").lower():
                    await self._websocket(head, target, peer_ip, reader, writer)
                    return
                length = int(headers.get("content-length") or 0)
                body = await reader.readexactly(length) if length else b""
                status, payload, extra = manage(self.connections, self.api.stage, method, target.split("?", 1)[0], body)
                close = headers.get("connection", "").lower() == "close"
                lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", f"Content-Length: {len(payload)}"]
                lines += [f"{key}: {value}" for key, value in extra]
                if close:
                    lines.append("Connection: close")
                writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
                await writer.drain()
                self.log(f"WS {method} {target.split('?', 1)[0]} {status}")
                if close:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    async def _websocket(
        self, head: bytes, target: str, peer_ip: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        protocol = ServerProtocol(max_size=MAX_MESSAGE_BYTES)
        protocol.receive_data(head)
        events = protocol.events_received()
        path, _, query = target.partition("?")
        request = events[0] if events else None
        if not isinstance(request, Request):
            Connection(Peer("", peer_ip, None, 0, [], []), protocol, writer).flush()
            return
        response = protocol.accept(request)
        if path.rstrip("/") not in ("", f"/{self.api.stage}"):
            response = protocol.reject(403, '{"message":"Forbidden"}')
        peer = Peer(
            connection_id=new_id(),
            source_ip=peer_ip,
            user_agent=request.headers.get("User-Agent"),
            connected_at_ms=now_ms(),
            headers=list(request.headers.raw_items()),
            query=parse_qsl(query, keep_blank_values=True),
        )
        connection = Connection(peer, protocol, writer)
        started = time.monotonic()
        if response.status_code == 101 and CONNECT in self.api.routes:
            response = await self._connect(connection, request, response)
        protocol.send_response(response)
        connection.flush()
        ms = (time.monotonic() - started) * 1000
        self.log(f"WS $connect {peer.connection_id} {response.status_code} {ms:.0f}ms")
        if protocol.state is not State.OPEN:
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            return
        self.connections[peer.connection_id] = connection
        try:
            code, reason = await self._read(connection, reader)
        finally:
            self.connections.pop(peer.connection_id, None)
        if DISCONNECT in self.api.routes and not (self._stopping and self._stopping.is_set()):
            await self._run_route(connection, DISCONNECT, disconnect_event(self.api, peer, self.domain, code, reason))

    async def _connect(self, connection: Connection, request: Request, response: Any) -> Any:
        """Run ``$connect``: the handshake ``response``, or a refusal with the function's status."""
        event = connect_event(self.api, connection.peer, self.domain, self.port, trace_id=new_trace_id())
        try:
            result = await self._invoke(self.api.routes[CONNECT].function, event)
        except Exception:
            self.log(f"WS $connect -> {self.api.routes[CONNECT].function} raised:\n{traceback.format_exc()}")
            return connection.protocol.reject(500, '{"message":"Internal server error"}')
        status = int(result.get("statusCode", 200)) if isinstance(result, dict) else 200
        if not 200 <= status < 300:
            body = result.get("body") if isinstance(result, dict) else None
            return connection.protocol.reject(status, str(body or HTTPStatus(status).phrase))
        for key, value in ((result or {}).get("headers") or {}).items() if isinstance(result, dict) else []:
            if key.lower() not in response.headers:
                response.headers[key] = str(value)
        return response

    async def _read(self, connection: Connection, reader: asyncio.StreamReader) -> tuple[int, str]:
        """Read frames until the connection closes; returns ``$disconnect``'s code and reason."""
        protocol, peer = connection.protocol, connection.peer
        opened = time.monotonic()
        fragments: list[bytes] = []
        kind = Opcode.TEXT
        while True:
            idle = self.idle_timeout - (time.time() - peer.last_active_ms / 1000)
            age = self.max_age - (time.monotonic() - opened)
            wait = CLOSE_WAIT_SECONDS if connection.closing else max(0.0, min(idle, age))
            try:
                data = await asyncio.wait_for(reader.read(65536), timeout=wait)
            except TimeoutError:
                if connection.closing is not None:
                    break
                connection.close(1001, "Going away")
                continue
            except ConnectionError:
                data = b""
            if data:
                protocol.receive_data(data)
            else:
                protocol.receive_eof()
            for frame in protocol.events_received():
                if not isinstance(frame, Frame):
                    continue
                if frame.opcode in (Opcode.TEXT, Opcode.BINARY):
                    kind, fragments = frame.opcode, [bytes(frame.data)]
                elif frame.opcode is Opcode.CONT:
                    fragments.append(bytes(frame.data))
                else:
                    continue
                if frame.fin:
                    payload = b"".join(fragments)
                    fragments = []
                    peer.last_active_ms = now_ms()
                    message: str | bytes = payload.decode("utf-8") if kind is Opcode.TEXT else payload
                    self._spawn(self._message(connection, message))
            connection.flush()
            if not data or protocol.state is State.CLOSED:
                break
        if connection.closing is not None:
            return connection.closing
        received = protocol.close_rcvd
        if received is None:
            return 1006, "Connection closed abnormally"
        if received.code == 1005:
            return 1005, "Client-side close frame status not set"
        return int(received.code), received.reason

    async def _message(self, connection: Connection, data: str | bytes) -> None:
        route = self.api.select(data if isinstance(data, str) else None)
        peer = connection.peer
        if route is None:
            if connection.open:
                connection.send(_gateway_message("Forbidden", peer.connection_id))
            return
        event = message_event(self.api, peer, self.domain, route, data)
        result = await self._run_route(connection, route, event)
        if isinstance(result, _Failed):
            if connection.open:
                connection.send(_gateway_message("Internal server error", peer.connection_id))
            return
        reply = route_reply(result) if self.api.routes[route].two_way else None
        if reply is not None and connection.open:
            connection.send(reply)

    async def _run_route(self, connection: Connection, route: str, event: dict[str, Any]) -> Any:
        function = self.api.routes[route].function
        started = time.monotonic()
        try:
            result = await self._invoke(function, event)
        except Exception:
            self.log(f"WS {route} -> {function} raised:\n{traceback.format_exc()}")
            return _Failed()
        finally:
            ms = (time.monotonic() - started) * 1000
            self.log(f"WS {route} {connection.peer.connection_id} -> {function} {ms:.0f}ms")
        return result


class _Failed:
    """A route's function raised."""


def serve_websocket_api(
    stack: Stack,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    log: Callable[[str], None] = print,
    idle_timeout: float = IDLE_TIMEOUT_SECONDS,
    max_age: float = MAX_AGE_SECONDS,
) -> WebSocketServer | None:
    """A (not yet started) server for the template's WebSocket API, or ``None`` when it has none.

    Every function's ``WEBSOCKET_URL`` and ``WEBSOCKET_MANAGEMENT_ENDPOINT`` (in the template they
    name the deployed API) then point at it, and so does botocore's
    ``AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI`` (``AWS_ENDPOINT_URL`` is moto, which would answer
    a management call without an ``endpoint_url`` itself); call this before the first invocation.
    """
    api = websocket_api(stack)
    if api is None:
        return None
    server = WebSocketServer(
        api, stack.invoker, host=host, port=port, log=log, idle_timeout=idle_timeout, max_age=max_age
    )
    for spec in stack.functions.values():
        spec.environment.update(
            WEBSOCKET_URL=server.url,
            WEBSOCKET_MANAGEMENT_ENDPOINT=server.management_url,
            AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI=server.management_url,
        )
    return server


def _gateway_message(text: str, connection_id: str) -> str:
    return json.dumps({"message": text, "connectionId": connection_id, "requestId": new_id()})


def _parse_head(head: bytes) -> tuple[str, str, Headers]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    method, target = (parts[0], parts[1]) if len(parts) >= 2 else ("", "/")
    headers = Headers()
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip()] = value.strip()
    return method.upper(), target, headers
