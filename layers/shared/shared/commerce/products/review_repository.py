"""Data access for product reviews and the rating aggregate they keep on the product.

Access patterns (keys in :mod:`.models`)
----------------------------------------
* one user's review of a product: ``PK=PRODUCT#<pid>``, ``SK=REVIEW#<userId>`` (one per user:
  conditional put);
* reviews of a product, newest first: Query GSI1 ``GSI1PK=PRODUCT_REVIEWS#<pid>``;
* a review written, edited or deleted moves the product's ``ratingSum``/``reviewCount`` with
  ``ADD`` in the same transaction, so the counters are exact under any concurrency;
  :func:`refresh_rating` then derives ``averageRating`` (and the rating index key GSI3SK) from them.

A user's reviews (GSI2 ``USER_REVIEWS#<uid>``) are read by :mod:`.erasure`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from shared.commerce.products import rules, search_index
from shared.commerce.products.models import (
    LISTED_STATUSES,
    PRODUCT_SK,
    ProductItem,
    ReviewItem,
    product_pk,
    rating_order,
    review_sk,
    reviews_partition,
    user_reviews,
)
from shared.commerce.products.repository import get_product, product_not_found
from shared.data.pagination import Page, query_page
from shared.data.table import Item
from shared.data.transactions import failed_conditions, is_condition_failure, transaction
from shared.errors import Conflict, NotFound


def get_review(product_id: str, user_id: str) -> ReviewItem | None:
    try:
        found = Item.get(product_pk(product_id), review_sk(user_id), consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, ReviewItem) else None


def new_review(product_id: str, user_id: str, at: str, **fields: Any) -> ReviewItem:
    return ReviewItem(
        product_pk(product_id),
        review_sk(user_id),
        product_id=product_id,
        user_id=user_id,
        created_at=at,
        updated_at=at,
        gsi1pk=reviews_partition(product_id),
        gsi1sk=f"{at}#{user_id}",
        gsi2pk=user_reviews(user_id),
        gsi2sk=f"{at}#{product_id}",
        **fields,
    )


def _product_ref(product_id: str) -> ProductItem:
    return ProductItem(product_pk(product_id), PRODUCT_SK)


def put_review(review: ReviewItem) -> None:
    """The review (one per user) and the product's counters, in one transaction.

    Raises :class:`Conflict` ``REVIEW_EXISTS``, :class:`NotFound` (no reviewable product).
    """
    try:
        with transaction() as tx:
            tx.save(review, condition=Item.pk.does_not_exist())
            tx.update(
                _product_ref(review.product_id),
                actions=[ProductItem.rating_sum.add(int(review.rating)), ProductItem.review_count.add(1)],
                condition=Item.pk.exists() & ProductItem.status.is_in("active", "out_of_stock"),
            )
    except TransactWriteError as exc:
        failed = failed_conditions(exc)
        if failed[:1] == [True]:
            raise Conflict("You have already reviewed this product", code="REVIEW_EXISTS") from exc
        if any(failed):
            raise product_not_found() from exc
        raise


def update_review(review: ReviewItem, old_rating: int, actions: list[Any], rating_delta: int) -> None:
    """Apply ``actions`` iff the stored rating is still ``old_rating``, with the product's
    ``ratingSum`` moved by ``rating_delta`` in the same transaction.

    Raises :class:`Conflict` ``REVIEW_CHANGED`` when the review changed since it was read.
    """
    try:
        with transaction() as tx:
            tx.update(
                ReviewItem(review.pk, review.sk),
                actions=actions,
                condition=Item.pk.exists() & (ReviewItem.rating == old_rating),
            )
            if rating_delta:
                tx.update(
                    _product_ref(review.product_id),
                    actions=[ProductItem.rating_sum.add(rating_delta)],
                    condition=Item.pk.exists(),
                )
    except TransactWriteError as exc:
        if any(failed_conditions(exc)):
            raise Conflict("The review changed meanwhile; retry", code="REVIEW_CHANGED") from exc
        raise


def delete_review(review: ReviewItem) -> None:
    try:
        with transaction() as tx:
            tx.delete(ReviewItem(review.pk, review.sk), condition=ReviewItem.rating == review.rating)
            tx.update(
                _product_ref(review.product_id),
                actions=[ProductItem.rating_sum.add(-int(review.rating)), ProductItem.review_count.add(-1)],
                condition=Item.pk.exists(),
            )
    except TransactWriteError as exc:
        if any(failed_conditions(exc)):
            raise NotFound("Review not found", code="REVIEW_NOT_FOUND") from exc
        raise


def list_reviews(product_id: str, *, limit: int, position: dict[str, Any] | None) -> Page[ReviewItem]:
    run = partial(Item.gsi1.query, reviews_partition(product_id), scan_index_forward=False)
    return query_page(run, limit=limit, position=position, index="GSI1")


def refresh_rating(product_id: str, attempts: int = 8) -> ProductItem | None:
    """Recompute ``averageRating`` (and the rating index key) from the exact ``ratingSum`` and
    ``reviewCount``; conditioned on the version read, retried on conflict, so the last writer
    always writes the average of the final counters."""
    for _ in range(attempts):
        product = get_product(product_id)
        if product is None:
            return None
        avg = rules.average(int(product.rating_sum or 0), int(product.review_count or 0))
        actions: list[Any] = [ProductItem.average_rating.set(avg), ProductItem.version.add(1)]
        if product.status in LISTED_STATUSES:
            actions.append(Item.gsi3sk.set(rating_order(avg, product.created_at, product.product_id)))
        try:
            ProductItem(product_pk(product_id), PRODUCT_SK).update(
                actions=actions, condition=ProductItem.version == product.version
            )
        except UpdateError as exc:
            if is_condition_failure(exc):
                continue
            raise
        product.average_rating = avg
        product.version = int(product.version) + 1
        search_index.refresh_cards(product)
        return product
    raise Conflict("The product is busy; retry", code="PRODUCT_CHANGED")
