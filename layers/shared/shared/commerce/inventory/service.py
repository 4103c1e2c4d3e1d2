"""A seller's low-stock products (``GET /api/v1/sellers/me/low-stock``)."""

from __future__ import annotations

from shared.commerce.inventory import repository
from shared.commerce.inventory.models import LowStockItem
from shared.commerce.inventory.schemas import LowStockOut
from shared.commerce.products import repository as products
from shared.identity.principal import Principal
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor


def low_stock(principal: Principal, *, limit: int, cursor: str | None) -> ItemsPage[LowStockOut]:
    """The caller's products at or below their threshold, by product id. The entries come from
    the stream (a second behind a sale); stock and threshold are the product's own, read now,
    and an entry whose product has since risen above its threshold is left out of the page."""
    scope = f"low-stock|{principal.user_id}"
    page = repository.list_for_seller(principal.user_id, limit=limit, position=decode_cursor(cursor, scope))
    entries = [entry for entry in page.items if isinstance(entry, LowStockItem)]
    current = products.get_products(entry.product_id for entry in entries)
    items: list[LowStockOut] = []
    for entry in entries:
        product = current.get(entry.product_id)
        if product is None or product.seller_id != principal.user_id:
            continue
        stock, threshold = int(product.stock_quantity or 0), int(product.low_stock_threshold or 0)
        if stock > threshold:
            continue
        items.append(
            LowStockOut(
                product_id=product.product_id,
                name=product.name,
                slug=product.slug,
                status=product.status,
                stock_quantity=stock,
                low_stock_threshold=threshold,
            )
        )
    return ItemsPage[LowStockOut](items=items, next_cursor=encode_cursor(page.next_position, scope))
