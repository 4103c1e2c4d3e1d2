"""Cart lines + current products → the cart the API returns (the only place pricing a cart)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from shared.commerce.cart import rules
from shared.commerce.cart.models import CartLineItem
from shared.commerce.cart.schemas import CartLineOut, CartOut
from shared.commerce.products.models import ProductItem


def cart_currency(lines: Sequence[CartLineItem], products: Mapping[str, ProductItem]) -> str | None:
    """The currency of the oldest line whose product still exists (``lines`` are oldest first)."""
    for line in lines:
        product = products.get(line.product_id)
        if product is not None:
            return str(product.currency)
    return None


def line_out(line: CartLineItem, product: ProductItem | None, currency: str) -> CartLineOut:
    quantity = int(line.quantity)
    if product is None:
        return CartLineOut(
            product_id=line.product_id,
            name=None,
            slug=None,
            image=None,
            unit_price=None,
            currency=None,
            quantity=quantity,
            line_total=None,
            available=False,
            stock_quantity=0,
            status=None,
        )
    price = int(product.price)
    return CartLineOut(
        product_id=line.product_id,
        name=product.name,
        slug=product.slug,
        image=product.images[0] if product.images else None,
        unit_price=price,
        currency=product.currency,
        quantity=quantity,
        line_total=price * quantity,
        available=rules.is_available(product, quantity, currency),
        stock_quantity=rules.stock_of(product),
        status=product.status,
    )


def cart_out(lines: Sequence[CartLineItem], products: Mapping[str, ProductItem]) -> CartOut:
    """``lines`` oldest first; ``products`` the current products by id (deleted ones absent)."""
    currency = cart_currency(lines, products) or rules.DEFAULT_CURRENCY
    items = [line_out(line, products.get(line.product_id), currency) for line in lines]
    return CartOut(
        items=items,
        item_count=sum(item.quantity for item in items),
        subtotal=sum(item.line_total or 0 for item in items if item.available),
        currency=currency,
        updated_at=max((line.updated_at for line in lines), default=None),
    )
