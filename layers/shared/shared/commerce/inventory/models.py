"""Low-stock entries: one per product at or below its ``lowStockThreshold``, in its seller's
partition, kept by the analytics stream consumer from the products' stream records.

Access patterns
===============

=========================================  ===========================================================
Who reads what                             Key / index
=========================================  ===========================================================
a seller's low-stock products (listing)    Query ``PK=LOW_STOCK#<sellerId>`` (``SK=<productId>``), then one
                                           BatchGetItem of the page's products for their current stock
consumer: the product's entry              ``PK=LOW_STOCK#<sellerId>``, ``SK=<productId>`` (put while low,
                                           deleted when stock rises above the threshold or the product goes)
=========================================  ===========================================================

The entry is written from the stream, so the listing trails a stock change by the stream's
delay (about a second); the stock it shows is read from the product itself.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from shared.data.table import Item


def low_stock_pk(seller_id: str) -> str:
    return f"LOW_STOCK#{seller_id}"


class LowStockItem(Item, discriminator="LOW_STOCK"):
    product_id = UnicodeAttribute(attr_name="productId")
    seller_id = UnicodeAttribute(attr_name="sellerId")
    name = UnicodeAttribute()
    stock_quantity = NumberAttribute(attr_name="stockQuantity")
    low_stock_threshold = NumberAttribute(attr_name="lowStockThreshold")
    since = UnicodeAttribute()
