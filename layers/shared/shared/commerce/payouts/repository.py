"""Data access for payouts and payout accounts (the only module building their keys). See
:mod:`.models` for the access patterns and the lifecycle."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition

from shared.commerce.ledger import repository as ledger
from shared.commerce.ledger.models import LedgerEntryItem
from shared.commerce.payouts.models import (
    ALL_PAYOUTS,
    PAYOUT_SK,
    PayoutAccountItem,
    PayoutItem,
    account_key,
    payout_pk,
    seller_payouts,
    status_partition,
)
from shared.data.pagination import Page, query_page
from shared.data.table import Item
from shared.data.transactions import is_condition_failure, transaction
from shared.messaging import outbox
from shared.messaging.owed import Owed


def new_payout(payout_id: str, **fields: Any) -> PayoutItem:
    payout = PayoutItem(payout_pk(payout_id), PAYOUT_SK, payout_id=payout_id, **fields)
    position = f"{payout.created_at}#{payout_id}"
    payout.gsi1pk, payout.gsi1sk = seller_payouts(payout.seller_id), position
    payout.gsi2pk, payout.gsi2sk = status_partition(payout.status), f"{payout.release_at}#{payout_id}"
    payout.gsi3pk, payout.gsi3sk = ALL_PAYOUTS, position
    return payout


def create(payout: PayoutItem, *, available: int = 0, owed: Sequence[Owed] = ()) -> bool:
    """Put the payout iff it does not exist, owing ``owed`` with it; ``False`` when it existed."""
    try:
        with transaction() as tx:
            tx.save(payout, condition=Item.pk.does_not_exist())
            if available:
                ledger.move_balance(tx, payout.seller_id, payout.currency, available=available)
            outbox.add(tx, *owed)
    except TransactWriteError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def get(payout_id: str) -> PayoutItem | None:
    try:
        found = Item.get(payout_pk(payout_id), PAYOUT_SK, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, PayoutItem) else None


def change(
    payout: PayoutItem,
    *,
    sets: dict[str, Any],
    expect: Condition | None = None,
    available: int = 0,
    paid: int = 0,
    entries: Sequence[LedgerEntryItem] = (),
    owed: Sequence[Owed] = (),
) -> bool:
    """Update ``payout`` iff its status and refund basis are still what the caller read (and
    ``expect`` holds), setting ``sets`` (a ``status`` moves its index keys too), moving the
    seller's balance, writing ledger ``entries`` and owing ``owed`` in the same transaction.
    Returns ``False`` when a condition failed (nothing was written)."""
    actions: list[Any] = []
    for name, value in sets.items():
        attr = getattr(PayoutItem, name)
        actions.append(attr.remove() if value is None else attr.set(value))
        if name == "status":
            actions.append(Item.gsi2pk.set(status_partition(str(value))))
    condition = (
        Item.pk.exists()
        & (PayoutItem.status == payout.status)
        & (PayoutItem.refund_basis == int(payout.refund_basis or 0))
    )
    if expect is not None:
        condition &= expect
    target = PayoutItem(payout_pk(payout.payout_id), PAYOUT_SK)
    try:
        with transaction() as tx:
            tx.update(target, actions=actions, condition=condition)
            if available or paid:
                ledger.move_balance(tx, payout.seller_id, payout.currency, available=available, paid=paid)
            ledger.post(tx, entries)
            outbox.add(tx, *owed)
    except TransactWriteError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def for_seller(seller_id: str, *, limit: int, position: dict[str, Any] | None, status: str | None = None) -> Page[Any]:
    run = partial(Item.gsi1.query, seller_payouts(seller_id), scan_index_forward=False)
    if status:
        run = partial(run, filter_condition=PayoutItem.status == status)
    return query_page(run, limit=limit, position=position, index="GSI1")


def by_status(status: str, *, limit: int, position: dict[str, Any] | None, due_by: str | None = None) -> Page[Any]:
    """Payouts of ``status``, by release time (newest first; with ``due_by``, only those whose
    release time has come, oldest first)."""
    if due_by is not None:
        run = partial(Item.gsi2.query, status_partition(status), Item.gsi2sk <= f"{due_by}#~")
        return query_page(run, limit=limit, position=position, index="GSI2")
    run = partial(Item.gsi2.query, status_partition(status), scan_index_forward=False)
    return query_page(run, limit=limit, position=position, index="GSI2")


def everything(*, limit: int, position: dict[str, Any] | None) -> Page[Any]:
    run = partial(Item.gsi3.query, ALL_PAYOUTS, scan_index_forward=False)
    return query_page(run, limit=limit, position=position, index="GSI3")


# ---------------------------------------------------------------------------- payout accounts


def get_account(seller_id: str) -> PayoutAccountItem | None:
    pk, sk = account_key(seller_id)
    try:
        found = Item.get(pk, sk, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, PayoutAccountItem) else None


def keep_account(seller_id: str, account_id: str, at: str) -> str:
    """Store the seller's account unless one is stored already; returns the one that stays."""
    pk, sk = account_key(seller_id)
    item = PayoutAccountItem(pk, sk, seller_id=seller_id, account_id=account_id, created_at=at, updated_at=at)
    try:
        item.save(condition=Item.pk.does_not_exist())
    except PutError as exc:
        if is_condition_failure(exc):
            found = get_account(seller_id)
            return found.account_id if found else account_id
        raise
    return account_id


def sync_account(seller_id: str, account_id: str, *, synced_at: int, at: str, **fields: Any) -> bool:
    """Apply the account's state as of ``synced_at`` (the Stripe event's ``created``) iff no later
    state was applied and it is the seller's stored account."""
    pk, sk = account_key(seller_id)
    actions: list[Any] = [PayoutAccountItem.synced_at.set(synced_at), PayoutAccountItem.updated_at.set(at)]
    actions += [getattr(PayoutAccountItem, name).set(value) for name, value in fields.items()]
    condition = (PayoutAccountItem.account_id == account_id) & (PayoutAccountItem.synced_at <= synced_at)
    try:
        PayoutAccountItem(pk, sk).update(actions=actions, condition=condition)
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True
