"""Checkout: the caller's cart becomes a ``pending`` order.

Checkout reserves every line's stock in the transaction that creates the order (all lines or
none), so concurrent buyers can never take more units than exist. A retried request with the
same ``Idempotency-Key`` answers the order it created.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from shared.clock import iso, now
from shared.commerce.cart import repository as cart
from shared.commerce.orders import repository, rules
from shared.commerce.orders.models import OrderLine
from shared.commerce.orders.schemas import CreateOrderRequest, OrderOut
from shared.commerce.orders.views import order_out
from shared.commerce.payments import repository as payment_records
from shared.commerce.products import repository as products
from shared.commerce.products import service as product_service
from shared.commerce.products.models import ProductItem
from shared.errors import Conflict, InvalidInput
from shared.ids import new_id
from shared.observability import logger
from shared.settings import get_settings

if TYPE_CHECKING:
    from shared.identity.principal import Principal

CREATE_ATTEMPTS = 6
IDEMPOTENCY_KEY_MAX = 255


def create_order(
    principal: Principal, request: CreateOrderRequest, idempotency_key: str | None = None
) -> tuple[OrderOut, bool]:
    """Turn the caller's cart into a ``pending`` order. Returns the order and whether it is the
    replay of an earlier request with the same ``Idempotency-Key``.

    Raises :class:`InvalidInput` ``CART_EMPTY`` / ``MIXED_CURRENCIES`` / ``INVALID_IDEMPOTENCY_KEY``,
    :class:`Conflict` ``OUT_OF_STOCK`` (naming the products), ``IDEMPOTENCY_KEY_REUSED`` (the key
    was used for a different request) or ``CHECKOUT_BUSY``.
    """
    user_id = principal.user_id
    key = _check_key(idempotency_key)
    fingerprint = rules.fingerprint(request.model_dump(mode="json", by_alias=True))
    if key:
        replay = _replay(user_id, key, fingerprint)
        if replay is not None:
            return replay, True
    settings = get_settings()
    for _ in range(CREATE_ATTEMPTS):
        lines = cart.get_lines(user_id)
        if not lines:
            raise InvalidInput("Your cart is empty", code="CART_EMPTY", errors={"cart": ["is empty"]})
        if len(lines) > settings.cart_max_lines:  # the cart's cap is soft; one order must fit one transaction
            raise Conflict(
                f"An order holds at most {settings.cart_max_lines} products; remove some from the cart",
                code="CART_FULL",
                errors={"cart": [f"at most {settings.cart_max_lines} products"]},
            )
        found = products.get_products(line.product_id for line in lines)
        wanted = {line.product_id: int(line.quantity) for line in lines}
        _check_stock(wanted, found)
        currencies = {found[pid].currency for pid in wanted}
        if len(currencies) > 1:
            raise InvalidInput(
                "Products priced in different currencies cannot be bought in one order",
                code="MIXED_CURRENCIES",
                errors={"cart": [f"currencies: {', '.join(sorted(currencies))}"]},
            )
        order_lines = [_snapshot(found[pid], qty) for pid, qty in wanted.items()]
        totals = rules.totals(
            sum(int(line.line_total) for line in order_lines),
            tax_rate_bps=settings.tax_rate_bps,
            flat_shipping=settings.flat_shipping_cents,
            free_shipping_threshold=settings.free_shipping_threshold_cents,
        )
        moment = now()
        order = repository.new_order(
            new_id(),
            iso(moment),
            order_number=rules.order_number(moment),
            user_id=user_id,
            user_email=principal.user.email,
            user_name=principal.user.name,
            status=rules.PENDING,
            currency=currencies.pop(),
            subtotal=totals.subtotal,
            tax_amount=totals.tax_amount,
            shipping_amount=totals.shipping_amount,
            discount_amount=totals.discount_amount,
            total_amount=totals.total_amount,
            lines=order_lines,
            seller_ids=list(dict.fromkeys(str(line.seller_id) for line in order_lines)),
            shipping_address=request.shipping_address.model_dump(by_alias=True, exclude_none=True),
            billing_address=request.billing_address.model_dump(by_alias=True, exclude_none=True)
            if request.billing_address
            else None,
            notes=request.notes,
        )
        reservations = [repository.Reservation(pid, qty, int(found[pid].price)) for pid, qty in wanted.items()]
        claim = None
        if key:
            expires = int(time.time()) + settings.order_idempotency_ttl_hours * 3600
            claim = repository.IdempotencyClaim(key, fingerprint, expires)
        try:
            repository.create(order, reservations, claim)
        except repository.NumberTaken:
            continue
        except repository.KeyReplayed:
            replay = _replay(user_id, key or "", fingerprint)
            if replay is None:
                continue
            return replay, True
        except repository.StockShort as exc:
            fresh = products.get_products(exc.product_ids)
            _check_stock({pid: wanted[pid] for pid in exc.product_ids}, fresh)
            continue  # repriced or a concurrent edit: read again and retry
        except repository.Contended:
            time.sleep(random.uniform(0.02, 0.1))  # noqa: S311 - jitter, not security
            continue
        after = products.get_products(wanted)  # concurrent checkouts: only a fresh read tells who emptied it
        reconcile_stock(pid for pid, p in after.items() if p.status == "active" and int(p.stock_quantity) <= 0)
        return order_out(order, payments=[]), False
    raise Conflict("Checkout is busy; try again", code="CHECKOUT_BUSY")


def _check_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise InvalidInput(
            "Idempotency-Key must be 1-255 printable characters",
            code="INVALID_IDEMPOTENCY_KEY",
            errors={"Idempotency-Key": ["must be 1-255 printable characters"]},
        )
    return key


def _replay(user_id: str, key: str, fingerprint: str) -> OrderOut | None:
    found = repository.replayed_order_id(user_id, key)
    if found is None:
        return None
    order_id, stored = found
    if stored != fingerprint:
        raise Conflict(
            "This Idempotency-Key was already used for a different request",
            code="IDEMPOTENCY_KEY_REUSED",
        )
    order = repository.get_order(order_id)
    if order is None:
        return None
    return order_out(order, payments=payment_records.payments_of(order_id))


def _check_stock(wanted: dict[str, int], found: dict[str, ProductItem]) -> None:
    problems: dict[str, list[str]] = {}
    names: list[str] = []
    for pid, quantity in wanted.items():
        product = found.get(pid)
        if product is None or product.status not in ("active", "out_of_stock"):
            problems[pid] = ["No longer available"]
            names.append(product.name if product else pid)
        elif product.status != "active" or int(product.stock_quantity) < quantity:
            left = max(0, int(product.stock_quantity)) if product.status == "active" else 0
            problems[pid] = [f"Only {left} left in stock, {quantity} requested"]
            names.append(product.name)
    if problems:
        raise Conflict(f"Not enough stock for: {', '.join(names)}", code="OUT_OF_STOCK", errors=problems)


def _snapshot(product: ProductItem, quantity: int) -> OrderLine:
    price = int(product.price)
    return OrderLine(  # type: ignore[no-untyped-call]
        product_id=product.product_id,
        seller_id=product.seller_id,
        name=product.name,
        slug=product.slug,
        sku=product.sku,
        image=product.images[0] if product.images else None,
        unit_price=price,
        quantity=quantity,
        line_total=price * quantity,
    )


def reconcile_stock(product_ids: Iterable[str]) -> None:
    """Stock moved: let products that ran out (or came back) change status. Best effort: the
    stock itself is already exact; a failure here only delays the status."""
    for product_id in product_ids:
        try:
            product_service.reconcile_stock_status(product_id)
        except Exception:
            logger.exception("could not reconcile a product's stock status", extra={"productId": product_id})
