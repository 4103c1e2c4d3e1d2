"""Logger, Tracer and Metrics shared by every function.

The logger redacts any field whose name looks like a secret (password, token, secret,
authorization, cookie) wherever it appears in a structured log record, and such pairs inside
strings (a JSON request body, a link with ``?token=``), so a careless
``logger.info("...", extra=body)`` or a logged event cannot leak credentials.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.types import PowertoolsLogRecord
from pydantic import BaseModel

REDACTED = "***"
_SECRET_WORD = r"pass(?:word)?|token|secret|authori[sz]ation|cookie|api[_-]?key|signature"
_SECRET_KEY = re.compile(_SECRET_WORD, re.I)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+")
# A dotted three-part token; it is a JWT from where its base64url JSON header ("eyJ") starts.
_DOTTED = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]++\.[A-Za-z0-9_-]++\.[A-Za-z0-9_-]++")
# Secrets inside text: "password": "..." (a JSON body, a dict's repr) and password=... (a query
# string, a link with ?token=, a model's repr). Possessive quantifiers and the look-behind keep
# matching linear in the length of the text, whatever it holds.
_QUOTED_PAIR = re.compile(r"""(?<![\w-])(["'])([\w-]++)\1(\s*+:\s*+)(["'])(?:\\.|(?!\4)[^\\\n])*+\4""")
_ASSIGNED_PAIR = re.compile(r"""(?<![\w-])([\w-]++)=(["']?)[^\s&"',)}]++""")


def _mask_quoted(match: re.Match[str]) -> str:
    quote, key, colon, value_quote = match.group(1, 2, 3, 4)
    if not _SECRET_KEY.search(key):
        return match.group(0)
    return f"{quote}{key}{quote}{colon}{value_quote}{REDACTED}{value_quote}"


def _mask_assigned(match: re.Match[str]) -> str:
    key, quote = match.group(1, 2)
    return f"{key}={quote}{REDACTED}" if _SECRET_KEY.search(key) else match.group(0)


def _mask_jwt(match: re.Match[str]) -> str:
    token = match.group(0)
    start = token.find("eyJ")
    if start < 0 or "." in token[:start]:
        return token
    return token[:start] + REDACTED


def _redact_text(text: str) -> str:
    text = _QUOTED_PAIR.sub(_mask_quoted, text)
    text = _ASSIGNED_PAIR.sub(_mask_assigned, text)
    return _DOTTED.sub(_mask_jwt, _BEARER.sub(r"\1" + REDACTED, text))


def redact(value: Any) -> Any:
    """Return ``value`` with secret-looking keys masked, and secret-looking pairs, bearer tokens
    and JWTs cut out of strings (an API Gateway event's JSON ``body`` is a string).

    Other objects (an exception in Powertools' ``stack_trace``, a model passed as ``extra``)
    would be serialized with ``str()``; they are turned into that string here, and redacted.
    """
    if isinstance(value, BaseModel):
        return redact(value.model_dump(mode="json", by_alias=True))
    if isinstance(value, Mapping):
        return {k: REDACTED if isinstance(k, str) and _SECRET_KEY.search(k) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return _redact_text(value if isinstance(value, str) else str(value))


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any] | PowertoolsLogRecord) -> str:
        return super().serialize(redact(dict(log)))


logger = Logger(logger_formatter=RedactingFormatter())
tracer = Tracer()
metrics = Metrics()
