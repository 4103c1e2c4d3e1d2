"""Items → API models: the only place deciding which product fields leave the service."""

from __future__ import annotations

from typing import Any, cast

from shared.commerce.products.models import PostingItem, ProductItem, ReviewItem
from shared.commerce.products.schemas import DimensionsOut, ProductOut, ProductStatus, ProductSummary, ReviewOut


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def discount_percentage(price: int, compare_price: int | None) -> int:
    if not compare_price or compare_price <= price:
        return 0
    return round((compare_price - price) * 100 / compare_price)


def product_out(product: ProductItem, *, private: bool) -> ProductOut:
    """``private``: the owner seller or an admin (the only callers who see ``costPrice``)."""
    price = int(product.price)
    stock = int(product.stock_quantity or 0)
    threshold = int(product.low_stock_threshold or 0)
    dims = [product.length, product.width, product.height]
    return ProductOut(
        id=product.product_id,
        seller_id=product.seller_id,
        category_id=product.category_id,
        name=product.name,
        slug=product.slug,
        description=product.description,
        short_description=product.short_description,
        price=price,
        compare_price=_int(product.compare_price),
        cost_price=_int(product.cost_price) if private else None,
        currency=product.currency,
        sku=product.sku,
        stock_quantity=stock,
        low_stock_threshold=threshold,
        in_stock=stock > 0,
        low_stock=stock <= threshold,
        discount_percentage=discount_percentage(price, _int(product.compare_price)),
        weight=_float(product.weight),
        dimensions=DimensionsOut(length=_float(dims[0]), width=_float(dims[1]), height=_float(dims[2]))
        if any(value is not None for value in dims)
        else None,
        images=list(product.images or []),
        status=cast(ProductStatus, product.status),
        meta_title=product.meta_title,
        meta_description=product.meta_description,
        tags=list(product.tags or []),
        view_count=int(product.view_count or 0),
        average_rating=float(product.average_rating or 0),
        review_count=int(product.review_count or 0),
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


def product_summary(product: ProductItem) -> ProductSummary:
    return ProductSummary(
        id=product.product_id,
        name=product.name,
        slug=product.slug,
        short_description=product.short_description,
        price=int(product.price),
        compare_price=_int(product.compare_price),
        currency=product.currency,
        image=product.images[0] if product.images else None,
        tags=list(product.tags or []),
        average_rating=float(product.average_rating or 0),
        review_count=int(product.review_count or 0),
        category_id=product.category_id,
        seller_id=product.seller_id,
        status=cast(ProductStatus, product.status),
        created_at=product.created_at,
    )


def posting_summary(posting: PostingItem) -> ProductSummary:
    """A search hit's card, from the posting alone (postings exist for active products only)."""
    return ProductSummary(
        id=posting.product_id,
        name=posting.name,
        slug=posting.slug,
        short_description=posting.short_description,
        price=int(posting.price),
        compare_price=_int(posting.compare_price),
        currency=posting.currency,
        image=posting.image,
        tags=list(posting.tags or []),
        average_rating=float(posting.average_rating or 0),
        review_count=int(posting.review_count or 0),
        category_id=posting.category_id,
        seller_id=posting.seller_id,
        status="active",
        created_at=posting.created_at,
    )


def review_out(review: ReviewItem) -> ReviewOut:
    return ReviewOut(
        id=review.user_id,
        product_id=review.product_id,
        user_id=review.user_id,
        user_name=review.user_name,
        rating=int(review.rating),
        title=review.title,
        comment=review.comment,
        verified_purchase=bool(review.verified_purchase),
        created_at=review.created_at,
        updated_at=review.updated_at,
    )
