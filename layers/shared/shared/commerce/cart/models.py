"""Cart line entity: one item per product in a user's cart.

Access patterns
===============

=========================================  ===================================================================
Who reads what                             Key / index
=========================================  ===================================================================
a user's cart (every cart route,           Query ``PK=USER#<uid>``, ``begins_with(SK, "CART#")`` (consistent),
checkout)                                  then one BatchGetItem of the products (``PK=PRODUCT#<pid>``,
                                           ``SK=PRODUCT``)
one line (add, set quantity, remove)       ``PK=USER#<uid>``, ``SK=CART#<productId>`` (conditional
                                           UpdateItem/DeleteItem; ``ADD quantity`` for increments)
empty the cart; checkout removes lines     the cart query, then BatchWriteItem deletes (checkout: deletes
                                           inside its TransactWrite)
=========================================  ===================================================================

A line holds no price or name: those are always read from the product, so the cart can never
charge what the client or a stale copy says. Abandoned carts expire: every write to a line sets
its ``ttl`` to now + ``CART_TTL_DAYS``; DynamoDB deletes expired items lazily (up to days later),
so reads drop lines whose ``ttl`` has passed and writes treat them as absent.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from shared.data.table import Item
from shared.identity.models import user_pk

CART_PREFIX = "CART#"


def cart_pk(user_id: str) -> str:
    return user_pk(user_id)


def line_sk(product_id: str) -> str:
    return f"{CART_PREFIX}{product_id}"


class CartLineItem(Item, discriminator="CART_LINE"):
    """``PK=USER#<uid>``, ``SK=CART#<productId>``; ``ttl`` is refreshed on every write."""

    user_id = UnicodeAttribute(attr_name="userId")
    product_id = UnicodeAttribute(attr_name="productId")
    quantity = NumberAttribute()
    added_at = UnicodeAttribute(attr_name="addedAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
