"""Data access for real-time: the only module building the keys of :mod:`shared.realtime.models`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from pynamodb.exceptions import DeleteError, TransactWriteError

from shared.data.table import Item, connection
from shared.data.transactions import delete_if, is_condition_failure, transaction, update_if
from shared.realtime.models import (
    CONNECTION_SK,
    PRESENCE_SK,
    SUBSCRIBER_PREFIX,
    TICKET_SK,
    ConnectionItem,
    PresenceItem,
    SubscriptionItem,
    TicketItem,
    connection_pk,
    presence_pk,
    subscriber_sk,
    subscribers_pk,
    ticket_pk,
    user_connections,
)


def _moment(epoch_seconds: int) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, UTC)


# ------------------------------------------------------------------------------------ tickets


def put_ticket(ticket_hash: str, user_id: str, session_id: str, *, expires_at: int, created_at: str) -> None:
    TicketItem(
        ticket_pk(ticket_hash),
        TICKET_SK,
        user_id=user_id,
        session_id=session_id,
        expires_at=expires_at,
        created_at=created_at,
        ttl=_moment(expires_at),
    ).save(condition=Item.pk.does_not_exist())


def take_ticket(ticket_hash: str, now: int) -> TicketItem | None:
    """Delete the ticket iff it exists and is unexpired, returning it: one DeleteItem, so of two
    handshakes presenting the same ticket exactly one gets it. ``None``: unknown, used or expired."""
    condition = Item.pk.exists() & (TicketItem.expires_at > now)
    try:
        answer = connection().delete_item(
            Item.Meta.table_name, ticket_pk(ticket_hash), TICKET_SK, condition=condition, return_values="ALL_OLD"
        )
    except DeleteError as exc:
        if is_condition_failure(exc):
            return None
        raise
    found = Item.from_raw_data(answer.get("Attributes") or {})
    return found if isinstance(found, TicketItem) else None


# ------------------------------------------------------------------------------- connections


def new_connection(
    connection_id: str, user_id: str, user_name: str, session_id: str, *, at: str, ttl: int
) -> ConnectionItem:
    item = ConnectionItem(
        connection_pk(connection_id),
        CONNECTION_SK,
        connection_id=connection_id,
        user_id=user_id,
        user_name=user_name,
        session_id=session_id,
        connected_at=at,
        ttl=_moment(ttl),
    )
    item.gsi1pk, item.gsi1sk = user_connections(user_id), f"{at}#{connection_id}"
    return item


def put_connection(item: ConnectionItem) -> None:
    item.save(condition=Item.pk.does_not_exist())


def get_connection(connection_id: str) -> ConnectionItem | None:
    try:
        found = Item.get(connection_pk(connection_id), CONNECTION_SK, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, ConnectionItem) else None


def connections_of(user_id: str) -> list[ConnectionItem]:
    """The user's open connections (GSI1: a connection opened a moment ago may be missing)."""
    found = Item.gsi1.query(user_connections(user_id))
    return [item for item in found if isinstance(item, ConnectionItem)]


def remove_connection(connection_id: str) -> ConnectionItem | None:
    """Delete the connection and its subscriptions; the removed connection, or None if it was
    already gone. Idempotent. A subscription added concurrently is refused by its transaction's
    condition on the connection, so none is left behind."""
    answer = connection().delete_item(
        Item.Meta.table_name, connection_pk(connection_id), CONNECTION_SK, return_values="ALL_OLD"
    )
    removed = Item.from_raw_data(answer["Attributes"]) if answer.get("Attributes") else None
    if not isinstance(removed, ConnectionItem):
        return None
    delete_subscriptions((thread_id, connection_id) for thread_id in removed.thread_ids or ())
    return removed


# ----------------------------------------------------------------------------- subscriptions


def subscribe(connection: ConnectionItem, thread_id: str, at: str) -> bool:
    """Put the subscription and add the thread to the connection's ``threadIds``, atomically;
    False when the connection is gone meanwhile (nothing written)."""
    subscription = SubscriptionItem(
        subscribers_pk(thread_id),
        subscriber_sk(connection.connection_id),
        thread_id=thread_id,
        connection_id=connection.connection_id,
        user_id=connection.user_id,
        user_name=connection.user_name,
        subscribed_at=at,
        ttl=connection.ttl,
    )
    ref = ConnectionItem(connection_pk(connection.connection_id), CONNECTION_SK)
    try:
        with transaction() as tx:
            tx.update(ref, actions=[ConnectionItem.thread_ids.add({thread_id})], condition=Item.pk.exists())
            tx.save(subscription)
    except TransactWriteError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def unsubscribe(connection_id: str, thread_id: str) -> None:
    """Delete the subscription and drop the thread from the connection's ``threadIds`` (idempotent)."""
    ref = ConnectionItem(connection_pk(connection_id), CONNECTION_SK)
    try:
        with transaction() as tx:
            tx.delete(SubscriptionItem(subscribers_pk(thread_id), subscriber_sk(connection_id)))
            tx.update(ref, actions=[ConnectionItem.thread_ids.delete({thread_id})], condition=Item.pk.exists())
    except TransactWriteError as exc:
        if not is_condition_failure(exc):
            raise
        delete_subscriptions([(thread_id, connection_id)])


def get_subscription(thread_id: str, connection_id: str) -> SubscriptionItem | None:
    try:
        found = Item.get(subscribers_pk(thread_id), subscriber_sk(connection_id), consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, SubscriptionItem) else None


def subscribers(thread_id: str) -> list[SubscriptionItem]:
    """Every connection subscribed to the thread (one consistent Query of its partition)."""
    found = Item.query(subscribers_pk(thread_id), Item.sk.startswith(SUBSCRIBER_PREFIX), consistent_read=True)
    return [item for item in found if isinstance(item, SubscriptionItem)]


def delete_subscriptions(pairs: Iterable[tuple[str, str]]) -> None:
    """Delete the ``(threadId, connectionId)`` subscriptions (absent ones are no-ops)."""
    keys = list(dict.fromkeys(pairs))
    if not keys:
        return
    with SubscriptionItem.batch_write() as batch:
        for thread_id, connection_id in keys:
            batch.delete(SubscriptionItem(subscribers_pk(thread_id), subscriber_sk(connection_id)))


def end_subscriptions(items: Iterable[SubscriptionItem]) -> None:
    """Unsubscribe these connections from their threads (a removed participant, a deleted thread)."""
    for item in items:
        unsubscribe(item.connection_id, item.thread_id)


# ---------------------------------------------------------------------------------- presence


def join(user_id: str, connection_id: str, ttl: int) -> bool:
    """Add the connection to the user's presence; True when it is then the user's only one
    (the user came online). Set ``ADD`` is idempotent: a replayed join changes nothing."""
    item = PresenceItem(presence_pk(user_id), PRESENCE_SK)
    item.update(
        actions=[
            Item.item_type.set(PresenceItem),  # the discriminator: an upsert may create the item
            PresenceItem.user_id.set(user_id),
            PresenceItem.connection_ids.add({connection_id}),
            Item.ttl.set(_moment(ttl)),
        ]
    )
    return set(item.connection_ids or ()) == {connection_id}


def leave(user_id: str, connection_id: str) -> bool:
    """Remove the connection from the user's presence; True when none is left (the user went
    offline). DynamoDB drops an emptied set, so "none left" needs no read."""
    item = PresenceItem(presence_pk(user_id), PRESENCE_SK)
    if not update_if(item, [PresenceItem.connection_ids.delete({connection_id})], Item.pk.exists()):
        return False
    return not item.connection_ids


def presence_of(user_ids: Iterable[str]) -> dict[str, PresenceItem]:
    keys = [(presence_pk(user_id), PRESENCE_SK) for user_id in dict.fromkeys(user_ids)]
    return {item.user_id: item for item in Item.batch_get(keys) if isinstance(item, PresenceItem)}


def delete_presence(user_id: str) -> bool:
    """Forget the user's presence (an erased account); False when there was none."""
    return delete_if(PresenceItem(presence_pk(user_id), PRESENCE_SK))
