"""Logger, Tracer and Metrics shared by every function.

The logger redacts any field whose name looks like a secret (password, token, secret,
authorization, cookie) wherever it appears in a structured log record, and such pairs inside
strings (a JSON request body, a link with ``?token=``), so a careless
``logger.info("...", extra=body)`` or a logged event cannot leak credentials.

Tracing costs nothing where it is off: Powertools' ``Tracer()`` imports the X-Ray SDK and builds
its recorder even when disabled (~100 ms), and patches every library it knows when on. Outside
Lambda, or with ``POWERTOOLS_TRACE_DISABLED``, ``tracer`` is a :class:`DisabledTracer` (same
decorators, no X-Ray); in Lambda with tracing on, only botocore (every AWS call) is patched,
when it is first imported.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
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


TRACED_MODULES = ("botocore",)
_TRUTHY = {"1", "true", "yes", "on", "y", "t"}


def tracing_enabled() -> bool:
    """As Powertools decides: in Lambda (not SAM local or Chalice), unless disabled by env."""
    if os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in _TRUTHY:
        return False
    in_lambda = bool(os.environ.get("LAMBDA_TASK_ROOT"))
    emulated = bool(os.environ.get("AWS_SAM_LOCAL") or os.environ.get("AWS_CHALICE_CLI_MODE"))
    return in_lambda and not emulated


class DisabledTracer(Tracer):
    """A tracer that never traces and never imports the X-Ray SDK: its decorators return the
    function as it is, its annotations go nowhere. (``Tracer.__init__`` is not called: that is
    what builds the X-Ray recorder.)"""

    def __init__(self) -> None:
        self.disabled = True
        self.auto_patch = False
        self.service = os.environ.get("POWERTOOLS_SERVICE_NAME", "service_undefined")

    def capture_lambda_handler(
        self,
        lambda_handler: Callable[..., Any] | None = None,
        capture_response: bool | None = None,
        capture_error: bool | None = None,
    ) -> Callable[..., Any]:
        if lambda_handler is None:
            return lambda handler: handler
        return lambda_handler

    def capture_method(  # type: ignore[override]
        self,
        method: Callable[..., Any] | None = None,
        capture_response: bool | None = None,
        capture_error: bool | None = None,
    ) -> Any:
        if method is None:
            return lambda func: func
        return method

    def put_annotation(self, key: str, value: Any) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str | None = None) -> None:
        pass

    def patch(self, modules: Sequence[str] | None = None) -> None:
        pass

    def ignore_endpoint(self, hostname: str | None = None, urls: list[str] | None = None) -> None:
        pass


def create_tracer() -> Tracer:
    """The tracer for this environment (see the module's docstring).

    botocore is patched once ``botocore.session`` (where every client comes from, and which loads
    ``botocore.client`` fully first) is imported, at once if it already is: a function that never
    calls AWS (``/health``) does not load botocore only to patch it.
    """
    if not tracing_enabled():
        return DisabledTracer()
    import wrapt

    tracer = Tracer(auto_patch=False)

    def patch_botocore(_session_module: object) -> None:
        tracer.patch(TRACED_MODULES)

    wrapt.register_post_import_hook(patch_botocore, "botocore.session")
    return tracer


logger = Logger(logger_formatter=RedactingFormatter())
tracer = create_tracer()
metrics = Metrics()
