"""Make moto's ``TransactWriteItems`` cheap and keep its DynamoDB streams true when it cancels.

moto backs a transaction up by deep-copying every table it touches, with every item and the
table's stream shard holding every record ever streamed: each transaction costs the whole
history of the table, so a long-running local stack (or a test session) slows down and grows
by gigabytes. Its cancellation then puts the copies back: every shard iterator handed out
before (the stream pollers') stays on the old shard and never sees another record, and the old
shard keeps the records of the writes the cancellation undid.

:func:`keep_streams_through_cancellations` makes moto back up only the items the transaction
names (DynamoDB's own unit of isolation), put those back on cancellation, and drop the records
of the undone writes from the table's own shard: DynamoDB streams nothing for a cancelled
transaction, and the stream goes on.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

_PATCHED = "_keeps_streams"
_in_transaction = threading.local()


def _backups(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, Any, Any, Any]]:
    """``(table, hash key, range key, a copy of the item or None)`` for each item named."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    found = []
    for entry in transact_items:
        for op_type, op in entry.items():
            table = backend.tables.get(op.get("TableName"))
            if table is None:
                continue
            key = op.get("Item") if op_type == "Put" else op.get("Key")
            if not key or table.hash_key_attr not in key:
                continue
            hash_key = DynamoType(key[table.hash_key_attr])
            range_key = None
            if table.range_key_attr is not None:
                if table.range_key_attr not in key:
                    continue
                range_key = DynamoType(key[table.range_key_attr])
            current = table.get_item(hash_key, range_key)
            found.append((table, hash_key, range_key, copy.deepcopy(current)))
    return found


def _restore(backups: list[tuple[Any, Any, Any, Any]]) -> None:
    for table, hash_key, range_key, item in reversed(backups):
        if range_key is None:
            if item is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = item
        elif item is None:
            table.items.get(hash_key, {}).pop(range_key, None)
        else:
            table.items[hash_key][range_key] = item


def keep_streams_through_cancellations() -> None:
    """Patch moto's DynamoDB backend (idempotent; in-process moto, mock or server mode)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    original = DynamoDBBackend.transact_write_items
    if getattr(original, _PATCHED, False):
        return

    def table_copy(self: Any, memo: dict[int, Any]) -> Any:
        """Inside a transaction moto's whole-table backup is the table itself: the items it
        names are backed up one by one instead. Elsewhere, a real deep copy."""
        if getattr(_in_transaction, "active", False):
            return self
        clone = self.__class__.__new__(self.__class__)
        memo[id(self)] = clone
        for name, value in self.__dict__.items():
            setattr(clone, name, copy.deepcopy(value, memo))
        return clone

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        shards = {
            name: (table.stream_shard, len(table.stream_shard.items))
            for name, table in self.tables.items()
            if table.stream_shard is not None
        }
        backups = _backups(self, transact_items)
        _in_transaction.active = True
        try:
            original(self, transact_items)
        except Exception:
            _restore(backups)
            for name, (shard, length) in shards.items():
                table = self.tables.get(name)
                if table is None:
                    continue
                del shard.items[length:]
                shard.table = table
                table.stream_shard = shard
            raise
        finally:
            _in_transaction.active = False

    Table.__deepcopy__ = table_copy  # type: ignore[attr-defined]
    setattr(transact_write_items, _PATCHED, True)
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
