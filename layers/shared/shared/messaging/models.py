"""Outbox items: messages the system owes, written in the transaction of the change that causes
them and relayed from the table's stream (see :mod:`shared.messaging.outbox`).

Access patterns
===============

=========================================  =====================================================
Who reads or writes what                   Key / index
=========================================  =====================================================
a domain write owes a message              put ``PK=OUTBOX#<destination>#<business key>``,
                                           ``SK=OUTBOX`` in the write's own transaction, only if
                                           absent (the same business key twice collapses)
the relay: is this message still owed?     GetItem by key, consistent (``relayedAt`` absent)
the relay: mark it relayed                 UpdateItem by key: set ``relayedAt`` and ``ttl``
                                           (7 days), drop the body and the GSI1 keys;
                                           conditioned on not relayed
the sweep: messages still owed, oldest     GSI1 ``GSI1PK=OUTBOX#OWED#<shard>``, ``GSI1SK <
first (the stream gave up, or missed one)  <cutoff>``, one Query per shard (``OWED_SHARDS``);
                                           sparse: only owed items carry GSI1 keys
=========================================  =====================================================

The stream (``NEW_AND_OLD_IMAGES``) delivers the INSERT of each item to the relay; its
FilterCriteria match ``eventName = INSERT`` and ``type = OUTBOX``, so the relay's own update
(a MODIFY) and TTL deletions (REMOVE) never reach it. An owed item has no ``ttl``: nothing
expires before it is relayed.
"""

from __future__ import annotations

import zlib

from pynamodb.attributes import UnicodeAttribute

from shared.data.table import Item

OUTBOX_TYPE = "OUTBOX"
OUTBOX_SK = "OUTBOX"
# Owed items spread over this many index partitions, so a burst of messages never heats one key.
OWED_SHARDS = 8


def owed_partition(shard: int) -> str:
    return f"OUTBOX#OWED#{shard}"


def owed_index_keys(destination: str, key: str, created_at: str) -> tuple[str, str]:
    """GSI1 keys of an owed item: its shard (from the business key) and its age."""
    shard = zlib.crc32(f"{destination}#{key}".encode()) % OWED_SHARDS
    return owed_partition(shard), f"{created_at}#{destination}#{key}"


def outbox_key(destination: str, key: str) -> tuple[str, str]:
    return f"OUTBOX#{destination}#{key}", OUTBOX_SK


class OutboxItem(Item, discriminator=OUTBOX_TYPE):
    destination = UnicodeAttribute()
    message_key = UnicodeAttribute(attr_name="messageKey")
    body = UnicodeAttribute(null=True)  # the queue message, JSON; dropped once relayed
    created_at = UnicodeAttribute(attr_name="createdAt")
    relayed_at = UnicodeAttribute(null=True, attr_name="relayedAt")
