"""The local server answers raw HTTP the way API Gateway does: JSON envelopes for unknown methods
and bad framing (never an HTML page or a dropped connection), chunked bodies read whole."""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import LocalStack

pytestmark = pytest.mark.e2e

LOGIN = "/api/v1/auth/login"


def _address(stack: LocalStack) -> tuple[str, int]:
    parts = urlsplit(stack.api.base_url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def _request(
    stack: LocalStack, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    host, port = _address(stack)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        raw = res.read()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, json.loads(raw) if raw else None
    finally:
        conn.close()


def _raw(stack: LocalStack, payload: bytes) -> tuple[int, dict[str, str], Any]:
    """Send bytes as they are; read one response (the server must answer, not drop us)."""
    with socket.create_connection(_address(stack), timeout=30) as sock:
        sock.sendall(payload)
        reader = sock.makefile("rb")
        res = http.client.HTTPResponse(sock)
        res.fp = reader
        res.begin()
        raw = res.read()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, json.loads(raw) if raw else None


def _error(status: int, body: Any, expected_status: int, code: str) -> None:
    assert status == expected_status, body
    assert body["success"] is False
    assert body["error"]["code"] == code, body
    assert body["error"]["status"] == expected_status


def test_invalid_utf8_body_is_400_invalid_encoding(stack: LocalStack) -> None:
    status, _, body = _request(stack, "POST", LOGIN, b"\xa5", {"Content-Type": "application/json"})

    _error(status, body, 400, "INVALID_ENCODING")


def test_body_declared_latin1_is_400_invalid_encoding(stack: LocalStack) -> None:
    payload = '{"email": "zoé@example.com", "password": "x"}'.encode("latin-1")

    status, _, body = _request(stack, "POST", LOGIN, payload, {"Content-Type": "application/json; charset=latin-1"})

    _error(status, body, 400, "INVALID_ENCODING")


def test_deeply_nested_json_is_400_invalid_json(stack: LocalStack) -> None:
    payload = b"[" * 10_000 + b"]" * 10_000

    status, _, body = _request(stack, "POST", LOGIN, payload, {"Content-Type": "application/json"})

    _error(status, body, 400, "INVALID_JSON")


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "FOO"])
@pytest.mark.parametrize("path", ["/health", LOGIN, "/nowhere"])
def test_unknown_methods_get_a_json_404(stack: LocalStack, method: str, path: str) -> None:
    status, headers, body = _request(stack, method, path)

    assert headers["content-type"].startswith("application/json")
    _error(status, body, 404, "ROUTE_NOT_FOUND")


@pytest.mark.parametrize("length", [b"abc", b"-1", b"5, 6", b"1e3", b"\xd9\xa3"])
def test_malformed_content_length_is_400(stack: LocalStack, length: bytes) -> None:
    payload = b"POST " + LOGIN.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + b"\r\n\r\n{}"

    status, headers, body = _raw(stack, payload)

    _error(status, body, 400, "INVALID_CONTENT_LENGTH")
    assert headers["connection"] == "close"


def test_body_shorter_than_its_content_length_is_400(stack: LocalStack) -> None:
    host, port = _address(stack)
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(b"POST " + LOGIN.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{}")
        sock.shutdown(socket.SHUT_WR)
        reply = sock.makefile("rb").read()

    assert reply.startswith(b"HTTP/1.1 400"), reply
    assert b"INCOMPLETE_BODY" in reply


def test_chunked_body_is_read_whole(stack: LocalStack) -> None:
    document = b'{"email": "nobody-chunked@example.com", "password": "whatever1"}'
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (document[:10], document[10:]))
    payload = (
        b"POST " + LOGIN.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"
    )

    status, _, body = _raw(stack, payload)

    _error(status, body, 401, "INVALID_CREDENTIALS")


@pytest.mark.parametrize(
    ("chunks", "code"),
    [
        (b"zz\r\n{}\r\n0\r\n\r\n", "INVALID_CHUNKED_BODY"),
        (b"5\r\n{}\r\n0\r\n\r\n", "INVALID_CHUNKED_BODY"),
    ],
)
def test_malformed_chunked_body_is_400(stack: LocalStack, chunks: bytes, code: str) -> None:
    payload = b"POST " + LOGIN.encode() + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks

    status, _, body = _raw(stack, payload)

    _error(status, body, 400, code)


@pytest.mark.parametrize(
    "headers",
    [
        b"Transfer-Encoding: chunked\r\nContent-Length: 2\r\n",
        b"Transfer-Encoding: gzip\r\n",
    ],
)
def test_conflicting_or_unknown_transfer_encoding_is_400(stack: LocalStack, headers: bytes) -> None:
    payload = b"POST " + LOGIN.encode() + b" HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n2\r\n{}\r\n0\r\n\r\n"

    status, _, body = _raw(stack, payload)

    _error(status, body, 400, "INVALID_TRANSFER_ENCODING")


def test_a_malformed_request_line_is_a_json_400(stack: LocalStack) -> None:
    status, headers, body = _raw(stack, b"GET /health HTTP/1.1 extra\r\nHost: x\r\n\r\n")

    assert headers["content-type"].startswith("application/json")
    _error(status, body, 400, "BAD_REQUEST")


def test_keep_alive_still_works_after_a_good_request(stack: LocalStack) -> None:
    host, port = _address(stack)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        for _ in range(2):
            conn.request("GET", "/health")
            res = conn.getresponse()
            assert res.status == 200
            res.read()
    finally:
        conn.close()
