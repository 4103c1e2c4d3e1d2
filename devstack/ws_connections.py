"""The local WebSocket API's open connections (:mod:`devstack.ws_server`): one connection's
protocol state and the stream it writes to, and the management API over them
(``POST|GET|DELETE /<stage>/@connections/{connectionId}``, shaped for boto3's
``apigatewaymanagementapi`` client; an unknown or closed connection is a 410 ``GoneException``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from datetime import UTC, datetime
from urllib.parse import unquote

from websockets.protocol import State
from websockets.server import ServerProtocol

from devstack.websocket_events import Peer

MAX_MESSAGE_BYTES = 128 * 1024
_MANAGEMENT = re.compile(r"(?:/([^/@]+))?/@connections/([^/]+)/?")


def _iso(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_ms() -> int:
    return int(time.time() * 1000)


class Connection:
    """One open WebSocket: its protocol state machine and the stream it writes to."""

    def __init__(self, peer: Peer, protocol: ServerProtocol, writer: asyncio.StreamWriter) -> None:
        self.peer = peer
        self.protocol = protocol
        self.writer = writer
        self.closing: tuple[int, str] | None = None  # our close frame, when we closed first

    @property
    def open(self) -> bool:
        return self.protocol.state is State.OPEN and self.closing is None

    def send(self, data: str | bytes) -> None:
        if isinstance(data, str):
            self.protocol.send_text(data.encode())
        else:
            self.protocol.send_binary(data)
        self.peer.last_active_ms = now_ms()
        self.flush()

    def close(self, code: int, reason: str) -> None:
        if self.protocol.state is State.OPEN:
            self.closing = (code, reason)
            self.protocol.send_close(code, reason)
            self.flush()

    def flush(self) -> None:
        for chunk in self.protocol.data_to_send():
            if chunk:
                self.writer.write(chunk)
            elif self.writer.can_write_eof():
                with contextlib.suppress(OSError):
                    self.writer.write_eof()


def manage(
    connections: dict[str, Connection], stage: str, method: str, path: str, body: bytes
) -> tuple[int, bytes, list[tuple[str, str]]]:
    """Answer one management API request: status, body and headers."""
    found = _MANAGEMENT.fullmatch(path)
    if found is None or (found.group(1) is not None and unquote(found.group(1)) != stage):
        return _error(403, "ForbiddenException", "Forbidden")
    connection = connections.get(unquote(found.group(2)))
    if connection is None or not connection.open:
        return _error(410, "GoneException", None)
    if method == "POST":
        if len(body) > MAX_MESSAGE_BYTES:
            return _error(413, "PayloadTooLargeException", "Message too long")
        try:
            connection.send(body.decode("utf-8"))
        except UnicodeDecodeError:
            connection.send(body)
        return 200, b"", []
    if method == "GET":
        peer = connection.peer
        identity = {"sourceIp": peer.source_ip, "userAgent": peer.user_agent}
        description = {
            "connectedAt": _iso(peer.connected_at_ms),
            "identity": identity,
            "lastActiveAt": _iso(peer.last_active_ms),
        }
        return 200, json.dumps(description).encode(), [("Content-Type", "application/json")]
    if method == "DELETE":
        connection.close(1000, "")
        return 204, b"", []
    return _error(403, "ForbiddenException", "Forbidden")


def _error(status: int, code: str, message: str | None) -> tuple[int, bytes, list[tuple[str, str]]]:
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
    return status, json.dumps({"message": message}).encode(), headers
