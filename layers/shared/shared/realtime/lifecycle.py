"""Real-time's part of an account's erasure (:mod:`shared.lifecycle.registry`).

The account's WebSocket connections are closed (``DeleteConnection`` through the management API:
the client sees the socket end) and their items removed with their subscriptions, then its
presence item. It runs before the experience steps, so its sockets receive nothing of the
rewrites that follow. A connection's REMOVE reaches the fan-out as for any disconnect (the
user's threads are told they went offline); ``$disconnect`` then finds nothing left to remove.

Nothing real-time is exported: connections live two hours at most and hold nothing the user made.
"""

from __future__ import annotations

from shared.lifecycle.registry import ErasureContext, erasure_step, retain
from shared.realtime import gateway, repository

retain(
    "WS_TICKET",
    reason=(
        "single-use connect ticket stored by hash only; it expires by TTL within 60 s, and $connect "
        "re-reads the user, so a ticket of an erased account is refused"
    ),
)


@erasure_step("realtime.connections", entities=["WS_CONNECTION", "WS_SUBSCRIPTION", "WS_PRESENCE"], order=50)
def close_connections(ctx: ErasureContext) -> bool:
    """Close and forget every connection of the account, then its presence.

    Subscriptions are found through their connection's ``threadIds``; one that outlived its
    connection item (a race the fan-out also cleans up) cannot be found by user and expires with
    the connection's TTL (two hours at most)."""
    for connection in repository.connections_of(ctx.user_id):
        gateway.close(connection.connection_id)
        if repository.remove_connection(connection.connection_id) is not None:
            ctx.touch(1 + len(connection.thread_ids or ()))
        if ctx.out_of_time():
            return False
    if repository.delete_presence(ctx.user_id):
        ctx.touch()
    return True
