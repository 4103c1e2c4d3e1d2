"""Real-time entities: connect tickets, WebSocket connections, thread subscriptions and presence.

Access patterns
===============

=========================================  ===================================================================
Who reads what                             Key / index
=========================================  ===================================================================
``$connect``: take a ticket (single use)   DeleteItem ``PK=WSTICKET#<sha256(ticket)>``, ``SK=TICKET``, conditioned
                                           on existence and ``expiresAt > now``, returning the old item
a connection (every frame)                 ``PK=WSCONN#<connectionId>``, ``SK=CONN`` (consistent GetItem); carries
                                           the user, the session and ``threadIds`` (its subscriptions)
a user's connections (order events,        Query GSI1 ``GSI1PK=USER_WS#<uid>``, ``GSI1SK=<connectedAt>#<cid>``
a removed participant)
a thread's subscribers (fan-out, typing)   Query ``PK=WSTHREAD#<tid>``, ``begins_with(SK, "CONN#")`` (consistent)
one subscription (typing)                  ``PK=WSTHREAD#<tid>``, ``SK=CONN#<cid>`` (consistent GetItem)
a user's presence                          ``PK=WSUSER#<uid>``, ``SK=PRESENCE``: ``connectionIds`` (a string set)
who of a thread is online                  BatchGetItem of the participants' presence items (at most 50)
=========================================  ===================================================================

Nothing here is kept long: a ticket's ``ttl`` is its expiry, a connection and its subscriptions
expire with the connection (API Gateway closes every connection after 2 h; ``$disconnect``
deletes them before that), and presence outlives its last connection by the same margin. A
subscription is written with its connection's ``threadIds`` in one transaction conditioned on
the connection, so a connection being removed never leaves a subscription behind; presence
changes by set ``ADD``/``DELETE`` of the connection id, so the first and the last connection of a
user are told apart without reading first (two tabs opening at once make one "online").

The table's stream carries ``WS_CONNECTION`` INSERTs and REMOVEs (whoever removed it:
``$disconnect``, a 410 seen by the fan-out, the TTL): the fan-out turns them into presence.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute

from shared.data.table import Item

TICKET_SK = "TICKET"
CONNECTION_SK = "CONN"
PRESENCE_SK = "PRESENCE"
SUBSCRIBER_PREFIX = "CONN#"


def ticket_pk(ticket_hash: str) -> str:
    return f"WSTICKET#{ticket_hash}"


def connection_pk(connection_id: str) -> str:
    return f"WSCONN#{connection_id}"


def user_connections(user_id: str) -> str:
    return f"USER_WS#{user_id}"


def subscribers_pk(thread_id: str) -> str:
    return f"WSTHREAD#{thread_id}"


def subscriber_sk(connection_id: str) -> str:
    return f"{SUBSCRIBER_PREFIX}{connection_id}"


def presence_pk(user_id: str) -> str:
    return f"WSUSER#{user_id}"


class TicketItem(Item, discriminator="WS_TICKET"):
    """``PK=WSTICKET#<sha256(ticket)>``, ``SK=TICKET``: only the hash is stored; ``ttl`` = expiry."""

    user_id = UnicodeAttribute(attr_name="userId")
    session_id = UnicodeAttribute(attr_name="sessionId")
    expires_at = NumberAttribute(attr_name="expiresAt")
    created_at = UnicodeAttribute(attr_name="createdAt")


class ConnectionItem(Item, discriminator="WS_CONNECTION"):
    """``PK=WSCONN#<cid>``, ``SK=CONN``; GSI1 ``USER_WS#<uid>`` lists the user's connections."""

    connection_id = UnicodeAttribute(attr_name="connectionId")
    user_id = UnicodeAttribute(attr_name="userId")
    user_name = UnicodeAttribute(attr_name="userName")
    session_id = UnicodeAttribute(attr_name="sessionId")
    thread_ids = UnicodeSetAttribute(null=True, attr_name="threadIds")
    connected_at = UnicodeAttribute(attr_name="connectedAt")


class SubscriptionItem(Item, discriminator="WS_SUBSCRIPTION"):
    """``PK=WSTHREAD#<tid>``, ``SK=CONN#<cid>``: the connection receives the thread's events."""

    thread_id = UnicodeAttribute(attr_name="threadId")
    connection_id = UnicodeAttribute(attr_name="connectionId")
    user_id = UnicodeAttribute(attr_name="userId")
    user_name = UnicodeAttribute(attr_name="userName")
    subscribed_at = UnicodeAttribute(attr_name="subscribedAt")


class PresenceItem(Item, discriminator="WS_PRESENCE"):
    """``PK=WSUSER#<uid>``, ``SK=PRESENCE``: the user's open connections (absent set = offline)."""

    user_id = UnicodeAttribute(attr_name="userId")
    connection_ids = UnicodeSetAttribute(null=True, attr_name="connectionIds")
