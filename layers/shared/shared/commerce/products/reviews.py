"""Product reviews: one per user and product, exact aggregates without re-reading reviews.

The review write and ``ADD`` to the product's ``ratingSum``/``reviewCount`` share one
transaction, so the counters are exact under any concurrency; ``averageRating`` (and the
rating index key) is then recomputed from them with a version-conditioned, retried update
(:func:`review_repository.refresh_rating`). ``verifiedPurchase`` is true when the item
``PK=USER#<uid>``, ``SK=PURCHASE#<pid>`` exists: checkout writes it when an order is paid
(until then no review is verified). A review's id is its author's user id.
"""

from __future__ import annotations

from typing import Any

from shared.clock import now_iso
from shared.commerce.products import checkout_repository, repository, review_repository
from shared.commerce.products.models import ReviewItem
from shared.commerce.products.schemas import CreateReviewRequest, ReviewOut, UpdateReviewRequest
from shared.commerce.products.views import review_out
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.identity.principal import Principal
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor


def _review_not_found() -> NotFound:
    return NotFound("Review not found", code="REVIEW_NOT_FOUND")


def create_review(principal: Principal, product_id: str, request: CreateReviewRequest) -> ReviewOut:
    """Raises :class:`NotFound` (no such active product), :class:`Forbidden` (own product),
    :class:`Conflict` ``REVIEW_EXISTS``."""
    product = repository.get_product(product_id)
    if product is None or product.status not in ("active", "out_of_stock"):
        raise repository.product_not_found()
    if product.seller_id == principal.user_id:
        raise Forbidden("You cannot review your own product", code="OWN_PRODUCT")
    review = review_repository.new_review(
        product_id,
        principal.user_id,
        now_iso(),
        user_name=principal.user.name,
        rating=request.rating,
        title=request.title,
        comment=request.comment,
        verified_purchase=checkout_repository.has_purchased(principal.user_id, product_id),
    )
    review_repository.put_review(review)
    review_repository.refresh_rating(product_id)
    return review_out(review)


def list_reviews(product_id: str, *, limit: int, cursor: str | None) -> ItemsPage[ReviewOut]:
    product = repository.get_product(product_id)
    if product is None:
        raise repository.product_not_found()
    scope = f"reviews|{product_id}"
    page = review_repository.list_reviews(product_id, limit=limit, position=decode_cursor(cursor, scope))
    return ItemsPage[ReviewOut](
        items=[review_out(item) for item in page.items if isinstance(item, ReviewItem)],
        next_cursor=encode_cursor(page.next_position, scope),
    )


def update_review(principal: Principal, product_id: str, review_id: str, request: UpdateReviewRequest) -> ReviewOut:
    """Only the author edits a review. Raises :class:`Forbidden`, :class:`NotFound`, :class:`InvalidInput`."""
    sent = request.model_fields_set
    if not sent:
        raise InvalidInput("Nothing to update", errors={"body": ["provide rating, title or comment"]})
    if "rating" in sent and request.rating is None:
        raise InvalidInput(errors={"rating": ["cannot be null"]})
    if review_id != principal.user_id:
        raise Forbidden("You can only edit your own review", code="NOT_REVIEW_OWNER")
    review = review_repository.get_review(product_id, review_id)
    if review is None:
        raise _review_not_found()
    at = now_iso()
    old_rating = int(review.rating)
    actions: list[Any] = [ReviewItem.updated_at.set(at)]
    delta = 0
    if request.rating is not None:
        delta = request.rating - int(review.rating)
        actions.append(ReviewItem.rating.set(request.rating))
        review.rating = request.rating
    for name in ("title", "comment"):
        if name in sent:
            value = getattr(request, name)
            attr = getattr(ReviewItem, name)
            actions.append(attr.set(value) if value is not None else attr.remove())
            setattr(review, name, value)
    review_repository.update_review(review, old_rating, actions, delta)
    review.updated_at = at
    if delta:
        review_repository.refresh_rating(product_id)
    return review_out(review)


def delete_review(principal: Principal, product_id: str, review_id: str) -> None:
    """The author or an admin. Raises :class:`Forbidden`, :class:`NotFound`."""
    if review_id != principal.user_id and principal.user.role != "admin":
        raise Forbidden("You can only delete your own review", code="NOT_REVIEW_OWNER")
    review = review_repository.get_review(product_id, review_id)
    if review is None:
        raise _review_not_found()
    review_repository.delete_review(review)
    review_repository.refresh_rating(product_id)
