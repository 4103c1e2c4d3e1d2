"""Success responses in the envelope: ``{"success": true, "data": ..., "meta": {"requestId"}}``."""

from __future__ import annotations

from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.shared.cookies import Cookie

from shared.schemas import Envelope, Meta

T = TypeVar("T")


def request_id(app: APIGatewayHttpResolver) -> str | None:
    try:
        return str(app.current_event.request_context.request_id)
    except (AttributeError, KeyError, TypeError):
        return None


def ok(
    app: APIGatewayHttpResolver,
    data: T,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    cookies: list[Cookie] | None = None,
) -> Response[Envelope[T]]:
    body: Envelope[Any] = Envelope(data=data, meta=Meta(request_id=request_id(app)))
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers=headers,
        cookies=cookies,
    )


def created(app: APIGatewayHttpResolver, data: T, **kwargs: Any) -> Response[Envelope[T]]:
    return ok(app, data, status=201, **kwargs)


def accepted(app: APIGatewayHttpResolver, data: T) -> Response[Envelope[T]]:
    return ok(app, data, status=202)
