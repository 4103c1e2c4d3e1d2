"""The WebSocket API's management API (``@connections``): the one place that calls it.

``PostToConnection`` answers 410 (``GoneException``) for a connection that is closed (or not
open yet: inside ``$connect``); callers then remove it. Posts to several connections run on a
few threads: a message to N subscribers is N calls, and their latency should not add up.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from shared.messaging.clients import client
from shared.settings import ConfigurationError, get_settings

GONE = "GoneException"
PARALLEL_POSTS = 8


def _client() -> Any:
    endpoint = get_settings().websocket_management_endpoint
    if not endpoint:
        raise ConfigurationError("WEBSOCKET_MANAGEMENT_ENDPOINT is not set")
    return client("apigatewaymanagementapi", endpoint_url=endpoint)


def encode(frame: dict[str, Any]) -> bytes:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False).encode()


def _is_gone(exc: Exception) -> bool:
    from botocore.exceptions import ClientError

    if not isinstance(exc, ClientError):
        return False
    error = exc.response.get("Error") or {}
    status = (exc.response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    return error.get("Code") == GONE or status == 410


def post(connection_id: str, frame: dict[str, Any]) -> bool:
    """Send ``frame`` (JSON) to the connection; False when it is gone (410)."""
    try:
        _client().post_to_connection(ConnectionId=connection_id, Data=encode(frame))
    except Exception as exc:
        if _is_gone(exc):
            return False
        raise
    return True


def post_many(connection_ids: Iterable[str], frame: dict[str, Any]) -> list[str]:
    """Send ``frame`` to each connection (one call each); the ids of those that are gone.
    Raises the first other error after every post was tried."""
    ids = list(dict.fromkeys(connection_ids))
    if len(ids) <= 1:
        return [cid for cid in ids if not post(cid, frame)]
    _client()  # created once, before the threads share it
    with ThreadPoolExecutor(max_workers=min(PARALLEL_POSTS, len(ids))) as pool:
        futures = [(cid, pool.submit(post, cid, frame)) for cid in ids]
    gone: list[str] = []
    failure: BaseException | None = None
    for cid, future in futures:
        error = future.exception()
        if error is not None:
            failure = failure or error
        elif not future.result():
            gone.append(cid)
    if failure is not None:
        raise failure
    return gone


def close(connection_id: str) -> None:
    """Close the connection (``DeleteConnection``); one already gone is fine."""
    try:
        _client().delete_connection(ConnectionId=connection_id)
    except Exception as exc:
        if not _is_gone(exc):
            raise
