"""Order rules after checkout (:mod:`.checkout`): who sees which order, and the lifecycle

``pending → confirmed → (processing →) shipped → delivered``, plus ``cancelled`` and ``refunded``.

Every transition is a write conditioned on the status it leaves; see :mod:`.rules` for which
statuses each may leave.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from shared.clock import iso, now, now_iso
from shared.commerce.orders import notifications, repository, rules
from shared.commerce.orders.checkout import reconcile_stock
from shared.commerce.orders.models import OrderItem
from shared.commerce.orders.schemas import CancelOrderRequest, OrderOut, RefundOrderRequest, ShipOrderRequest
from shared.commerce.orders.views import order_out
from shared.commerce.payments import repository as payment_records
from shared.commerce.payments import service as payments
from shared.commerce.products import repository as products
from shared.errors import Conflict, Forbidden, InvalidInput, UpstreamFailed
from shared.observability import logger
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor
from shared.settings import get_settings

if TYPE_CHECKING:
    from shared.identity.principal import Principal

TRANSITION_ATTEMPTS = 3


# ---------------------------------------------------------------------------- reading


def _find(order_id: str) -> OrderItem | None:
    if order_id.upper().startswith("ORD-"):
        return repository.find_by_number(order_id.upper())
    return repository.get_order(order_id)


def _is_buyer_or_admin(principal: Principal, order: OrderItem) -> bool:
    return principal.is_admin or order.user_id == principal.user_id


def _is_seller_of(principal: Principal, order: OrderItem) -> bool:
    return principal.user_id in (order.seller_ids or [])


def _visible(principal: Principal, order_id: str) -> OrderItem:
    """The order if the caller is its buyer, an admin or one of its sellers; otherwise 404 (an
    order id is not a secret, but whether it exists is nobody else's business)."""
    order = _find(order_id)
    if order is None or not (_is_buyer_or_admin(principal, order) or _is_seller_of(principal, order)):
        raise repository.order_not_found()
    return order


def _view(principal: Principal, order: OrderItem) -> OrderOut:
    if _is_buyer_or_admin(principal, order):
        return order_out(order, payments=payment_records.payments_of(order.order_id))
    return order_out(order, seller_id=principal.user_id)


def get_order(principal: Principal, order_id: str) -> OrderOut:
    return _view(principal, _visible(principal, order_id))


def list_orders(principal: Principal, *, status: str | None, limit: int, cursor: str | None) -> ItemsPage[OrderOut]:
    """Admins: every order (optionally by status). Everyone else: their own purchases."""
    if principal.is_admin:
        scope = f"orders:all:{status or ''}"
        page = repository.list_all(status, limit=limit, position=decode_cursor(cursor, scope))
    else:
        scope = f"orders:user:{principal.user_id}:{status or ''}"
        page = repository.list_for_user(principal.user_id, limit=limit, position=decode_cursor(cursor, scope))
    items = [order_out(o) for o in page.items if isinstance(o, OrderItem) and (status is None or o.status == status)]
    return ItemsPage[OrderOut](items=items, next_cursor=encode_cursor(page.next_position, scope))


def seller_orders(principal: Principal, *, limit: int, cursor: str | None) -> ItemsPage[OrderOut]:
    if principal.role not in ("seller", "admin"):
        raise Forbidden("Only sellers have seller orders", code="INSUFFICIENT_PERMISSIONS")
    scope = f"orders:seller:{principal.user_id}"
    page, found = repository.list_for_seller(principal.user_id, limit=limit, position=decode_cursor(cursor, scope))
    items = [order_out(order, seller_id=principal.user_id) for order in found]
    return ItemsPage[OrderOut](items=items, next_cursor=encode_cursor(page.next_position, scope))


# ---------------------------------------------------------------------------- lifecycle


def cancel_order(principal: Principal, order_id: str, request: CancelOrderRequest | None) -> OrderOut:
    """The buyer (or an admin) cancels a pending or confirmed order: stock goes back, a paid
    order is refunded in full. Raises :class:`NotFound`, :class:`Conflict`
    ``ORDER_NOT_CANCELLABLE`` / ``PAYMENT_IN_PROGRESS``, :class:`UpstreamFailed` (nothing changed)."""
    order = _find(order_id)
    if order is None or not _is_buyer_or_admin(principal, order):
        raise repository.order_not_found()
    reason = (request.reason if request else None) or (
        "Cancelled by an administrator" if order.user_id != principal.user_id else "Cancelled by customer"
    )
    return _view(principal, cancel(order, reason))


def cancel(order: OrderItem, reason: str) -> OrderItem:
    """Cancel ``order`` (used by the buyer's request and the unpaid-order job).

    A pending order's open intent is cancelled on Stripe first, so it cannot be paid afterwards;
    if it turns out to be paid already, the order is confirmed and cancelled as a paid one. A paid
    order is refunded on Stripe before it is marked cancelled: when Stripe fails, nothing changed.
    """
    for _ in range(TRANSITION_ATTEMPTS + 1):
        if order.status not in rules.CANCELLABLE:
            raise Conflict(f"An order that is {order.status} cannot be cancelled", code="ORDER_NOT_CANCELLABLE")
        before = int(order.refunded_amount or 0)
        refunded_total = before
        if order.status == rules.PENDING:
            if payments.stop_payment(order):
                order = _reload(order)
                continue
        else:
            owed = rules.refundable(int(order.paid_amount or 0), before)
            if owed:
                refunded_total = payments.refund(
                    order, owed, idempotency_key=f"order-cancel-{order.order_id}", reason=reason
                )
        at = now_iso()
        present = products.get_products(str(line.product_id) for line in order.lines)
        release = [
            repository.Reservation(str(line.product_id), int(line.quantity), int(line.unit_price))
            for line in order.lines
            if line.product_id in present
        ]
        sets: dict[str, Any] = {
            "cancelled_at": at,
            "cancellation_reason": reason,
            "stock_released": True,
            "updated_at": at,
        }
        if refunded_total != before:
            sets["refunded_amount"] = refunded_total
        moved = repository.transition(
            order,
            rules.CANCELLED,
            expect=(OrderItem.status == order.status) & (OrderItem.stock_released == False),  # noqa: E712
            sets=sets,
            release=release,
            owed=notifications.cancelled(order, reason=reason, refund_amount=refunded_total - before),
        )
        if moved:
            if refunded_total != before and order.payment_intent_id:
                payment_records.raise_refunded_now(order.payment_intent_id, refunded_total, at)
            reconcile_stock(r.product_id for r in release)
            return _reload(order)
        order = _reload(order)
        if refunded_total != before and order.payment_intent_id and order.status not in rules.CANCELLABLE:
            # Refunded, but the order moved on meanwhile (e.g. shipped): record the refund as such.
            payments.record_refund_total(order.payment_intent_id, refunded_total)
            order = _reload(order)
    raise Conflict("The order changed meanwhile; retry", code="ORDER_CHANGED")


def _reload(order: OrderItem) -> OrderItem:
    fresh = repository.get_order(order.order_id)
    if fresh is None:
        raise repository.order_not_found()
    return fresh


def _managed(principal: Principal, order_id: str) -> OrderItem:
    """An order the caller may ship/deliver: an admin, or a seller of one of its lines."""
    order = _find(order_id)
    if order is None:
        raise repository.order_not_found()
    if principal.is_admin or _is_seller_of(principal, order):
        return order
    if order.user_id == principal.user_id:
        raise Forbidden("Only a seller of this order or an admin can do this", code="NOT_ORDER_SELLER")
    raise repository.order_not_found()


def ship_order(principal: Principal, order_id: str, request: ShipOrderRequest) -> OrderOut:
    order = _managed(principal, order_id)
    if order.status not in rules.SHIPPABLE:
        raise Conflict(f"An order that is {order.status} cannot be shipped", code="ORDER_NOT_SHIPPABLE")
    at = now_iso()
    moved = repository.transition(
        order,
        rules.SHIPPED,
        expect=OrderItem.status.is_in(*rules.SHIPPABLE),
        sets={
            "tracking_number": request.tracking_number,
            "tracking_url": request.tracking_url,
            "shipped_at": at,
            "updated_at": at,
        },
        owed=notifications.shipped(order, tracking_number=request.tracking_number, tracking_url=request.tracking_url),
    )
    order = _reload(order)
    if not moved:
        raise Conflict(f"An order that is {order.status} cannot be shipped", code="ORDER_NOT_SHIPPABLE")
    return _view(principal, order)


def process_order(principal: Principal, order_id: str) -> OrderOut:
    """A seller (or an admin) starts preparing a paid order: confirmed → processing."""
    order = _managed(principal, order_id)
    if order.status not in rules.PROCESSABLE:
        raise Conflict(f"An order that is {order.status} cannot be processed", code="ORDER_NOT_PROCESSABLE")
    moved = repository.transition(
        order,
        rules.PROCESSING,
        expect=OrderItem.status.is_in(*rules.PROCESSABLE),
        sets={"updated_at": now_iso()},
    )
    order = _reload(order)
    if not moved:
        raise Conflict(f"An order that is {order.status} cannot be processed", code="ORDER_NOT_PROCESSABLE")
    return _view(principal, order)


def deliver_order(principal: Principal, order_id: str) -> OrderOut:
    order = _managed(principal, order_id)
    if order.status not in rules.DELIVERABLE:
        raise Conflict(f"An order that is {order.status} cannot be delivered", code="ORDER_NOT_DELIVERABLE")
    at = now_iso()
    moved = repository.transition(
        order,
        rules.DELIVERED,
        expect=OrderItem.status.is_in(*rules.DELIVERABLE),
        sets={"delivered_at": at, "updated_at": at},
    )
    order = _reload(order)
    if not moved:
        raise Conflict(f"An order that is {order.status} cannot be delivered", code="ORDER_NOT_DELIVERABLE")
    return _view(principal, order)


def refund_order(principal: Principal, order_id: str, request: RefundOrderRequest | None) -> OrderOut:
    """Admin refund, full (no amount) or partial, through Stripe; a full refund makes the order
    ``refunded``. Raises :class:`Conflict` ``ORDER_NOT_PAID`` / ``NOTHING_TO_REFUND``,
    :class:`InvalidInput` ``REFUND_EXCEEDS_PAYMENT``, :class:`UpstreamFailed` (nothing changed)."""
    order = _find(order_id)
    if order is None:
        raise repository.order_not_found()
    paid = int(order.paid_amount or 0)
    if paid <= 0 or not order.payment_intent_id:
        raise Conflict("This order has not been paid", code="ORDER_NOT_PAID")
    before = int(order.refunded_amount or 0)
    owed = rules.refundable(paid, before)
    if owed <= 0:
        raise Conflict("This order is already fully refunded", code="NOTHING_TO_REFUND")
    amount = request.amount if request and request.amount is not None else owed
    if amount > owed:
        raise InvalidInput(
            f"At most {owed} can be refunded",
            code="REFUND_EXCEEDS_PAYMENT",
            errors={"amount": [f"must be at most {owed}"]},
        )
    total = payments.refund(
        order,
        amount,
        idempotency_key=f"order-refund-{order.order_id}-{before}-{amount}",
        reason=request.reason if request else None,
    )
    updated = payments.record_refund_total(order.payment_intent_id, total)
    return _view(principal, updated or _reload(order))


# ---------------------------------------------------------------------------- jobs


def expire_unpaid(batch: int = 100) -> dict[str, int]:
    """Cancel pending orders older than the configured timeout (their stock goes back). Orders
    that turn out to be paid are confirmed instead; failures are logged and retried next run."""
    minutes = get_settings().unpaid_order_timeout_minutes
    cutoff = iso(now() - timedelta(minutes=minutes))
    counts = {"cancelled": 0, "paid": 0, "failed": 0}
    for order in repository.pending_before(cutoff, limit=batch):
        try:
            done = cancel(order, f"Payment not received within {minutes} minute{'s' if minutes != 1 else ''}")
        except Conflict as exc:
            counts["paid" if exc.code == "ORDER_NOT_CANCELLABLE" else "failed"] += 1
            continue
        except UpstreamFailed:
            logger.warning("could not expire an unpaid order", extra={"orderId": order.order_id})
            counts["failed"] += 1
            continue
        counts["cancelled" if done.status == rules.CANCELLED else "paid"] += 1
    return counts
