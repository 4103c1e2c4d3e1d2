"""Presence: who of a thread's participants has a WebSocket connection open.

A user is online from their first open connection to the end of their last one (the
connection set on their presence item, changed by the fan-out as connections open and go:
see :mod:`shared.realtime.models`). ``presence`` events tell the subscribers of each of the
user's threads (the :data:`PRESENCE_THREADS` most recently active) when that changes.
"""

from __future__ import annotations

from datetime import datetime

from shared.clock import now
from shared.identity.principal import Principal
from shared.realtime import repository
from shared.realtime.models import PresenceItem
from shared.realtime.schemas import PresenceEntry, PresenceUser, ThreadPresenceOut

PRESENCE_THREADS = 50


def is_online(item: PresenceItem | None, moment: datetime) -> bool:
    if item is None or not item.connection_ids:
        return False
    return item.ttl is None or item.ttl > moment


def thread_presence(caller: Principal, thread_id: str) -> ThreadPresenceOut:
    """The thread's participants, online first. Raises :class:`NotFound` ``THREAD_NOT_FOUND``
    for anyone but its participants and admins, :class:`Forbidden` ``DOMAIN_NOT_ALLOWED``."""
    from shared.experience.access import visible_thread

    thread, _member = visible_thread(caller, thread_id)
    people = list(thread.participants or [])
    found = repository.presence_of(p.user_id for p in people)
    moment = now()
    entries = [
        PresenceEntry(
            user=PresenceUser(id=p.user_id, name=p.name),
            status="online" if is_online(found.get(p.user_id), moment) else "offline",
        )
        for p in people
    ]
    entries.sort(key=lambda entry: entry.status != "online")
    online = [entry.user for entry in entries if entry.status == "online"]
    return ThreadPresenceOut(thread_id=thread.thread_id, online=online, participants=entries)
