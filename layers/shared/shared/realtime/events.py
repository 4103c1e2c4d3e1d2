"""From table stream records to real-time events: one builder per item type (:data:`BUILDERS`).

A builder gets a :class:`Change` (the record's event name and images as entities) and returns
what to send: :class:`ThreadEvent` (to the thread's subscribed participants), :class:`UserEvent`
(to every connection of a user) or :class:`PresenceChange` (a connection opened or closed). A
new kind of event is a builder added to :data:`BUILDERS` under its item type, plus that type in
the fan-out's ``FilterCriteria`` in ``template.yaml`` (``tests/unit/test_realtime_events.py``
checks both agree).

Every event sent is ``{"type", "id", "threadId", "at", "data"}``; ``id`` is derived from the
stream record's ``eventID`` (and the event's position), so a redelivered record sends the same
ids and clients drop what they already have.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# The entities of the item types below, registered with the table's discriminator so that
# stream images deserialize into them.
import shared.commerce.orders.models
import shared.experience.artifacts_models
import shared.experience.files.models
import shared.experience.models
import shared.realtime.models  # noqa: F401
from shared.clock import iso, now_iso
from shared.data.table import Item


@dataclass(frozen=True)
class Change:
    event_id: str
    name: str  # INSERT | MODIFY | REMOVE
    item_type: str
    new: Any
    old: Any
    at: str


@dataclass(frozen=True)
class ThreadEvent:
    """Sent to the thread's subscribed connections whose user is in ``audience`` (None: the
    thread's participants as they are now). Afterwards the subscriptions of ``ends_for`` end
    (every subscription of the thread with ``ends_all``)."""

    type: str
    thread_id: str
    data: dict[str, Any]
    audience: frozenset[str] | None = None
    ends_for: frozenset[str] = field(default_factory=frozenset)
    ends_all: bool = False


@dataclass(frozen=True)
class UserEvent:
    """Sent to every open connection of ``user_id`` (not tied to a thread)."""

    type: str
    user_id: str
    data: dict[str, Any]


@dataclass(frozen=True)
class PresenceChange:
    user_id: str
    user_name: str
    connection_id: str
    online: bool
    ttl: int


Outgoing = ThreadEvent | UserEvent | PresenceChange
Builder = Callable[[Change], list[Outgoing]]


def change_of(record: dict[str, Any]) -> Change | None:
    """The record as a :class:`Change`; None for an item no builder knows (or no image)."""
    dynamodb = record.get("dynamodb") or {}
    new_image, old_image = dynamodb.get("NewImage"), dynamodb.get("OldImage")
    item_type = ((new_image or old_image or {}).get("type") or {}).get("S")
    if item_type not in BUILDERS:
        return None
    created = dynamodb.get("ApproximateCreationDateTime")
    at = iso(datetime.fromtimestamp(float(created), UTC)) if isinstance(created, int | float) else now_iso()
    return Change(
        event_id=str(record.get("eventID") or ""),
        name=str(record.get("eventName") or ""),
        item_type=str(item_type),
        new=_entity(new_image),
        old=_entity(old_image),
        at=at,
    )


def _entity(image: dict[str, Any] | None) -> Any:
    if not image:
        return None
    try:
        return Item.from_raw_data(image)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def frame(event: ThreadEvent | UserEvent, event_id: str, at: str) -> dict[str, Any]:
    thread_id = event.thread_id if isinstance(event, ThreadEvent) else None
    return {"type": event.type, "id": event_id, "threadId": thread_id, "at": at, "data": event.data}


def _dump(model: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = model.model_dump(by_alias=True, mode="json")
    return dumped


def _user(user_id: str, name: str) -> dict[str, str]:
    return {"id": user_id, "name": name}


# ---------------------------------------------------------------------------------- builders


def message_events(change: Change) -> list[Outgoing]:
    """``message.created`` (INSERT), ``message.deleted`` (tombstoned, by its author or moderator,
    or as its author's account was erased: then ``author`` names "Deleted user"),
    ``message.updated`` (edited: a new version; or a tombstone renamed by an erasure),
    ``reaction.updated`` (its reaction counts changed)."""
    from shared.experience.views import message_out, reaction_counts

    new, old = change.new, change.old
    if new is None:
        return []
    if change.name == "INSERT":
        return [ThreadEvent("message.created", new.thread_id, _dump(message_out(new)))]
    if old is None:
        return []
    if new.deleted and not old.deleted:
        author = _user(new.author_id, new.author_name)
        data = {"messageId": new.message_id, "deletedAt": new.deleted_at, "author": author}
        return [ThreadEvent("message.deleted", new.thread_id, data)]
    found: list[Outgoing] = []
    if new.deleted and new.author_name != old.author_name:  # a tombstone whose author's account was erased
        found.append(ThreadEvent("message.updated", new.thread_id, _dump(message_out(new))))
    if not new.deleted and int(new.version) != int(old.version):
        found.append(ThreadEvent("message.updated", new.thread_id, _dump(message_out(new))))
    counts = reaction_counts(new)
    if not new.deleted and counts != reaction_counts(old):
        ordered = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
        reactions = [{"emoji": emoji, "count": count} for emoji, count in ordered]
        found.append(
            ThreadEvent("reaction.updated", new.thread_id, {"messageId": new.message_id, "reactions": reactions})
        )
    return found


def action_events(change: Change) -> list[Outgoing]:
    """``action.created``: a button pressed or an option chosen on a message."""
    from shared.experience.views import action_out

    if change.name != "INSERT" or change.new is None:
        return []
    return [ThreadEvent("action.created", change.new.thread_id, _dump(action_out(change.new)))]


THREAD_FIELDS = ("title", "status", "metadata", "memory", "owner_id")


def _thread_view(thread: Any) -> dict[str, Any]:
    from shared.experience.views import thread_out

    view = _dump(thread_out(thread, None))
    view.pop("unreadCount", None)
    return view


def _participants(thread: Any) -> dict[str, Any]:
    return {p.user_id: p for p in thread.participants or []}


def thread_events(change: Change) -> list[Outgoing]:
    """``participant.added`` / ``participant.removed`` (the participants differ; the removed
    user is told, then their subscriptions end), ``thread.updated`` (title, status, metadata,
    memory or owner changed; on deletion with ``deleted: true``, and every subscription ends)."""
    new, old = change.new, change.old
    if change.name == "REMOVE" and old is not None:
        data = {**_thread_view(old), "deleted": True}
        return [
            ThreadEvent("thread.updated", old.thread_id, data, audience=frozenset(_participants(old)), ends_all=True)
        ]
    if change.name != "MODIFY" or new is None or old is None:
        return []
    before, after = _participants(old), _participants(new)
    found: list[Outgoing] = []
    for user_id in after.keys() - before.keys():
        person = after[user_id]
        data = {"user": _user(user_id, person.name), "role": person.role}
        found.append(ThreadEvent("participant.added", new.thread_id, data, audience=frozenset(after)))
    for user_id in before.keys() - after.keys():
        person = before[user_id]
        data = {"user": _user(user_id, person.name), "role": person.role}
        found.append(
            ThreadEvent(
                "participant.removed",
                new.thread_id,
                data,
                audience=frozenset(before),
                ends_for=frozenset({user_id}),
            )
        )
    if any(getattr(new, name) != getattr(old, name) for name in THREAD_FIELDS):
        found.append(ThreadEvent("thread.updated", new.thread_id, _thread_view(new)))
    return found


def order_events(change: Change) -> list[Outgoing]:
    """``order.updated`` to the buyer's connections when the order's status changed."""
    new, old = change.new, change.old
    if change.name != "MODIFY" or new is None or old is None or new.status == old.status:
        return []
    data = {
        "id": new.order_id,
        "orderNumber": new.order_number,
        "status": new.status,
        "previousStatus": old.status,
        "totalAmount": int(new.total_amount),
        "currency": new.currency,
        "trackingNumber": new.tracking_number,
        "trackingUrl": new.tracking_url,
        "updatedAt": new.updated_at,
    }
    return [UserEvent("order.updated", new.user_id, data)]


def connection_events(change: Change) -> list[Outgoing]:
    """A connection opened (INSERT) or went (REMOVE: ``$disconnect``, a 410, the TTL)."""
    item = change.new if change.name == "INSERT" else change.old if change.name == "REMOVE" else None
    if item is None:
        return []
    ttl = int(item.ttl.timestamp()) if isinstance(item.ttl, datetime) else int(item.ttl or 0)
    return [PresenceChange(item.user_id, item.user_name, item.connection_id, change.name == "INSERT", ttl)]


# Item type (the table's ``type`` attribute) -> builder. The fan-out's FilterCriteria in
# template.yaml lists the same types.
def artifact_events(change: Change) -> list[Outgoing]:
    """``artifact.created`` (INSERT of the head), ``artifact.updated`` (a new version: an update or
    a restore). Both carry the artifact without its content (up to 256 KB); clients GET it."""
    from shared.experience.artifacts import artifact_summary

    new, old = change.new, change.old
    if new is None:
        return []
    if change.name == "INSERT":
        return [ThreadEvent("artifact.created", new.thread_id, _dump(artifact_summary(new)))]
    if old is not None and int(new.version) != int(old.version):
        return [ThreadEvent("artifact.updated", new.thread_id, _dump(artifact_summary(new)))]
    return []


def file_events(change: Change) -> list[Outgoing]:
    """``file.ready``: a thread's upload passed the checks. Without its short-lived URLs (they
    would expire in clients' hands); ``GET /files/{id}`` signs them."""
    new, old = change.new, change.old
    if new is None or old is None or not new.thread_id:
        return []
    if new.status != "ready" or old.status == "ready":
        return []
    data = {
        "id": new.file_id,
        "filename": new.filename,
        "contentType": new.content_type,
        "size": int(new.size),
        "status": new.status,
        "threadId": new.thread_id,
        "uploader": _user(new.uploader_id, new.uploader_name),
        "width": int(new.width) if new.width is not None else None,
        "height": int(new.height) if new.height is not None else None,
        "createdAt": new.created_at,
        "updatedAt": new.updated_at,
    }
    return [ThreadEvent("file.ready", new.thread_id, data)]


BUILDERS: dict[str, Builder] = {
    "MESSAGE": message_events,
    "MESSAGE_ACTION": action_events,
    "ARTIFACT": artifact_events,
    "FILE": file_events,
    "THREAD": thread_events,
    "ORDER": order_events,
    "WS_CONNECTION": connection_events,
}
