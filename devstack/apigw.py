"""Build API Gateway HTTP API (payload format 2.0) events, exactly as API Gateway sends them."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime
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
