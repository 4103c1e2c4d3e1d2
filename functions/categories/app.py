"""Category routes: public reads, admin writes (``/api/v1/categories``)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.commerce.categories import service
from shared.commerce.categories.schemas import CategoryOut, CreateCategoryRequest, UpdateCategoryRequest
from shared.errors import Conflict, NotFound
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import raises
from shared.http.responses import created, ok
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope, ItemsPage, Message

app = create_app()
PREFIX = "/api/v1/categories"
CategoryRef = Annotated[str, Path(min_length=1, max_length=120)]


@app.get(PREFIX, tags=["categories"])
def list_categories(
    parent_id: Annotated[str | None, Query(alias="parentId", max_length=64)] = None,
) -> Response[Envelope[ItemsPage[CategoryOut]]]:
    """Every category, by name.

    `parentId` lists the children of one category.
    """
    return ok(app, service.list_categories(parent_id))


@app.get(f"{PREFIX}/<categoryId>", responses=raises(NotFound), tags=["categories"])
def get_category(categoryId: CategoryRef) -> Response[Envelope[CategoryOut]]:
    """One category, by id or slug."""
    return ok(app, service.category_out(service.resolve(categoryId)))


@app.post(PREFIX, responses=raises(Conflict, success=201), tags=["categories"])
@requires("admin")
def create_category(body: Annotated[CreateCategoryRequest, Body()]) -> Response[Envelope[CategoryOut]]:
    """Create a category.

    The slug is unique (409 `SLUG_TAKEN`).
    """
    principal(app, "admin")
    return created(app, service.create(body))


@app.patch(f"{PREFIX}/<categoryId>", responses=raises(NotFound, Conflict), tags=["categories"])
@requires("admin")
def update_category(
    categoryId: CategoryRef, body: Annotated[UpdateCategoryRequest, Body()]
) -> Response[Envelope[CategoryOut]]:
    """Rename, re-slug or move a category.

    A move may not create a cycle.
    """
    principal(app, "admin")
    return ok(app, service.update(categoryId, body))


@app.delete(f"{PREFIX}/<categoryId>", responses=raises(NotFound, Conflict), tags=["categories"])
@requires("admin")
def delete_category(categoryId: CategoryRef) -> Response[Envelope[Message]]:
    """Delete a category.

    409 while it has subcategories or active products.
    """
    principal(app, "admin")
    service.delete(categoryId)
    return ok(app, Message(message="Category deleted"))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
