"""Build API Gateway HTTP API (payload format 2.0) events, exactly as API Gateway sends them, from
request bodies framed as API Gateway accepts them."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from datetime import UTC, datetime
from email.message import Message
from io import BufferedIOBase
from typing import Any
from urllib.parse import urlencode

BINARY_PREFIXES = ("image/", "application/octet-stream", "application/pdf", "multipart/form-data")


def http_event(
    method: str,
    path: str,
    *,
    route_key: str | None = None,
    path_parameters: dict[str, str] | None = None,
    query: dict[str, str | list[str]] | None = None,
    headers: dict[str, str] | None = None,
    cookies: list[str] | None = None,
    body: bytes | str | dict[str, Any] | list[Any] | None = None,
    source_ip: str = "127.0.0.1",
    request_id: str | None = None,
    stage: str = "$default",
    api_id: str = "local",
) -> dict[str, Any]:
    hdrs = {k.lower(): v for k, v in (headers or {}).items()}
    raw_body: bytes | None
    if isinstance(body, dict | list):
        raw_body = json.dumps(body).encode()
        hdrs.setdefault("content-type", "application/json")
    elif isinstance(body, str):
        raw_body = body.encode()
    else:
        raw_body = body
    hdrs.setdefault("user-agent", "devstack")
    hdrs.setdefault("host", "localhost")
    content_type = hdrs.get("content-type", "")
    is_binary = raw_body is not None and (content_type.startswith(BINARY_PREFIXES) or _not_utf8(raw_body))
    query_pairs: list[tuple[str, str]] = []
    for key, value in (query or {}).items():
        for item in value if isinstance(value, list) else [value]:
            query_pairs.append((key, item))
    now = datetime.now(UTC)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key or f"{method.upper()} {path}",
        "rawPath": path,
        "rawQueryString": urlencode(query_pairs),
        "headers": hdrs,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": api_id,
            "domainName": hdrs["host"],
            "domainPrefix": hdrs["host"].split(".")[0],
            "http": {
                "method": method.upper(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": hdrs["user-agent"],
            },
            "requestId": request_id or uuid.uuid4().hex,
            "routeKey": route_key or f"{method.upper()} {path}",
            "stage": stage,
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": is_binary,
    }
    if cookies:
        event["cookies"] = cookies
    if query_pairs:
        merged: dict[str, str] = {}
        for key, item in query_pairs:
            merged[key] = f"{merged[key]},{item}" if key in merged else item
        event["queryStringParameters"] = merged
    if path_parameters:
        event["pathParameters"] = path_parameters
    if raw_body is not None:
        event["body"] = base64.b64encode(raw_body).decode() if is_binary else raw_body.decode()
    return event


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def sqs_event(bodies: list[str], queue_arn: str, *, receive_count: int = 1) -> dict[str, Any]:
    """An SQS event as Lambda's event source mapping delivers it."""
    records = []
    for body in bodies:
        records.append(
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": uuid.uuid4().hex,
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": str(receive_count),
                    "SentTimestamp": str(int(time.time() * 1000)),
                    "SenderId": "123456789012",
                    "ApproximateFirstReceiveTimestamp": str(int(time.time() * 1000)),
                },
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": queue_arn.split(":")[3] if queue_arn.count(":") >= 5 else "us-east-1",
            }
        )
    return {"Records": records}


# ------------------------------------------------------------------------------ request framing

MAX_REQUEST_BODY = 10 * 1024 * 1024  # API Gateway's payload limit
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,8}")


class BadRequest(Exception):
    """A request API Gateway would refuse before invoking anything (answered in the error envelope)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def read_body(headers: Message, rfile: BufferedIOBase) -> bytes:
    """The request body, framed as API Gateway frames it.

    HTTP APIs take ``Content-Length`` bodies and chunked ones (buffered whole before the function
    runs), so both are read. Refused with :class:`BadRequest`: a ``Content-Length`` that is not
    one non-negative integer (400 ``INVALID_CONTENT_LENGTH``), a body shorter than it says (400
    ``INCOMPLETE_BODY``), both ``Content-Length`` and ``Transfer-Encoding`` or a transfer coding
    other than ``chunked`` (400 ``INVALID_TRANSFER_ENCODING``), malformed chunks (400
    ``INVALID_CHUNKED_BODY``), more than :data:`MAX_REQUEST_BODY` bytes (413). After any of these
    the connection cannot be trusted and is closed.
    """
    encodings = headers.get_all("Transfer-Encoding") or []
    lengths = headers.get_all("Content-Length") or []
    if encodings:
        codings = [part.strip().lower() for value in encodings for part in value.split(",") if part.strip()]
        if codings != ["chunked"] or lengths:
            message = "Only Transfer-Encoding: chunked is accepted, and never with Content-Length"
            raise BadRequest(400, "INVALID_TRANSFER_ENCODING", message)
        return _read_chunked(rfile)
    values = {part.strip() for value in lengths for part in value.split(",")}
    if not values:
        return b""
    if len(values) != 1 or not next(iter(values)).isdigit() or not next(iter(values)).isascii():
        raise BadRequest(400, "INVALID_CONTENT_LENGTH", "Content-Length must be one non-negative integer")
    length = int(next(iter(values)))
    if length > MAX_REQUEST_BODY:
        raise BadRequest(413, "PAYLOAD_TOO_LARGE", f"The request body exceeds {MAX_REQUEST_BODY} bytes")
    body = rfile.read(length) if length else b""
    if len(body) != length:
        raise BadRequest(400, "INCOMPLETE_BODY", f"The body ended after {len(body)} of {length} bytes")
    return body


def _read_chunked(rfile: BufferedIOBase) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        line = rfile.readline(1024)
        size_text = line.split(b";", 1)[0].strip()
        if not line.endswith(b"\n") or not _CHUNK_SIZE.fullmatch(size_text):
            raise BadRequest(400, "INVALID_CHUNKED_BODY", "Malformed chunk size line")
        size = int(size_text, 16)
        if size == 0:
            break
        total += size
        if total > MAX_REQUEST_BODY:
            raise BadRequest(413, "PAYLOAD_TOO_LARGE", f"The request body exceeds {MAX_REQUEST_BODY} bytes")
        chunk = rfile.read(size)
        if len(chunk) != size or rfile.readline(3).strip():
            raise BadRequest(400, "INVALID_CHUNKED_BODY", "A chunk is shorter than its size or not followed by CRLF")
        chunks.append(chunk)
    for _ in range(100):  # trailer fields, up to the empty line
        trailer = rfile.readline(8192)
        if not trailer.endswith(b"\n"):
            raise BadRequest(400, "INVALID_CHUNKED_BODY", "The chunked body ended without its final CRLF")
        if not trailer.strip():
            return b"".join(chunks)
    raise BadRequest(400, "INVALID_CHUNKED_BODY", "Too many trailer fields")
