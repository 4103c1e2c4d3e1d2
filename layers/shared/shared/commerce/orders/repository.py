"""Data access for orders (the only module building their keys). See :mod:`.models` for the
access patterns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from shared.commerce.cart import repository as cart
from shared.commerce.orders import rules
from shared.commerce.orders.models import (
    ALL_ORDERS,
    IDEMPOTENCY_PREFIX,
    ORDER_SK,
    OrderIdempotencyItem,
    OrderItem,
    SellerOrderItem,
    idempotency_key,
    order_pk,
    order_position,
    seller_orders,
    status_partition,
    user_orders,
)
from shared.commerce.products import checkout_repository as products
from shared.data import unique
from shared.data.pagination import Page, query_page
from shared.data.purge import delete_page
from shared.data.table import Item
from shared.data.transactions import CONDITION_FAILED, is_condition_failure, transaction
from shared.errors import NotFound
from shared.identity.models import user_pk
from shared.messaging import outbox
from shared.messaging.owed import Owed

ORDER_NUMBER = "ORDER_NUMBER"


def order_not_found() -> NotFound:
    return NotFound("Order not found", code="ORDER_NOT_FOUND")


@dataclass(frozen=True)
class Reservation:
    product_id: str
    quantity: int
    unit_price: int


@dataclass(frozen=True)
class IdempotencyClaim:
    key: str
    fingerprint: str
    expires_at: int


class NumberTaken(Exception):
    """The random order number is already used: draw another."""


class KeyReplayed(Exception):
    """The Idempotency-Key already names an order."""


class StockShort(Exception):
    """Some lines could not be reserved (out of stock, no longer active, or repriced)."""

    def __init__(self, product_ids: list[str]) -> None:
        super().__init__(", ".join(product_ids))
        self.product_ids = product_ids


class Contended(Exception):
    """The transaction collided with another one on the same items; safe to retry."""


def new_order(order_id: str, created_at: str, **fields: Any) -> OrderItem:
    order = OrderItem(order_pk(order_id), ORDER_SK, order_id=order_id, created_at=created_at, updated_at=created_at)
    for name, value in fields.items():
        setattr(order, name, value)
    _set_index_keys(order)
    return order


def _set_index_keys(order: OrderItem) -> None:
    position = order_position(order.created_at, order.order_id)
    order.gsi1pk, order.gsi1sk = user_orders(order.user_id), position
    order.gsi2pk, order.gsi2sk = status_partition(order.status), position
    order.gsi3pk, order.gsi3sk = ALL_ORDERS, position


def create(order: OrderItem, reservations: Sequence[Reservation], idempotency: IdempotencyClaim | None) -> None:
    """In one TransactWrite: empty the cart lines bought, put the order, claim its number (and the
    Idempotency-Key), put one slice per seller, and reserve every line's stock. All or nothing.

    Raises :class:`NumberTaken`, :class:`KeyReplayed`, :class:`StockShort`, :class:`Contended`.
    """
    sellers = list(dict.fromkeys(str(line.seller_id) for line in order.lines))
    puts = 2 + (1 if idempotency else 0) + len(sellers)
    deletes = len(reservations)
    try:
        with transaction() as tx:
            cart.delete_lines(tx, order.user_id, [r.product_id for r in reservations])
            tx.save(order, condition=Item.pk.does_not_exist())
            unique.claim(tx, ORDER_NUMBER, order.order_number, order.order_id)
            if idempotency:
                pk, sk = idempotency_key(order.user_id, idempotency.key)
                claim = OrderIdempotencyItem(
                    pk, sk, order_id=order.order_id, fingerprint=idempotency.fingerprint, created_at=order.created_at
                )
                claim.ttl = datetime.fromtimestamp(idempotency.expires_at, UTC)
                tx.save(claim, condition=Item.pk.does_not_exist())
            for seller_id in sellers:
                tx.save(_slice(order, seller_id))
            for r in reservations:
                products.reserve_stock(tx, r.product_id, r.quantity, r.unit_price)
    except TransactWriteError as exc:
        reasons = [reason.code if reason else None for reason in (exc.cancellation_reasons or [])]
        failed = [code == CONDITION_FAILED for code in reasons]
        if not any(failed):
            if any(code in ("TransactionConflict", "ThrottlingError") for code in reasons):
                raise Contended() from exc
            raise
        puts_at = deletes
        if _at(failed, puts_at + 1):
            raise NumberTaken() from exc
        if idempotency and _at(failed, puts_at + 2):
            raise KeyReplayed() from exc
        short = [r.product_id for i, r in enumerate(reservations) if _at(failed, deletes + puts + i)]
        if short:
            raise StockShort(short) from exc
        raise


def _at(failed: list[bool], position: int) -> bool:
    return len(failed) > position and failed[position]


def _slice(order: OrderItem, seller_id: str) -> SellerOrderItem:
    item = SellerOrderItem(
        order_pk(order.order_id),
        f"SELLER#{seller_id}",
        order_id=order.order_id,
        seller_id=seller_id,
        created_at=order.created_at,
    )
    item.gsi1pk, item.gsi1sk = seller_orders(seller_id), order_position(order.created_at, order.order_id)
    return item


def replayed_order_id(user_id: str, key: str) -> tuple[str, str] | None:
    """(order id, fingerprint) the key already names, if any."""
    pk, sk = idempotency_key(user_id, key)
    try:
        found = Item.get(pk, sk, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return (found.order_id, found.fingerprint) if isinstance(found, OrderIdempotencyItem) else None


def get_order(order_id: str) -> OrderItem | None:
    try:
        found = Item.get(order_pk(order_id), ORDER_SK, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, OrderItem) else None


def find_by_number(number: str) -> OrderItem | None:
    owner = unique.owner_of(ORDER_NUMBER, number)
    return get_order(owner) if owner else None


def get_orders(order_ids: Iterable[str]) -> dict[str, OrderItem]:
    keys = [(order_pk(oid), ORDER_SK) for oid in dict.fromkeys(order_ids)]
    found = Item.batch_get(keys) if keys else []
    return {item.order_id: item for item in found if isinstance(item, OrderItem)}


# ---------------------------------------------------------------------------- lists


def list_for_user(user_id: str, *, limit: int, position: dict[str, Any] | None) -> Page[OrderItem]:
    run = partial(Item.gsi1.query, user_orders(user_id), scan_index_forward=False)
    return query_page(run, limit=limit, position=position, index="GSI1")


def list_all(status: str | None, *, limit: int, position: dict[str, Any] | None) -> Page[OrderItem]:
    if status:
        run = partial(Item.gsi2.query, status_partition(status), scan_index_forward=False)
        return query_page(run, limit=limit, position=position, index="GSI2")
    run = partial(Item.gsi3.query, ALL_ORDERS, scan_index_forward=False)
    return query_page(run, limit=limit, position=position, index="GSI3")


def list_for_seller(
    seller_id: str, *, limit: int, position: dict[str, Any] | None
) -> tuple[Page[Any], list[OrderItem]]:
    """A page of the seller's slices and the orders they point to (newest first)."""
    run = partial(Item.gsi1.query, seller_orders(seller_id), scan_index_forward=False)
    page = query_page(run, limit=limit, position=position, index="GSI1")
    orders = get_orders(s.order_id for s in page.items if isinstance(s, SellerOrderItem))
    ordered = [orders[s.order_id] for s in page.items if isinstance(s, SellerOrderItem) and s.order_id in orders]
    return page, ordered


def pending_before(cutoff: str, *, limit: int) -> list[OrderItem]:
    """Pending orders created before ``cutoff`` (oldest first): a key condition, so the job reads
    only orders that are due."""
    found = Item.gsi2.query(status_partition("pending"), Item.gsi2sk < cutoff, limit=limit)
    return [item for item in found if isinstance(item, OrderItem)]


# ---------------------------------------------------------------------------- transitions


def _status_actions(status: str) -> list[Any]:
    return [
        OrderItem.status.set(status),
        Item.gsi2pk.set(status_partition(status)),
    ]


def _field_actions(sets: dict[str, Any]) -> list[Any]:
    """``SET`` each named attribute (``REMOVE`` it for ``None``) and bump the version."""
    actions: list[Any] = [OrderItem.version.add(1)]
    for name, value in sets.items():
        attr = getattr(OrderItem, name)
        actions.append(attr.remove() if value is None else attr.set(value))
    return actions


def transition(
    order: OrderItem,
    to: str,
    *,
    expect: Condition,
    sets: dict[str, Any],
    release: Sequence[Reservation] = (),
    purchases: Iterable[str] = (),
    extra: Any = None,
    owed: Sequence[Owed] = (),
) -> bool:
    """Move ``order`` to ``to`` iff ``expect`` holds, setting ``sets`` (attribute name → value) and,
    in the same transaction, giving stock back, writing proofs of purchase and owing ``owed``
    (the emails of the transition). ``extra(tx)`` may add more operations. Returns ``False`` when
    the condition did not hold (nothing was written).

    A move to a status of ``rules.OVER`` also redacts the shipping address of a deleted buyer's
    order (:func:`_redaction`), in the same write. When the buyer was erased between the caller's
    read and this write, the write is tried once more on a fresh read, without the buyer's emails.
    """
    release, purchases = list(release), list(purchases)
    written = _transition(
        order, to, expect=expect, sets=sets, release=release, purchases=purchases, extra=extra, owed=list(owed)
    )
    if written or to not in rules.OVER or order.redact_shipping:
        return written
    fresh = get_order(order.order_id)
    if fresh is None or not fresh.redact_shipping:
        return False
    kept = [message for message in owed if message.destination != "email"]
    return _transition(
        fresh, to, expect=expect, sets=sets, release=release, purchases=purchases, extra=extra, owed=kept
    )


def _redaction(order: OrderItem, to: str) -> tuple[list[Any], Condition | None]:
    """What a move to ``to`` adds to the write: for a marked order that is then over, the
    placeholder address and the mark's removal; for an unmarked one, the condition that it is
    still unmarked (the erasure may mark it meanwhile: the caller then reads it again)."""
    if to not in rules.OVER:
        return [], None
    if order.redact_shipping:
        return [OrderItem.shipping_address.set(rules.placeholder_address()), OrderItem.redact_shipping.remove()], None
    return [], OrderItem.redact_shipping.does_not_exist()


def _transition(
    order: OrderItem,
    to: str,
    *,
    expect: Condition,
    sets: dict[str, Any],
    release: list[Reservation],
    purchases: list[str],
    extra: Any,
    owed: list[Owed],
) -> bool:
    redact, unmarked = _redaction(order, to)
    actions = [*_status_actions(to), *_field_actions(sets), *redact]
    condition = Item.pk.exists() & expect
    if unmarked is not None:
        condition &= unmarked
    target = OrderItem(order_pk(order.order_id), ORDER_SK)
    if not release and not purchases and extra is None and not owed:
        try:
            target.update(actions=actions, condition=condition)
        except UpdateError as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True
    try:
        with transaction() as tx:
            tx.update(target, actions=actions, condition=condition)
            for r in release:
                products.release_stock(tx, r.product_id, r.quantity)
            for product_id in purchases:
                products.record_purchase(tx, order.user_id, product_id)
            if extra is not None:
                extra(tx)
            outbox.add(tx, *owed)
    except TransactWriteError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def update_fields(order_id: str, *, expect: Condition, sets: dict[str, Any], owed: Sequence[Owed] = ()) -> bool:
    """Set fields without a status change (owing ``owed`` with them) iff ``expect`` holds; ``False``
    when it did not."""
    target = OrderItem(order_pk(order_id), ORDER_SK)
    condition = Item.pk.exists() & expect
    try:
        if owed:
            with transaction() as tx:
                tx.update(target, actions=_field_actions(sets), condition=condition)
                outbox.add(tx, *owed)
        else:
            target.update(actions=_field_actions(sets), condition=condition)
    except (UpdateError, TransactWriteError) as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def in_transaction(tx: TransactWrite, order_id: str, *, expect: Condition, sets: dict[str, Any]) -> None:
    """Add a conditional field update of the order to someone else's transaction."""
    tx.update(
        OrderItem(order_pk(order_id), ORDER_SK), actions=_field_actions(sets), condition=Item.pk.exists() & expect
    )


# ---------------------------------------------------------------------------- erasure (issue #18)


def anonymise(order: OrderItem, *, name: str, email: str, address: dict[str, str]) -> bool:
    """Replace the buyer's name, email and billing address with placeholders and drop their
    notes, iff not done yet (the email is the marker). An order that is over loses its shipping
    address too; an open one keeps it for the seller and is marked, so the transition that ends
    it redacts it (:func:`transition`). Each write is conditioned on the statuses it was chosen
    for: an order that moved meanwhile is read again. Amounts, lines, status and the index keys
    stay. Returns whether this call did it."""
    for _ in rules.STATUSES:  # statuses only move forward: at most one retry per status
        if order.user_email == email:
            return False
        over = order.status in rules.OVER
        sets: dict[str, Any] = {"user_name": name, "user_email": email, "notes": None}
        if order.billing_address is not None:
            sets["billing_address"] = address
        if over:
            sets["shipping_address"] = address
        else:
            sets["redact_shipping"] = True
        expect = (OrderItem.user_email != email) & OrderItem.status.is_in(*(rules.OVER if over else rules.OPEN))
        if update_fields(order.order_id, expect=expect, sets=sets):
            return True
        fresh = get_order(order.order_id)
        if fresh is None:
            return False
        order = fresh
    return False


def delete_idempotency_keys(user_id: str, *, limit: int) -> tuple[int, bool]:
    """Delete one page of the user's ``ORDER_IDEMPOTENCY#`` items; returns (deleted, more may be left)."""
    run = partial(Item.query, user_pk(user_id), Item.sk.startswith(IDEMPOTENCY_PREFIX), consistent_read=True)
    return delete_page(run, OrderIdempotencyItem, limit=limit)
