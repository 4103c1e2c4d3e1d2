"""Deliver stream records to WebSocket connections (the fan-out function's work per record).

A thread's event goes to the connections subscribed to it whose user is a participant (read
from the thread as it is now, unless the event names its audience): a participant removed a
moment ago gets nothing more even if their ``participant.removed`` is still on its way, and a
subscription found without its participant ends. One ``PostToConnection`` per connection; a
connection answering 410 is removed with its subscriptions. Delivery is at least once: a
record retried after a failure sends its events again with the same ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shared.realtime import connections, gateway, repository
from shared.realtime.events import (
    BUILDERS,
    Change,
    PresenceChange,
    ThreadEvent,
    UserEvent,
    change_of,
    frame,
)
from shared.realtime.presence import PRESENCE_THREADS


@dataclass
class Delivery:
    """What one record caused: events sent and ``PostToConnection`` calls made."""

    events: int = 0
    posts: int = 0
    gone: int = 0


def deliver(record: dict[str, Any]) -> Delivery:
    """Send the events of one stream record. Raises on a failure the stream should retry."""
    done = Delivery()
    change = change_of(record)
    if change is None:
        return done
    for index, outgoing in enumerate(BUILDERS[change.item_type](change)):
        event_id = f"{change.event_id}:{index}"
        if isinstance(outgoing, ThreadEvent):
            _to_thread(outgoing, frame(outgoing, event_id, change.at), done)
        elif isinstance(outgoing, UserEvent):
            _to_user(outgoing, frame(outgoing, event_id, change.at), done)
        elif isinstance(outgoing, PresenceChange):
            _presence(outgoing, change, done)
    return done


def _participants(thread_id: str) -> frozenset[str]:
    from shared.experience import repository as threads

    found = threads.get_threads([thread_id]).get(thread_id)
    return frozenset(p.user_id for p in found.participants or []) if found else frozenset()


def _to_thread(event: ThreadEvent, body: dict[str, Any], done: Delivery) -> None:
    subscribed = repository.subscribers(event.thread_id)
    if not subscribed:
        return
    audience = event.audience if event.audience is not None else _participants(event.thread_id)
    targets = [item for item in subscribed if item.user_id in audience]
    _post([item.connection_id for item in targets], body, done, event.thread_id)
    ending = [
        item for item in subscribed if event.ends_all or item.user_id in event.ends_for or item.user_id not in audience
    ]
    repository.end_subscriptions(ending)


def _to_user(event: UserEvent, body: dict[str, Any], done: Delivery) -> None:
    _post([item.connection_id for item in repository.connections_of(event.user_id)], body, done)


def _post(connection_ids: list[str], body: dict[str, Any], done: Delivery, thread_id: str | None = None) -> None:
    if not connection_ids:
        return
    gone = gateway.post_many(connection_ids, body)
    done.events += 1
    done.posts += len(set(connection_ids))
    done.gone += len(gone)
    connections.forget(gone, thread_id)


def _presence(change: PresenceChange, record: Change, done: Delivery) -> None:
    """Record the connection on the user's presence; on the first (online) or the last
    (offline), tell the subscribers of the user's threads."""
    if change.online:
        moved = repository.join(change.user_id, change.connection_id, change.ttl)
    else:
        moved = repository.leave(change.user_id, change.connection_id)
    if not moved:
        return
    status = "online" if change.online else "offline"
    data = {"user": {"id": change.user_id, "name": change.user_name}, "status": status}
    for thread_id, audience in _threads_of(change.user_id):
        event = ThreadEvent("presence", thread_id, data, audience=audience)
        _to_thread(event, frame(event, f"{record.event_id}:{thread_id}", record.at), done)


def _threads_of(user_id: str) -> Iterable[tuple[str, frozenset[str]]]:
    """The user's most recently active threads with their participants."""
    from shared.experience import repository as threads

    ids = threads.thread_ids_of(user_id, PRESENCE_THREADS)
    for thread_id, thread in threads.get_threads(ids).items():
        yield thread_id, frozenset(p.user_id for p in thread.participants or [])
