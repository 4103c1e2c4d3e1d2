"""Logger, Tracer and Metrics shared by every function.

The logger redacts any field whose name looks like a secret (password, token, secret,
authorization, cookie) wherever it appears in a structured log record, so a careless
``logger.info("...", extra=body)`` cannot leak credentials.
"""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.types import PowertoolsLogRecord

REDACTED = "***"
_SECRET_KEY = re.compile(r"pass(word)?|token|secret|authori[sz]ation|cookie|api[_-]?key|signature", re.I)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def redact(value: Any) -> Any:
    """Return ``value`` with secret-looking keys masked and bearer tokens/JWTs cut out of strings."""
    if isinstance(value, dict):
        return {k: REDACTED if isinstance(k, str) and _SECRET_KEY.search(k) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return _JWT.sub(REDACTED, _BEARER.sub(r"\1" + REDACTED, value))
    return value


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any] | PowertoolsLogRecord) -> str:
        return super().serialize(redact(dict(log)))


logger = Logger(logger_formatter=RedactingFormatter())
tracer = Tracer()
metrics = Metrics()
