"""Pure product rules: prices, status automation, slugs, search words and index keys.

Nothing here does I/O, so every rule is unit-tested on its own.
"""

from __future__ import annotations

import secrets
from typing import Any

from shared.commerce.products.models import (
    ACTIVE,
    category_partition,
    price_key,
    rating_order,
    seller_partition,
    sold_out_partition,
)
from shared.commerce.slugs import slugify
from shared.search import index

MAX_PRICE = 99_999_999
SLUG_MAX = 120
MAX_WORD_CHARS = index.MAX_WORD_CHARS


def price_errors(price: int | None, compare_price: int | None, cost_price: int | None) -> dict[str, list[str]]:
    """Cross-field money rules (each field's own bounds are checked by the schema)."""
    errors: dict[str, list[str]] = {}
    if price is not None and compare_price is not None and compare_price <= price:
        errors["comparePrice"] = ["Compare price must be greater than regular price"]
    if cost_price is not None and cost_price < 0:
        errors["costPrice"] = ["Cost price cannot be negative"]
    return errors


def next_status(current: str, requested: str | None, stock: int, previous_stock: int | None = None) -> str:
    """The status after a write.

    An ``active`` product with no stock becomes ``out_of_stock``; an ``out_of_stock`` product
    that is restocked (and was not explicitly set to something else) becomes ``active`` again.
    """
    status = requested or current
    if status == "active" and stock <= 0:
        return "out_of_stock"
    if status == "out_of_stock" and stock > 0 and requested is None and current == "out_of_stock":
        return "active"
    return status


def derived_slug(name: str) -> str:
    slug = slugify(name, SLUG_MAX)
    return slug if len(slug) >= 2 else f"product-{slug}".strip("-")


def with_suffix(slug: str) -> str:
    """``slug`` with a short random suffix (used when the derived slug is taken)."""
    suffix = secrets.token_hex(3)
    return f"{slug[: SLUG_MAX - len(suffix) - 1].rstrip('-')}-{suffix}"


def normalize_tags(tags: list[str]) -> list[str]:
    """Lowercased, trimmed, deduplicated (first occurrence kept), empty ones dropped."""
    seen: dict[str, None] = {}
    for tag in tags:
        clean = " ".join(tag.strip().lower().split())
        if clean:
            seen.setdefault(clean, None)
    return list(seen)


def words(*texts: str | None) -> list[str]:
    """Search words of products and of product queries: :func:`shared.search.index.words`."""
    return index.words(*texts)


def average(rating_sum: int, review_count: int) -> float:
    return round(rating_sum / review_count, 2) if review_count else 0.0


def index_keys(
    *,
    product_id: str,
    seller_id: str,
    category_id: str | None,
    status: str,
    price: int,
    average_rating: float,
    created_at: str,
) -> dict[str, Any]:
    """Every GSI key attribute of a product (``None`` removes it: sparse while neither active nor
    out of stock; a sold-out product is in the sold-out twin of each listing partition)."""
    order = f"{created_at}#{product_id}"
    by_price = f"{price_key(price)}#{product_id}"
    shown = status in ("active", "out_of_stock")

    def listed(partition: str) -> str:
        return partition if status == "active" else sold_out_partition(partition)

    in_category = shown and category_id is not None
    category = listed(category_partition(category_id)) if in_category and category_id else None
    return {
        "gsi1pk": listed(ACTIVE) if shown else None,
        "gsi1sk": order if shown else None,
        "gsi2pk": listed(ACTIVE) if shown else None,
        "gsi2sk": by_price if shown else None,
        "gsi3pk": listed(ACTIVE) if shown else None,
        "gsi3sk": rating_order(average_rating, created_at, product_id) if shown else None,
        "gsi4pk": category,
        "gsi4sk": order if in_category else None,
        "gsi5pk": seller_partition(seller_id),
        "gsi5sk": order,
        "gsi6pk": category,
        "gsi6sk": by_price if in_category else None,
    }
