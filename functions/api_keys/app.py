"""Admin routes of integration API keys (``/api/v1/api-keys``): create (the key shown once),
list, revoke. Rules live in :mod:`shared.identity.api_keys`."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.errors import InvalidInput, NotFound
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import raises
from shared.http.pagination import Cursor, Limit
from shared.http.responses import created, ok
from shared.identity import api_keys
from shared.identity.api_key_schemas import ApiKeyOut, CreateApiKeyRequest, CreatedApiKeyOut
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope, ItemsPage, Message

app = create_app()
PREFIX = "/api/v1/api-keys"
KeyId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="API key id")]


@app.post(PREFIX, responses=raises(InvalidInput, success=201), tags=["api-keys"])
@requires("admin")
def create_api_key(body: Annotated[CreateApiKeyRequest, Body()]) -> Response[Envelope[CreatedApiKeyOut]]:
    """Create an API key for an integration.

    The `key` is in this answer only (it is stored hashed): send it as `X-Api-Key`. Scope
    `experience:assistant` reads threads and posts assistant/system messages, actions and
    artifacts in any thread, and nothing else.
    """
    return created(app, api_keys.create(principal(app, "admin"), body))


@app.get(PREFIX, responses=raises(InvalidInput), tags=["api-keys"])
@requires("admin")
def list_api_keys(limit: Limit = 20, cursor: Cursor = None) -> Response[Envelope[ItemsPage[ApiKeyOut]]]:
    """The API keys, newest first (never the keys themselves)."""
    principal(app, "admin")
    return ok(app, api_keys.list_keys(limit=limit, cursor=cursor))


@app.delete(f"{PREFIX}/<keyId>", responses=raises(NotFound), tags=["api-keys"])
@requires("admin")
def revoke_api_key(keyId: KeyId) -> Response[Envelope[Message]]:
    """Revoke an API key.

    Its next request is refused (401 `INVALID_API_KEY`).
    """
    principal(app, "admin")
    api_keys.revoke(keyId)
    return ok(app, Message(message="API key revoked"))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
