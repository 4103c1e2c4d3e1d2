"""Data access for what checkout writes into products: stock and proofs of purchase.

Access patterns (keys in :mod:`.models`)
----------------------------------------
* stock taken or given back: ``UpdateItem`` of ``PK=PRODUCT#<id>``, ``SK=PRODUCT`` inside the
  order's own transaction (conditioned, so stock never goes below zero);
* did the user buy the product? ``PK=USER#<uid>``, ``SK=PURCHASE#<pid>`` (put when an order is
  paid, read for a review's ``verifiedPurchase``; erased by :mod:`.erasure`).
"""

from __future__ import annotations

from pynamodb.transactions import TransactWrite

from shared.commerce.products.models import PRODUCT_SK, ProductItem, PurchaseItem, product_pk, purchase_key
from shared.data.table import Item


def reserve_stock(tx: TransactWrite, product_id: str, quantity: int, unit_price: int) -> None:
    """Take ``quantity`` units iff the product is still active, has them, and still sells at the
    price the order snapshots. Bumps the version so a concurrent edit made on a stale read of the
    stock is refused and re-applied on the fresh product."""
    tx.update(
        ProductItem(product_pk(product_id), PRODUCT_SK),
        actions=[ProductItem.stock_quantity.add(-quantity), ProductItem.version.add(1)],
        condition=(ProductItem.status == "active")
        & (ProductItem.stock_quantity >= quantity)
        & (ProductItem.price == unit_price),
    )


def release_stock(tx: TransactWrite, product_id: str, quantity: int) -> None:
    """Give ``quantity`` units back (a deleted product has nothing to give back to: the condition
    keeps the update from recreating it as a stub)."""
    tx.update(
        ProductItem(product_pk(product_id), PRODUCT_SK),
        actions=[ProductItem.stock_quantity.add(quantity), ProductItem.version.add(1)],
        condition=Item.pk.exists(),
    )


def record_purchase(tx: TransactWrite, user_id: str, product_id: str) -> None:
    """The proof of purchase reviews check (``verifiedPurchase``); idempotent put."""
    pk, sk = purchase_key(user_id, product_id)
    tx.save(PurchaseItem(pk, sk, product_id=product_id, user_id=user_id))


def has_purchased(user_id: str, product_id: str) -> bool:
    pk, sk = purchase_key(user_id, product_id)
    try:
        Item.get(pk, sk, consistent_read=True)
    except Item.DoesNotExist:
        return False
    return True
