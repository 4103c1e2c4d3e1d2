"""``POST /api/v1/uploads``: a presigned S3 POST for an image (the bytes go straight to S3)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.commerce.uploads import service
from shared.commerce.uploads.schemas import UploadRequest, UploadTicket
from shared.errors import Forbidden
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import raises
from shared.http.responses import created
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope

app = create_app()


@app.post("/api/v1/uploads", responses=raises(Forbidden, success=201), tags=["uploads"])
@requires()
def create_upload(body: Annotated[UploadRequest, Body()]) -> Response[Envelope[UploadTicket]]:
    """A presigned S3 POST for one image.

    Avatars for everyone, store logos for sellers, product images for approved sellers. The bytes go
    straight to S3.
    """
    return created(app, service.create_upload(principal(app), body))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
