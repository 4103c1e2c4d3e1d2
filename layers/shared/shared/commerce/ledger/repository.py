"""Data access for ledger entries and seller balances (the only module building their keys).
See :mod:`.models` for the access patterns."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import partial
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from shared.commerce.ledger.models import (
    ALL_ENTRIES,
    LedgerEntryItem,
    SellerBalanceItem,
    balance_key,
    ledger_pk,
    seller_ledger,
    type_partition,
)
from shared.data.pagination import Page, query_page
from shared.data.table import Item
from shared.data.transactions import is_condition_failure, transaction


def entry_id(order_id: str, key: str) -> str:
    """A stable, opaque id for the entry ``key`` of an order."""
    return "le_" + hashlib.sha256(f"{order_id}|{key}".encode()).hexdigest()[:24]


def new_entry(
    order_id: str,
    key: str,
    *,
    entry_type: str,
    amount: int,
    currency: str,
    created_at: str,
    seller_id: str | None = None,
    stripe_id: str | None = None,
    payout_id: str | None = None,
) -> LedgerEntryItem:
    eid = entry_id(order_id, key)
    entry = LedgerEntryItem(
        ledger_pk(order_id),
        key,
        entry_id=eid,
        entry_type=entry_type,
        amount=amount,
        currency=currency,
        order_id=order_id,
        seller_id=seller_id,
        stripe_id=stripe_id,
        payout_id=payout_id,
        created_at=created_at,
    )
    position = f"{created_at}#{eid}"
    entry.gsi2pk, entry.gsi2sk = type_partition(entry_type), position
    entry.gsi3pk, entry.gsi3sk = ALL_ENTRIES, position
    if seller_id:
        entry.gsi1pk, entry.gsi1sk = seller_ledger(seller_id), position
    return entry


def post(tx: TransactWrite, entries: Sequence[LedgerEntryItem]) -> None:
    """Add each entry as a put-if-absent to ``tx``: a replay fails the transaction's condition."""
    for entry in entries:
        tx.save(entry, condition=Item.pk.does_not_exist())


def move_balance(
    tx: TransactWrite, seller_id: str, currency: str, *, lifetime: int = 0, available: int = 0, paid: int = 0
) -> None:
    """``ADD`` to a seller's balance in ``tx`` (the item is created by the first one)."""
    pk, sk = balance_key(seller_id, currency)
    actions: list[Any] = [Item.item_type.set(SellerBalanceItem), SellerBalanceItem.seller_id.set(seller_id)]
    actions.append(SellerBalanceItem.currency.set(currency))
    for attr, delta in ((SellerBalanceItem.lifetime, lifetime), (SellerBalanceItem.available, available)):
        if delta:
            actions.append(attr.add(delta))
    if paid:
        actions.append(SellerBalanceItem.paid.add(paid))
    tx.update(SellerBalanceItem(pk, sk), actions=actions)


def record(entries: Sequence[LedgerEntryItem], balances: dict[str, int], currency: str) -> bool:
    """Write ``entries`` and raise each seller's lifetime earnings by ``balances[sellerId]``, all in
    one transaction. Returns ``False`` when the entries exist already (a replay: nothing written)."""
    if not entries:
        return False
    try:
        with transaction() as tx:
            post(tx, entries)
            for seller_id, delta in balances.items():
                if delta:
                    move_balance(tx, seller_id, currency, lifetime=delta)
    except TransactWriteError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def entries_of(order_id: str) -> list[LedgerEntryItem]:
    found = Item.query(ledger_pk(order_id))
    return [item for item in found if isinstance(item, LedgerEntryItem)]


def balance_of(seller_id: str, currency: str) -> SellerBalanceItem | None:
    pk, sk = balance_key(seller_id, currency)
    try:
        found = Item.get(pk, sk, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, SellerBalanceItem) else None


def list_entries(
    entry_type: str | None,
    *,
    start: str | None,
    end: str | None,
    limit: int,
    position: dict[str, Any] | None,
) -> Page[Any]:
    """Entries newest first, of one type or all, with ``start <= createdAt < end`` (ISO strings)."""
    if entry_type:
        index, run_query, sort_key = "GSI2", Item.gsi2.query, Item.gsi2sk
        partition = type_partition(entry_type)
    else:
        index, run_query, sort_key = "GSI3", Item.gsi3.query, Item.gsi3sk
        partition = ALL_ENTRIES
    condition: Any = None
    if start and end:
        condition = sort_key.between(start, end)
    elif start:
        condition = sort_key >= start
    elif end:
        condition = sort_key < end
    run = partial(run_query, partition, condition, scan_index_forward=False)
    return query_page(run, limit=limit, position=position, index=index)
