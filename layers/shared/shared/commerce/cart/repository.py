"""Data access for cart lines (the only module building their keys) and the products they show.

Every single-line write is conditional, so the rules the service checked on its read still
hold when the write lands: an increment is ``ADD quantity :q`` iff the stored quantity leaves
room for it, a new line is written only where no live line is, and setting or removing a line
requires a live one. A line whose ``ttl`` has passed counts as absent everywhere (DynamoDB's
TTL deletion is lazy). Writes that lose a race return ``None`` (the service re-reads and
decides again) or raise the domain error the lost condition means.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from shared import clock
from shared.commerce.cart.models import CART_PREFIX, CartLineItem, cart_pk, line_sk
from shared.data.table import Item
from shared.data.transactions import is_condition_failure
from shared.errors import NotFound


def line_not_found() -> NotFound:
    return NotFound("This product is not in your cart", code="CART_ITEM_NOT_FOUND")


def is_live(line: CartLineItem, moment: datetime) -> bool:
    """Not yet expired (DynamoDB may keep an expired item for a while before deleting it)."""
    return line.ttl is None or line.ttl > moment


def _live(moment: datetime) -> Condition:
    condition: Condition = Item.pk.exists() & (Item.ttl.does_not_exist() | (Item.ttl > moment))
    return condition


def _all_lines(user_id: str) -> list[CartLineItem]:
    found = Item.query(cart_pk(user_id), Item.sk.startswith(CART_PREFIX), consistent_read=True)
    return [item for item in found if isinstance(item, CartLineItem)]


def get_lines(user_id: str) -> list[CartLineItem]:
    """The user's unexpired cart lines, oldest first (one consistent Query)."""
    moment = clock.now()
    lines = [line for line in _all_lines(user_id) if is_live(line, moment)]
    return sorted(lines, key=lambda line: (line.added_at, line.product_id))


def _line_ref(user_id: str, product_id: str) -> CartLineItem:
    return CartLineItem(cart_pk(user_id), line_sk(product_id))


def start_line(
    user_id: str, product_id: str, quantity: int, *, moment: datetime, expires: datetime
) -> CartLineItem | None:
    """Write a new line where there is no live one; ``None`` when a live line appeared meanwhile."""
    at = clock.iso(moment)
    line = CartLineItem(
        cart_pk(user_id),
        line_sk(product_id),
        user_id=user_id,
        product_id=product_id,
        quantity=quantity,
        added_at=at,
        updated_at=at,
    )
    line.ttl = expires
    try:
        line.save(condition=Item.pk.does_not_exist() | (Item.ttl <= moment))
    except PutError as exc:
        if is_condition_failure(exc):
            return None
        raise
    return line


def increment(
    user_id: str, product_id: str, quantity: int, *, at_most: int, moment: datetime, expires: datetime
) -> CartLineItem | None:
    """``ADD quantity :q`` to a live line iff the total stays ``<= at_most`` (two concurrent
    increments both count, and never together exceed the limit). Returns the line as written,
    or ``None`` when the line expired or went, or the limit would be passed (re-read to tell)."""
    actions: list[Any] = [
        CartLineItem.quantity.add(quantity),
        CartLineItem.updated_at.set(clock.iso(moment)),
        Item.ttl.set(expires),
    ]
    condition = _live(moment) & (CartLineItem.quantity <= at_most - quantity)
    line = _line_ref(user_id, product_id)
    try:
        line.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if is_condition_failure(exc):
            return None
        raise
    return line


def set_quantity(user_id: str, product_id: str, quantity: int, *, moment: datetime, expires: datetime) -> CartLineItem:
    """Set a live line's quantity. Raises :class:`NotFound` ``CART_ITEM_NOT_FOUND``."""
    actions: list[Any] = [
        CartLineItem.quantity.set(quantity),
        CartLineItem.updated_at.set(clock.iso(moment)),
        Item.ttl.set(expires),
    ]
    line = _line_ref(user_id, product_id)
    try:
        line.update(actions=actions, condition=_live(moment))
    except UpdateError as exc:
        if is_condition_failure(exc):
            raise line_not_found() from exc
        raise
    return line


def delete_line(user_id: str, product_id: str) -> None:
    """Remove a live line. Raises :class:`NotFound` ``CART_ITEM_NOT_FOUND``."""
    try:
        _line_ref(user_id, product_id).delete(condition=_live(clock.now()))
    except DeleteError as exc:
        if is_condition_failure(exc):
            raise line_not_found() from exc
        raise


def delete_lines(tx: TransactWrite, user_id: str, product_ids: Iterable[str]) -> None:
    """Add unconditional deletes of these lines to ``tx`` (checkout empties what it ordered)."""
    for product_id in dict.fromkeys(product_ids):
        tx.delete(_line_ref(user_id, product_id))


def clear(user_id: str) -> int:
    """Delete every line of the user's cart, expired ones included (Query + BatchWriteItem: a
    cart holds at most ``CART_MAX_LINES`` live lines); returns how many were deleted."""
    lines = _all_lines(user_id)
    with CartLineItem.batch_write() as batch:
        for line in lines:
            batch.delete(line)
    return len(lines)
