"""The WebSocket API's routes (``$connect``, ``$disconnect``, ``$default``, ``subscribe``,
``unsubscribe``, ``typing``, ``ping``), all served here, routed by ``requestContext.routeKey``.

``$connect`` admits the handshake's ``?ticket=`` (401/403 refuse it: the client sees the
upgrade fail); every other route answers through the management API (``PostToConnection``,
see :mod:`shared.realtime.connections`) and returns 200, so a bad frame never closes the
connection.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.errors import Forbidden, Unauthenticated
from shared.observability import logger, metrics, tracer
from shared.realtime import connections

OK = {"statusCode": 200}


def on_connect(event: dict[str, Any], connection_id: str) -> dict[str, Any]:
    ticket = (event.get("queryStringParameters") or {}).get("ticket")
    try:
        item = connections.connect(connection_id, ticket)
    except Unauthenticated as exc:
        logger.info("handshake refused", extra={"code": exc.code, "connectionId": connection_id})
        metrics.add_metric(name="WebSocketRefused", unit=MetricUnit.Count, value=1)
        return {"statusCode": 401}
    except Forbidden as exc:
        logger.info("handshake refused", extra={"code": exc.code, "connectionId": connection_id})
        metrics.add_metric(name="WebSocketRefused", unit=MetricUnit.Count, value=1)
        return {"statusCode": 403}
    logger.info("connected", extra={"connectionId": connection_id, "userId": item.user_id})
    metrics.add_metric(name="WebSocketConnected", unit=MetricUnit.Count, value=1)
    return OK


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = event.get("requestContext") or {}
    route, connection_id = request.get("routeKey"), str(request.get("connectionId") or "")
    if route == "$connect":
        return on_connect(event, connection_id)
    if route == "$disconnect":
        connections.disconnect(connection_id)
        logger.info("disconnected", extra={"connectionId": connection_id})
        return OK
    connections.handle_frame(connection_id, event.get("body"))
    return OK
