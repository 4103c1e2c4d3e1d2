"""Data access for a deleted account's products, reviews and proofs of purchase (issue #18).

Used by :mod:`shared.commerce.lifecycle`; keys come from :mod:`.models`, like the rest of the
products' data access (:mod:`.repository`, :mod:`.review_repository`). Every function works on
what is still there, so calling it again after a crash (or after it finished) writes nothing
more.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from pynamodb.exceptions import TransactWriteError

from shared.commerce.products import repository, review_repository, rules, search_index
from shared.commerce.products.models import (
    LISTED_STATUSES,
    PRODUCT_SK,
    PURCHASE_PREFIX,
    REVIEW_PREFIX,
    ProductItem,
    PurchaseItem,
    ReviewItem,
    product_pk,
    rating_order,
    seller_partition,
    user_reviews,
)
from shared.data.pagination import Page, query_page
from shared.data.purge import delete_page
from shared.data.table import Item
from shared.data.transactions import delete_if, failed_conditions, transaction
from shared.errors import Conflict
from shared.identity.models import user_pk

ATTEMPTS = 8


# ---------------------------------------------------------------------------- reviews by author


def reviews_by(user_id: str, *, limit: int, position: dict[str, Any] | None) -> Page[ReviewItem]:
    """The user's reviews, oldest first (GSI2 ``USER_REVIEWS#<uid>``; eventually consistent:
    :func:`erase_review` re-reads each one)."""
    run = partial(Item.gsi2.query, user_reviews(user_id))
    return query_page(run, limit=limit, position=position, index="GSI2")


def erase_review(product_id: str, user_id: str) -> bool:
    """Delete the user's review of the product and take it out of the product's rating, exactly.

    One transaction deletes the review (iff it still exists with the rating read) and moves the
    product's ``ratingSum``/``reviewCount`` and ``averageRating`` (and its rating index key) to
    the values without it, conditioned on the version and counters read: a concurrent product or
    review write makes it re-read and retry, and a retry after a crash finds no review and
    adjusts nothing. The search postings' cards (which copy the average) are then rewritten while
    the product is still at the version it wrote (:func:`search_index.refresh_cards`), like every
    rating change does. A review whose product is gone is just
    deleted. Returns whether this call deleted it.

    Raises :class:`Conflict` ``PRODUCT_CHANGED`` when the product kept changing.
    """
    for _ in range(ATTEMPTS):
        review = review_repository.get_review(product_id, user_id)
        if review is None:
            return False
        product = repository.get_product(product_id)
        if product is None:
            return delete_if(ReviewItem(review.pk, review.sk))
        rating_sum, count = int(product.rating_sum or 0), int(product.review_count or 0)
        average = rules.average(rating_sum - int(review.rating), count - 1)
        actions: list[Any] = [
            ProductItem.rating_sum.add(-int(review.rating)),
            ProductItem.review_count.add(-1),
            ProductItem.average_rating.set(average),
            ProductItem.version.add(1),
        ]
        if product.status in LISTED_STATUSES:
            actions.append(Item.gsi3sk.set(rating_order(average, product.created_at, product.product_id)))
        try:
            with transaction() as tx:
                tx.delete(
                    ReviewItem(review.pk, review.sk),
                    condition=Item.pk.exists() & (ReviewItem.rating == int(review.rating)),
                )
                tx.update(
                    ProductItem(product_pk(product_id), PRODUCT_SK),
                    actions=actions,
                    condition=Item.pk.exists()
                    & (ProductItem.version == product.version)
                    & (ProductItem.rating_sum == rating_sum)
                    & (ProductItem.review_count == count),
                )
        except TransactWriteError as exc:
            if any(failed_conditions(exc)):
                continue
            raise
        product.rating_sum, product.review_count, product.average_rating = (
            rating_sum - int(review.rating),
            count - 1,
            average,
        )
        product.version = int(product.version) + 1
        search_index.refresh_cards(product)
        return True
    raise Conflict("The product is busy; retry", code="PRODUCT_CHANGED")


# ---------------------------------------------------------------------------- proofs of purchase


def delete_purchases(user_id: str, *, limit: int) -> tuple[int, bool]:
    """Delete one page of the user's ``PURCHASE#`` items; returns (deleted, more may be left)."""
    return delete_page(
        partial(Item.query, user_pk(user_id), Item.sk.startswith(PURCHASE_PREFIX), consistent_read=True),
        PurchaseItem,
        limit=limit,
    )


# ---------------------------------------------------------------------------- a seller's products


def products_of(seller_id: str, *, limit: int, position: dict[str, Any] | None) -> Page[ProductItem]:
    """The seller's products of every status (GSI5), oldest first."""
    run = partial(Item.gsi5.query, seller_partition(seller_id))
    return query_page(run, limit=limit, position=position, index="GSI5")


def delete_reviews_of(product_id: str, *, limit: int) -> tuple[int, bool]:
    """Delete one page of the reviews of a product about to be deleted (their counters go with
    it); returns (deleted, more may be left)."""
    run = partial(Item.query, product_pk(product_id), Item.sk.startswith(REVIEW_PREFIX), consistent_read=True)
    return delete_page(run, ReviewItem, limit=limit)
