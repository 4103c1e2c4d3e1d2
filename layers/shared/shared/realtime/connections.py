"""What the WebSocket API's routes do: open and close connections, and answer client frames.

Frames (JSON text): ``{"action": "subscribe", "threadId"}`` → ``{"type": "subscribed",
"threadId"}``; ``unsubscribe`` → ``{"type": "unsubscribed", "threadId"}``; ``{"action":
"typing", "threadId"}`` → the thread's other subscribers get ``{"type": "typing", "threadId",
"user": {id, name}}`` (never stored, never sent back to the typing user); ``{"action": "ping"}``
→ ``{"type": "pong"}``. Anything else gets ``{"type": "error", "code", "message"}`` and the
connection stays open. Answers go back through the management API (``PostToConnection``), not
as the route's response.

A subscription is checked like a read of the thread (:func:`shared.experience.access.visible_thread`,
so a non-participant gets ``THREAD_NOT_FOUND`` whether the thread exists or not; events go to
participants only, so an admin outside the thread gets it too), after the
connection's user and session are checked again: a session revoked or a user suspended since
the handshake gets an error frame and the connection is closed.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from shared.clock import epoch, now_iso
from shared.errors import DomainError, Forbidden, Unauthenticated
from shared.realtime import gateway, repository, tickets
from shared.realtime.models import ConnectionItem
from shared.realtime.schemas import PingFrame, ThreadFrame
from shared.settings import get_settings

MAX_SUBSCRIPTIONS = 100
THREAD_ACTIONS = ("subscribe", "unsubscribe", "typing")


class FrameError(DomainError):
    """A frame the server cannot act on; answered with an error frame."""

    code = "INVALID_FRAME"
    message = "The frame is not valid"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        errors: dict[str, list[str]] | None = None,
        **context: str | None,
    ) -> None:
        super().__init__(message, code=code, errors=errors)
        self.context = context

    @classmethod
    def of(cls, exc: DomainError, **context: str | None) -> FrameError:
        return cls(exc.message, code=exc.code, errors=exc.errors, **context)


# ------------------------------------------------------------------------------- handshakes


def connect(connection_id: str, ticket: str | None) -> ConnectionItem:
    """Register the connection of the ticket's user. Raises :class:`Unauthenticated` or
    :class:`Forbidden` (the handshake is refused, see :func:`shared.realtime.tickets.admit`)."""
    caller = tickets.admit(ticket)
    item = repository.new_connection(
        connection_id,
        caller.user_id,
        caller.user.name,
        caller.session_id,
        at=now_iso(),
        ttl=epoch() + get_settings().websocket_connection_ttl_seconds,
    )
    repository.put_connection(item)
    return item


def disconnect(connection_id: str) -> None:
    """Forget the connection and its subscriptions (idempotent)."""
    repository.remove_connection(connection_id)


def forget(connection_ids: list[str], thread_id: str | None = None) -> None:
    """Remove connections found gone (410), with their subscription to ``thread_id``, which
    may outlive a connection item already removed."""
    for connection_id in connection_ids:
        repository.remove_connection(connection_id)
    if thread_id:
        repository.delete_subscriptions((thread_id, cid) for cid in connection_ids)


# ------------------------------------------------------------------------------------ frames


def error_frame(code: str, message: str, **context: Any) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message, **{k: v for k, v in context.items() if v}}


def reply(connection_id: str, frame: dict[str, Any]) -> None:
    if not gateway.post(connection_id, frame):
        repository.remove_connection(connection_id)


def handle_frame(connection_id: str, body: str | None) -> None:
    """Act on one client frame and answer it (see the module's docstring)."""
    try:
        answer = _answer(connection_id, body)
    except FrameError as exc:
        answer = error_frame(exc.code, exc.message, **exc.context)
    except DomainError as exc:
        answer = error_frame(exc.code, exc.message)
    if answer is not None:
        reply(connection_id, answer)


def _parse(body: str | None) -> dict[str, Any]:
    try:
        doc = json.loads(body or "")
    except ValueError:
        raise FrameError('Frames are JSON objects, e.g. {"action": "ping"}', code="INVALID_JSON") from None
    if not isinstance(doc, dict):
        raise FrameError('Frames are JSON objects, e.g. {"action": "ping"}')
    return doc


def _answer(connection_id: str, body: str | None) -> dict[str, Any] | None:
    doc = _parse(body)
    action = doc.get("action")
    if action == "ping":
        _validated(PingFrame, doc, action)
        return {"type": "pong"}
    if action not in THREAD_ACTIONS:
        known = ", ".join(("ping", *THREAD_ACTIONS))
        raise FrameError(
            f"Unknown action {repr(action)[:64]} (one of {known})",
            code="UNKNOWN_ACTION",
            action=action if isinstance(action, str) else None,
        )
    frame = _validated(ThreadFrame, doc, str(action))
    if frame.action == "subscribe":
        return _subscribe(connection_id, frame.thread_id)
    if frame.action == "unsubscribe":
        repository.unsubscribe(connection_id, frame.thread_id)
        return {"type": "unsubscribed", "threadId": frame.thread_id}
    return _typing(connection_id, frame.thread_id)


def _validated(model: type[PingFrame] | type[ThreadFrame], doc: dict[str, Any], action: str) -> Any:
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for problem in exc.errors():
            field = ".".join(str(part) for part in problem["loc"]) or "frame"
            errors.setdefault(field, []).append(str(problem["msg"]))
        summary = "; ".join(f"{field}: {messages[0]}" for field, messages in errors.items())
        raise FrameError(f"Invalid {action} frame: {summary}", errors=errors, action=action) from None


def _subscribe(connection_id: str, thread_id: str) -> dict[str, Any] | None:
    from shared.experience.access import thread_not_found, visible_thread

    connection = repository.get_connection(connection_id)
    if connection is None:
        gateway.close(connection_id)
        return None
    try:
        caller = tickets.session_principal(connection.user_id, connection.session_id)
    except (Unauthenticated, Forbidden) as exc:
        reply(connection_id, error_frame(exc.code, exc.message))
        gateway.close(connection_id)
        repository.remove_connection(connection_id)
        return None
    try:
        _thread, member = visible_thread(caller, thread_id)
    except DomainError as exc:
        raise FrameError.of(exc, threadId=thread_id) from None
    if member is None:  # an admin outside the thread: events go to participants only
        raise FrameError.of(thread_not_found(), threadId=thread_id)
    subscribed = set(connection.thread_ids or ())
    if thread_id not in subscribed and len(subscribed) >= MAX_SUBSCRIPTIONS:
        raise FrameError(
            f"A connection follows at most {MAX_SUBSCRIPTIONS} threads",
            code="TOO_MANY_SUBSCRIPTIONS",
            threadId=thread_id,
        )
    if not repository.subscribe(connection, thread_id, now_iso()):
        return None
    return {"type": "subscribed", "threadId": thread_id}


def _typing(connection_id: str, thread_id: str) -> dict[str, Any] | None:
    from shared.experience.access import thread_not_found

    own = repository.get_subscription(thread_id, connection_id)
    if own is None:
        raise FrameError.of(thread_not_found(), threadId=thread_id)
    frame = {"type": "typing", "threadId": thread_id, "user": {"id": own.user_id, "name": own.user_name}}
    others = [item.connection_id for item in repository.subscribers(thread_id) if item.user_id != own.user_id]
    forget(gateway.post_many(others, frame), thread_id)
    return None
