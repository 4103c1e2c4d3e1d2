"""Category routes: public reads, admin writes (``/api/v1/categories``)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.commerce.categories import service
from shared.commerce.categories.schemas import CategoryOut, CreateCategoryRequest, UpdateCategoryRequest
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import created_response
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
    return ok(app, service.list_categories(parent_id))


@app.get(f"{PREFIX}/<categoryId>", tags=["categories"])
def get_category(categoryId: CategoryRef) -> Response[Envelope[CategoryOut]]:
    """``categoryId`` may also be the category's slug."""
    return ok(app, service.category_out(service.resolve(categoryId)))


@app.post(PREFIX, responses=created_response(Envelope[CategoryOut]), tags=["categories"])
@requires("admin")
def create_category(body: Annotated[CreateCategoryRequest, Body()]) -> Response[Envelope[CategoryOut]]:
    principal(app, "admin")
    return created(app, service.create(body))


@app.patch(f"{PREFIX}/<categoryId>", tags=["categories"])
@requires("admin")
def update_category(
    categoryId: CategoryRef, body: Annotated[UpdateCategoryRequest, Body()]
) -> Response[Envelope[CategoryOut]]:
    principal(app, "admin")
    return ok(app, service.update(categoryId, body))


@app.delete(f"{PREFIX}/<categoryId>", tags=["categories"])
@requires("admin")
def delete_category(categoryId: CategoryRef) -> Response[Envelope[Message]]:
    principal(app, "admin")
    service.delete(categoryId)
    return ok(app, Message(message="Category deleted"))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
