"""Product routes: ``/api/v1/products`` (catalog CRUD, listing and search, related, reviews)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.commerce.products import listing, reviews, service
from shared.commerce.products.schemas import (
    CreateProductRequest,
    CreateReviewRequest,
    ProductOut,
    ProductStatus,
    ProductSummary,
    ReviewOut,
    Sort,
    UpdateProductRequest,
    UpdateReviewRequest,
)
from shared.errors import Conflict, Forbidden, NotFound, Unauthenticated
from shared.http.app import create_app, serve
from shared.http.auth import access_token, principal, requires
from shared.http.openapi import raises
from shared.http.pagination import Cursor, Limit
from shared.http.responses import created, ok
from shared.identity.principal import Principal
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope, ItemsPage, Message

app = create_app()
PREFIX = "/api/v1/products"
ProductId = Annotated[str, Path(min_length=1, max_length=255, description="Product id (or slug on GET)")]
ReviewId = Annotated[str, Path(min_length=1, max_length=64, description="The reviewer's user id")]
Money = Annotated[int | None, Query(ge=0, le=99_999_999, description="Integer cents")]


def viewer() -> Principal | None:
    """The caller if they sent a token (public routes show more to owners and admins)."""
    return principal(app) if access_token(app) else None


@app.post(PREFIX, responses=raises(Conflict, success=201), tags=["products"])
@requires("seller", "admin", approved=True)
def create_product(body: Annotated[CreateProductRequest, Body()]) -> Response[Envelope[ProductOut]]:
    """Create a product.

    The caller is the seller; prices are integer cents. Products start as drafts unless a status is
    given.
    """
    return created(app, service.create_product(principal(app), body))


@app.get(PREFIX, responses=raises(Unauthenticated, Forbidden), tags=["products"])
def list_products(  # noqa: PLR0917 - one parameter per documented query field
    search: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    category: Annotated[str | None, Query(min_length=1, max_length=120, description="Category id or slug")] = None,
    sellerId: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    status: Annotated[ProductStatus | None, Query(description="Only with your own sellerId")] = None,
    minPrice: Money = None,
    maxPrice: Money = None,
    tags: Annotated[str | None, Query(max_length=1100, description="Comma list; all must match")] = None,
    sort: Annotated[Sort | None, Query(description="Default: relevance with search, else newest")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
    includeOutOfStock: Annotated[
        bool, Query(description="Also list sold-out products (after the in-stock ones; not in search)")
    ] = False,
) -> Response[Envelope[ItemsPage[ProductSummary]]]:
    """List and search the catalog.

    Active products only, unless a seller asks for their own (`sellerId` = own id with `status`). A
    token is optional; an invalid one is a 401.
    """
    query = listing.ListingQuery(
        search=search,
        category=category,
        seller_id=sellerId,
        status=status,
        min_price=minPrice,
        max_price=maxPrice,
        tags=tags,
        sort=sort,
        limit=limit,
        cursor=cursor,
        include_out_of_stock=includeOutOfStock,
    )
    return ok(app, listing.list_products(viewer(), query))


@app.get(f"{PREFIX}/<productId>", responses=raises(NotFound, Unauthenticated, Forbidden), tags=["products"])
def get_product(productId: ProductId) -> Response[Envelope[ProductOut]]:
    """One product, by id or slug.

    Drafts and `costPrice` only for the owner and admins. A token is optional; an invalid one is a
    401.
    """
    return ok(app, service.get_product(viewer(), productId))


@app.patch(f"{PREFIX}/<productId>", responses=raises(NotFound, Forbidden, Conflict), tags=["products"])
@requires("seller", "admin", approved=True)
def update_product(
    productId: ProductId, body: Annotated[UpdateProductRequest, Body()]
) -> Response[Envelope[ProductOut]]:
    """Update one of the caller's products (admins: any).

    Stock 0 makes it `out_of_stock`, a restock `active` again.
    """
    return ok(app, service.update_product(principal(app), productId, body))


@app.delete(f"{PREFIX}/<productId>", responses=raises(NotFound, Forbidden, Conflict), tags=["products"])
@requires("seller", "admin", approved=True)
def delete_product(productId: ProductId) -> Response[Envelope[Message]]:
    """Delete one of the caller's products (admins: any), with its reviews."""
    service.delete_product(principal(app), productId)
    return ok(app, Message(message="Product deleted"))


@app.get(f"{PREFIX}/<productId>/related", responses=raises(NotFound, Unauthenticated, Forbidden), tags=["products"])
def related_products(
    productId: ProductId, limit: Annotated[int, Query(ge=1, le=20)] = 8
) -> Response[Envelope[ItemsPage[ProductSummary]]]:
    """Active products of the same category."""
    return ok(app, ItemsPage[ProductSummary](items=listing.related(viewer(), productId, limit)))


@app.post(
    f"{PREFIX}/<productId>/reviews",
    responses=raises(NotFound, Forbidden, Conflict, success=201),
    tags=["reviews"],
)
@requires()
def create_review(productId: ProductId, body: Annotated[CreateReviewRequest, Body()]) -> Response[Envelope[ReviewOut]]:
    """Review a product.

    One review per user (409 `REVIEW_EXISTS`); `verifiedPurchase` comes from the caller's purchases.
    """
    return created(app, reviews.create_review(principal(app), productId, body))


@app.get(f"{PREFIX}/<productId>/reviews", responses=raises(NotFound), tags=["reviews"])
def list_reviews(
    productId: ProductId, limit: Limit = 20, cursor: Cursor = None
) -> Response[Envelope[ItemsPage[ReviewOut]]]:
    """A product's reviews, newest first."""
    return ok(app, reviews.list_reviews(productId, limit=limit, cursor=cursor))


@app.patch(
    f"{PREFIX}/<productId>/reviews/<reviewId>", responses=raises(NotFound, Forbidden, Conflict), tags=["reviews"]
)
@requires()
def update_review(
    productId: ProductId, reviewId: ReviewId, body: Annotated[UpdateReviewRequest, Body()]
) -> Response[Envelope[ReviewOut]]:
    """Edit the caller's review."""
    return ok(app, reviews.update_review(principal(app), productId, reviewId, body))


@app.delete(
    f"{PREFIX}/<productId>/reviews/<reviewId>", responses=raises(NotFound, Forbidden, Conflict), tags=["reviews"]
)
@requires()
def delete_review(productId: ProductId, reviewId: ReviewId) -> Response[Envelope[Message]]:
    """Delete a review (its author or an admin)."""
    reviews.delete_review(principal(app), productId, reviewId)
    return ok(app, Message(message="Review deleted"))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
