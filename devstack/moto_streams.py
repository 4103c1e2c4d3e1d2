"""Keep moto's DynamoDB streams true across cancelled transactions.

moto cancels a ``TransactWriteItems`` by putting back deep copies of the tables it touched: the
copies carry a copy of the stream shard, so every shard iterator handed out before (the stream
pollers') stays on the old shard and never sees another record, and the old shard keeps the
records of the writes the cancellation undid. DynamoDB streams nothing for a cancelled
transaction, and the stream goes on. :func:`keep_streams_through_cancellations` makes moto do
the same: after a cancellation each table gets its own shard back, without the undone records.
"""

from __future__ import annotations

from typing import Any

_PATCHED = "_keeps_streams"


def keep_streams_through_cancellations() -> None:
    """Patch moto's DynamoDB backend (idempotent; in-process moto, mock or server mode)."""
    from moto.dynamodb.models import DynamoDBBackend

    original = DynamoDBBackend.transact_write_items
    if getattr(original, _PATCHED, False):
        return

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        shards = {
            name: (table.stream_shard, len(table.stream_shard.items))
            for name, table in self.tables.items()
            if table.stream_shard is not None
        }
        try:
            original(self, transact_items)
        except Exception:
            for name, (shard, length) in shards.items():
                table = self.tables.get(name)
                if table is None:
                    continue
                del shard.items[length:]
                shard.table = table
                table.stream_shard = shard
            raise

    setattr(transact_write_items, _PATCHED, True)
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
