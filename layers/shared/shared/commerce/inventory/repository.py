"""Data access for low-stock entries (the only module building their keys); see :mod:`.models`."""

from __future__ import annotations

from functools import partial
from typing import Any

from pynamodb.transactions import TransactWrite

from shared.commerce.inventory.alerts import Snapshot
from shared.commerce.inventory.models import LowStockItem, low_stock_pk
from shared.data.pagination import Page, query_page
from shared.data.purge import delete_page
from shared.data.table import Item


def keep(tx: TransactWrite, product: Snapshot, since: str) -> None:
    tx.save(
        LowStockItem(
            low_stock_pk(product.seller_id),
            product.product_id,
            product_id=product.product_id,
            seller_id=product.seller_id,
            name=product.name,
            stock_quantity=product.stock,
            low_stock_threshold=product.threshold,
            since=since,
        )
    )


def clear(tx: TransactWrite, product: Snapshot) -> None:
    tx.delete(LowStockItem(low_stock_pk(product.seller_id), product.product_id))


def list_for_seller(seller_id: str, *, limit: int, position: dict[str, Any] | None) -> Page[LowStockItem]:
    run = partial(Item.query, low_stock_pk(seller_id), consistent_read=True)
    return query_page(run, limit=limit, position=position)


def clear_seller(seller_id: str, *, limit: int) -> tuple[int, bool]:
    """Delete one page of the seller's low-stock entries; returns (deleted, more may be left)."""
    return delete_page(partial(Item.query, low_stock_pk(seller_id), consistent_read=True), LowStockItem, limit=limit)
