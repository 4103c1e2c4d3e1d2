"""``POST /api/v1/realtime/ticket``: a single-use ticket for one WebSocket handshake."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import raises
from shared.http.responses import created
from shared.observability import logger, metrics, tracer
from shared.realtime import tickets
from shared.realtime.schemas import TicketOut
from shared.schemas import Envelope

app = create_app()


@app.post("/api/v1/realtime/ticket", responses=raises(success=201), tags=["realtime"])
@requires()
def create_ticket() -> Response[Envelope[TicketOut]]:
    """A ticket to open the real-time WebSocket.

    Connect to `url?ticket=<ticket>` within 60 seconds; the ticket works for one handshake only
    and only while the caller's session lasts (a revoked session or a suspended account is
    refused at the handshake). Then send `{"action": "subscribe", "threadId": ...}` frames.
    """
    return created(app, tickets.issue(principal(app)))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
