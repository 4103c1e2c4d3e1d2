"""Pure cart rules: what may be added, how much, and what a line shows as available.

Decisions (the API reference documents them):

* a line holds 1-99 of a product (``MAX_QUANTITY``); an add that would take a line past it is
  **409** ``CART_LIMIT`` (the request itself was valid, the cart's state refuses it), with the
  quantity still allowed in the message;
* only ``active`` products can be added: unknown, draft and inactive ones are **404**
  ``PRODUCT_NOT_FOUND`` (as on the product page, so drafts do not leak); an ``out_of_stock``
  product, or a resulting quantity above the stock, is **409** ``OUT_OF_STOCK`` saying how many
  are available. The cart reserves nothing: checkout checks stock again;
* a cart has one currency (that of its oldest line still in the catalog): a product priced in
  another is **409** ``CURRENCY_MISMATCH``, so a subtotal never adds up different currencies.
"""

from __future__ import annotations

from shared.commerce.products.models import ProductItem
from shared.errors import Conflict, NotFound

MAX_QUANTITY = 99
DEFAULT_CURRENCY = "usd"


def product_not_found() -> NotFound:
    return NotFound("Product not found", code="PRODUCT_NOT_FOUND")


def ensure_orderable(product: ProductItem | None, in_cart: int, adding: int) -> ProductItem:
    """Check that ``in_cart + adding`` of ``product`` may be in a cart; returns the product.

    Raises :class:`NotFound` ``PRODUCT_NOT_FOUND``, :class:`Conflict` ``OUT_OF_STOCK`` or
    ``CART_LIMIT``.
    """
    if product is None or product.status not in ("active", "out_of_stock"):
        raise product_not_found()
    total = in_cart + adding
    stock = stock_of(product)
    if product.status != "active" or stock < total:
        raise out_of_stock(stock, in_cart)
    if total > MAX_QUANTITY:
        room = MAX_QUANTITY - in_cart
        message = f"A cart holds at most {MAX_QUANTITY} of a product; you can add {room} more"
        raise Conflict(message, code="CART_LIMIT", errors={"quantity": [f"at most {room}"]})
    return product


def out_of_stock(stock: int, in_cart: int) -> Conflict:
    if stock <= 0:
        message = "This product is out of stock"
    elif in_cart:
        message = f"Only {stock} available, and {in_cart} already in your cart"
    else:
        message = f"Only {stock} available"
    return Conflict(message, code="OUT_OF_STOCK", errors={"quantity": [f"only {max(stock, 0)} available"]})


def ensure_room(distinct_products: int, max_lines: int) -> None:
    """A new line fits in the cart. Raises :class:`Conflict` ``CART_FULL``."""
    if distinct_products >= max_lines:
        message = f"A cart holds at most {max_lines} different products; remove one first"
        raise Conflict(message, code="CART_FULL")


def ensure_currency(cart_currency: str | None, product: ProductItem) -> None:
    """Raises :class:`Conflict` ``CURRENCY_MISMATCH`` for a product priced in another currency."""
    if cart_currency is not None and product.currency != cart_currency:
        message = f"Your cart is in {cart_currency.upper()}; this product is priced in {product.currency.upper()}"
        raise Conflict(message, code="CURRENCY_MISMATCH")


def stock_of(product: ProductItem) -> int:
    return int(product.stock_quantity or 0)


def is_available(product: ProductItem | None, quantity: int, cart_currency: str) -> bool:
    """The line can be ordered as it is: the product is active, has the stock, and is priced
    in the cart's currency."""
    return (
        product is not None
        and product.status == "active"
        and stock_of(product) >= quantity
        and product.currency == cart_currency
    )
