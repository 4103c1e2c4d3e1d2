"""Unique constraints (email, username, slug, SKU...) as items claimed inside transactions.

Access pattern: ``PK = UNIQUE#<KIND>#<value>``, ``SK = UNIQUE``; the item names its owner.
A claim is a conditional put (``attribute_not_exists(PK)``) in the same transaction as the
owning entity, so two concurrent creates can never both succeed.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.transactions import TransactWrite

from shared.data.table import Item

UNIQUE_SK = "UNIQUE"


class UniqueItem(Item, discriminator="UNIQUE"):
    owner_id = UnicodeAttribute(attr_name="ownerId")
    kind = UnicodeAttribute()

    @staticmethod
    def key(kind: str, value: str) -> tuple[str, str]:
        return f"UNIQUE#{kind.upper()}#{value}", UNIQUE_SK


def claim(tx: TransactWrite, kind: str, value: str, owner_id: str) -> None:
    pk, sk = UniqueItem.key(kind, value)
    item = UniqueItem(pk, sk, owner_id=owner_id, kind=kind.upper())
    tx.save(item, condition=Item.pk.does_not_exist())


def release(tx: TransactWrite, kind: str, value: str, owner_id: str) -> None:
    pk, sk = UniqueItem.key(kind, value)
    tx.delete(UniqueItem(pk, sk, owner_id=owner_id, kind=kind.upper()), condition=UniqueItem.owner_id == owner_id)


def owner_of(kind: str, value: str) -> str | None:
    pk, sk = UniqueItem.key(kind, value)
    try:
        found = Item.get(pk, sk, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found.owner_id if isinstance(found, UniqueItem) else None
