"""Data access for erasure records (see :mod:`shared.lifecycle.models` for the keys)."""

from __future__ import annotations

from typing import Any

from pynamodb.transactions import TransactWrite

from shared.clock import now_iso
from shared.data.table import Item
from shared.data.transactions import update_if
from shared.lifecycle.models import ErasureItem, erasure_key


def new_record(
    user_id: str, *, role: str, requested_by: str, job_id: str, email: str, username: str | None
) -> ErasureItem:
    return ErasureItem(
        *erasure_key(user_id),
        user_id=user_id,
        role=role,
        requested_at=now_iso(),
        requested_by=requested_by,
        status="erasing",
        part=1,
        job_id=job_id,
        touched=0,
        email=email,
        username=username,
    )


def add_record(tx: TransactWrite, record: ErasureItem) -> None:
    """Put ``record`` in the deletion's transaction, only if the account has none yet."""
    tx.save(record, condition=Item.pk.does_not_exist())


def get(user_id: str) -> ErasureItem | None:
    try:
        found = Item.get(*erasure_key(user_id), consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, ErasureItem) else None


def _update(user_id: str, actions: list[Any], condition: Any) -> bool:
    return update_if(ErasureItem(*erasure_key(user_id)), actions, condition)


def step_done(user_id: str, step: str, touched: int) -> bool:
    """Record ``step`` as done (with the items it touched in this run); ``False`` when it already
    was (another run recorded it: its count is not added twice)."""
    condition = Item.pk.exists() & ~ErasureItem.steps_done.contains(step)
    return _update(user_id, [ErasureItem.steps_done.add({step}), ErasureItem.touched.add(touched)], condition)


def add_touched(user_id: str, touched: int) -> None:
    """Items a step touched in a run that did not finish it (out of time, or it raised)."""
    if touched:
        _update(user_id, [ErasureItem.touched.add(touched)], Item.pk.exists())


def set_part(user_id: str, part: int, job_id: str) -> None:
    _update(user_id, [ErasureItem.part.set(part), ErasureItem.job_id.set(job_id)], Item.pk.exists())


def complete(user_id: str) -> bool:
    """``erasing`` → ``completed``; the email and username go. ``False`` when already completed."""
    actions = [
        ErasureItem.status.set("completed"),
        ErasureItem.completed_at.set(now_iso()),
        ErasureItem.email.remove(),
        ErasureItem.username.remove(),
    ]
    return _update(user_id, actions, ErasureItem.status == "erasing")
