"""The shopping cart of the signed-in user: read, add, set, remove, empty.

Every route answers with the whole cart priced from the current products (one Query of the
lines + one BatchGetItem of their products). Writes are conditional (see
:mod:`shared.commerce.cart.repository`): an add is an atomic ``ADD`` conditioned on the stock
and the 99 cap as read, so two concurrent adds never lose an increment nor pass the cap
together; a write that loses a race re-reads the cart and decides again. The limit of
``CART_MAX_LINES`` distinct products is checked on the cart as read, so two concurrent adds of
new products may pass it by one: it is a soft limit (it bounds the cart's size, it protects no
invariant). Nothing is reserved: checkout checks stock again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared import clock
from shared.commerce.cart import repository, rules
from shared.commerce.cart.models import CartLineItem
from shared.commerce.cart.schemas import AddCartItemRequest, CartOut, SetCartItemRequest
from shared.commerce.cart.views import cart_currency, cart_out
from shared.commerce.products import repository as products
from shared.commerce.products.models import ProductItem
from shared.errors import Conflict
from shared.identity.principal import Principal
from shared.settings import get_settings

ADD_ATTEMPTS = 5


@dataclass
class _Cart:
    lines: list[CartLineItem]
    products: dict[str, ProductItem]

    def line(self, product_id: str) -> CartLineItem | None:
        return next((line for line in self.lines if line.product_id == product_id), None)

    def with_line(self, written: CartLineItem) -> _Cart:
        """The cart as read, with ``written`` in place of its line (appended if it is new)."""
        lines = [written if line.product_id == written.product_id else line for line in self.lines]
        if self.line(written.product_id) is None:
            lines.append(written)
        return _Cart(lines, self.products)

    def out(self) -> CartOut:
        return cart_out(self.lines, self.products)


def _load(user_id: str, also: str | None = None) -> _Cart:
    lines = repository.get_lines(user_id)
    ids = [line.product_id for line in lines]
    if also is not None:
        ids.append(also)
    return _Cart(lines, products.get_products(ids))


def _expiry(moment: datetime) -> datetime:
    return moment + timedelta(days=get_settings().cart_ttl_days)


def get_cart(principal: Principal) -> CartOut:
    return _load(principal.user_id).out()


def add_item(principal: Principal, request: AddCartItemRequest) -> CartOut:
    """Add ``quantity`` of an active product (incrementing its line if it has one).

    Raises :class:`NotFound` ``PRODUCT_NOT_FOUND``, :class:`Conflict` ``OUT_OF_STOCK``,
    ``CART_LIMIT``, ``CART_FULL``, ``CURRENCY_MISMATCH`` (or ``CART_CHANGED`` if the line keeps
    changing under us, which takes a client looping on it).
    """
    user_id, product_id, quantity = principal.user_id, request.product_id, request.quantity
    for _ in range(ADD_ATTEMPTS):
        cart = _load(user_id, also=product_id)
        line = cart.line(product_id)
        in_cart = int(line.quantity) if line is not None else 0
        product = rules.ensure_orderable(cart.products.get(product_id), in_cart, quantity)
        rules.ensure_currency(cart_currency(cart.lines, cart.products), product)
        moment = clock.now()
        if line is None:
            rules.ensure_room(len(cart.lines), get_settings().cart_max_lines)
            written = repository.start_line(user_id, product_id, quantity, moment=moment, expires=_expiry(moment))
        else:
            at_most = min(rules.MAX_QUANTITY, rules.stock_of(product))
            written = repository.increment(
                user_id, product_id, quantity, at_most=at_most, moment=moment, expires=_expiry(moment)
            )
        if written is not None:
            return cart.with_line(written).out()
    raise Conflict("Your cart changed meanwhile; retry", code="CART_CHANGED")


def set_quantity(principal: Principal, product_id: str, request: SetCartItemRequest) -> CartOut:
    """Set a line's quantity, with the same product and stock checks as an add.

    Raises :class:`NotFound` ``CART_ITEM_NOT_FOUND`` or ``PRODUCT_NOT_FOUND``,
    :class:`Conflict` ``OUT_OF_STOCK`` or ``CURRENCY_MISMATCH``.
    """
    cart = _load(principal.user_id)
    if cart.line(product_id) is None:
        raise repository.line_not_found()
    product = rules.ensure_orderable(cart.products.get(product_id), 0, request.quantity)
    rules.ensure_currency(cart_currency(cart.lines, cart.products), product)
    moment = clock.now()
    written = repository.set_quantity(
        principal.user_id, product_id, request.quantity, moment=moment, expires=_expiry(moment)
    )
    return cart.with_line(written).out()


def remove_item(principal: Principal, product_id: str) -> CartOut:
    """Raises :class:`NotFound` ``CART_ITEM_NOT_FOUND``."""
    repository.delete_line(principal.user_id, product_id)
    return _load(principal.user_id).out()


def clear_cart(principal: Principal) -> CartOut:
    repository.clear(principal.user_id)
    return cart_out([], {})
