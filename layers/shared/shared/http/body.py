"""Reading a request body: the one place that turns API Gateway's body into text and JSON.

A body that cannot be read is the caller's error, never a 500:

* ``INVALID_ENCODING``: the bytes are not UTF-8 (API Gateway hands them over base64-encoded),
  or the content type declares another charset. JSON exchanged between systems is UTF-8
  (RFC 8259 §8.1), so no other charset is decoded.
* ``INVALID_JSON``: not JSON, ``NaN``/``Infinity``, nested deeper than :data:`MAX_DEPTH`, a
  number literal longer than :data:`MAX_NUMBER_CHARS` (Python refuses to convert integers over
  4,300 digits), or a string holding an unpaired surrogate escape (``"\\ud800"``), which no
  UTF-8 encoder downstream could write.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

MAX_DEPTH = 64
MAX_NUMBER_CHARS = 100
UTF8_NAMES = ("utf-8", "utf8")
_SURROGATE = re.compile("[\ud800-\udfff]")


class UnreadableBody(ValueError):
    """The body cannot be read; ``code`` is the error code the caller gets with a 400."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def header(event: dict[str, Any], name: str) -> str:
    headers = event.get("headers") or {}
    return next((str(value) for key, value in headers.items() if key.lower() == name), "")


def charset(content_type: str) -> str | None:
    """The ``charset`` parameter of a Content-Type value, lowercased and unquoted."""
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def text(event: dict[str, Any]) -> str | None:
    """The body of an API Gateway v2 event as text (``None`` without a body).

    Raises :class:`UnreadableBody` ``INVALID_ENCODING``.
    """
    body = event.get("body")
    if not body:
        return None
    declared = charset(header(event, "content-type"))
    if declared is not None and declared not in UTF8_NAMES:
        raise UnreadableBody("INVALID_ENCODING", f"Send the body as UTF-8 (charset={declared} is not accepted)")
    if not event.get("isBase64Encoded"):
        return str(body)
    try:
        raw = base64.b64decode(str(body), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UnreadableBody("INVALID_ENCODING", "The body is not valid base64") from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableBody("INVALID_ENCODING", f"The body is not valid UTF-8 (byte {exc.start})") from exc


def _number(literal: str) -> str:
    if len(literal) > MAX_NUMBER_CHARS:
        raise UnreadableBody("INVALID_JSON", f"A number in the body is longer than {MAX_NUMBER_CHARS} characters")
    return literal


def _int(literal: str) -> int:
    return int(_number(literal))


def _float(literal: str) -> float:
    return float(_number(literal))


def _constant(name: str) -> Any:
    raise UnreadableBody("INVALID_JSON", f"{name} is not a JSON value")


def _check_shape(value: Any) -> None:
    """Depth and strings, walked without recursion (the parser already built the whole value)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: list[Any] = [*item.keys(), *item.values()]
        elif isinstance(item, list):
            children = item
        else:
            if isinstance(item, str) and _SURROGATE.search(item):
                raise UnreadableBody("INVALID_JSON", "A string in the body holds an unpaired surrogate")
            continue
        if depth > MAX_DEPTH:
            raise UnreadableBody("INVALID_JSON", f"The body is nested deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in children)


def loads(document: str) -> Any:
    """Strict JSON. Raises ``json.JSONDecodeError`` for every failure (what Powertools turns into a
    validation error), its ``msg`` saying what is wrong."""
    try:
        value = json.loads(document, parse_int=_int, parse_float=_float, parse_constant=_constant)
        _check_shape(value)
    except json.JSONDecodeError:
        raise
    except UnreadableBody as exc:
        raise json.JSONDecodeError(exc.message, document, 0) from exc
    except RecursionError as exc:
        raise json.JSONDecodeError(f"The body is nested deeper than {MAX_DEPTH} levels", document, 0) from exc
    return value
