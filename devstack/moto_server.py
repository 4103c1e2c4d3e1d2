"""moto in server mode for the local stack, one AWS request at a time.

The functions run in worker processes, concurrently (:mod:`devstack.workers`), and all reach moto
over HTTP. moto's backends are not thread-safe: a conditional ``PutItem`` checks its condition and
then writes, so two concurrent ones on the same item could both succeed, where DynamoDB lets one
win. :func:`start_moto` serialises the requests moto handles, as every AWS API call is atomic,
except a long-polling SQS ``ReceiveMessage`` (``WaitTimeSeconds`` > 0), which waits without
holding the others up.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

_LOCK = threading.RLock()
_PATCHED = "_one_request_at_a_time"


def _long_poll(environ: dict[str, Any]) -> bool:
    """Whether this is an SQS ``ReceiveMessage`` that may wait (its body is kept for moto)."""
    if environ.get("HTTP_X_AMZ_TARGET") != "AmazonSQS.ReceiveMessage":
        return False
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        return int(json.loads(body or b"{}").get("WaitTimeSeconds") or 0) > 0
    except (ValueError, TypeError, AttributeError):
        return False


def serialize_requests() -> None:
    """Patch moto's server dispatcher (idempotent)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__
    if getattr(original, _PATCHED, False):
        return

    def call(self: Any, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if _long_poll(environ):
            return original(self, environ, start_response)  # type: ignore[no-any-return]
        with _LOCK:
            return original(self, environ, start_response)  # type: ignore[no-any-return]

    setattr(call, _PATCHED, True)
    DomainDispatcherApplication.__call__ = call  # type: ignore[method-assign]


def start_moto(port: int = 0) -> tuple[Any, str]:
    """Start moto on ``127.0.0.1:port`` (0: a free port) in a thread; returns it and its URL."""
    from moto.server import ThreadedMotoServer

    serialize_requests()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    return moto, f"http://127.0.0.1:{moto.get_host_and_port()[1]}"
