"""``GET /health``: liveness of the API (no dependencies touched)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.http.app import create_app, serve
from shared.http.responses import ok
from shared.observability import logger
from shared.schemas import ApiModel, Envelope

app = create_app()


class Health(ApiModel):
    status: str
    version: str


@app.get("/health", tags=["health"])
def health() -> Response[Envelope[Health]]:
    """Liveness."""
    return ok(app, Health(status="ok", version="1"))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
