"""The resolver factory every API function uses, and the Lambda entry wrapper.

``create_app()`` gives an :class:`APIGatewayHttpResolver` with pydantic validation, CORS, and
exception handlers that render every failure in the error envelope: validation errors are
**400** ``VALIDATION_ERROR`` with per-field messages (not Powertools' 422), a body that is not
UTF-8 (or declared in another charset) a 400 ``INVALID_ENCODING``, a body that is not strict
JSON a 400 ``INVALID_JSON`` (parsed by :func:`shared.http.body.loads`: bounded depth and
numbers), unknown routes a 404, and anything unexpected a 500 without details.
``serve()`` refuses oversized bodies with 413 and bodies that are not JSON (forms, multipart,
text) with 415 before any parsing, and adds security headers.
Creating the app performs no I/O and reads no settings beyond optional CORS origins.
"""

from __future__ import annotations

import json
import os
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import OpenAPIRequestValidationMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.errors import DomainError, InvalidInput
from shared.http import body as request_body
from shared.http.auth import authorize, route_access
from shared.http.errors import headers_for, problem, status_for, validation_errors
from shared.http.responses import request_id
from shared.observability import logger
from shared.settings import get_settings

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}


def _cors() -> CORSConfig:
    origins = [o.strip() for o in os.environ.get("CORS_ALLOW_ORIGINS", "*").split(",") if o.strip()] or ["*"]
    return CORSConfig(
        allow_origin=origins[0],
        extra_origins=origins[1:] or None,
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Api-Key", "X-Request-Id"],
        expose_headers=["Retry-After", "X-Request-Id"],
        max_age=600,
        allow_credentials="*" not in origins,
    )


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers)


class _AuthenticateThenValidate(OpenAPIRequestValidationMiddleware):
    """Powertools validates a request before any user middleware runs; routes marked with
    :func:`shared.http.auth.requires` check the caller first (401/403 before 400). A route that
    takes a body then gets it only as UTF-8 text (400 ``INVALID_ENCODING`` otherwise)."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    def handler(self, app: Any, next_middleware: NextMiddleware) -> Response[Any]:
        access = route_access(app.context["_route"].func)
        if access is not None:
            authorize(app, access)
        if app.context["_route"].dependant.body_params:
            _check_encoding(app.current_event.raw_event)
        return super().handler(app, next_middleware)


def _check_encoding(event: dict[str, Any]) -> None:
    """Raises :class:`InvalidInput` ``INVALID_ENCODING`` for a body that is not UTF-8 text."""
    try:
        request_body.text(event)
    except request_body.UnreadableBody as exc:
        raise InvalidInput(exc.message, code=exc.code, errors={"body": [exc.message]}) from exc


def create_app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(
        cors=_cors(),
        enable_validation=True,
        response_validation_error_http_code=500,
        json_body_deserializer=request_body.loads,
    )
    app._request_validation_middleware = _AuthenticateThenValidate()

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response[Any]:
        raw = list(exc.errors())
        unparsed = next((error for error in raw if error.get("type") == "json_invalid"), None)
        if unparsed is not None:
            reason = str((unparsed.get("ctx") or {}).get("error") or "malformed JSON")
            message = "The request body is not valid JSON"
            return _json(400, problem(400, "INVALID_JSON", message, request_id(app), {"body": [reason]}))
        fields = validation_errors(raw)
        return _json(400, problem(400, "VALIDATION_ERROR", "Validation failed", request_id(app), fields))

    @app.exception_handler(RequestUnsupportedContentType)
    def _media_type(exc: RequestUnsupportedContentType) -> Response[Any]:
        message = "Send the body as application/json"
        return _json(415, problem(415, "UNSUPPORTED_MEDIA_TYPE", message, request_id(app)))

    @app.exception_handler(DomainError)
    def _domain(exc: DomainError) -> Response[Any]:
        status = status_for(exc)
        return _json(status, problem(status, exc.code, exc.message, request_id(app), exc.errors), headers_for(exc))

    @app.exception_handler(NotFoundError)
    def _no_route(exc: NotFoundError) -> Response[Any]:
        return _json(404, problem(404, "ROUTE_NOT_FOUND", "No such route", request_id(app)))

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[Any]:
        logger.exception("unhandled error")
        return _json(500, problem(500, "INTERNAL_ERROR", "Internal server error", request_id(app)))

    return app


def _body_size(event: dict[str, Any]) -> int:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return len(body) * 3 // 4
    return len(body.encode())


def _media_type(event: dict[str, Any]) -> str:
    return request_body.header(event, "content-type").partition(";")[0].strip().lower()


def _is_json_or_empty(event: dict[str, Any]) -> bool:
    """Bodies are JSON (``application/json`` or ``*/*+json``; no content type is read as JSON).
    Powertools would also parse forms and multipart into lists of strings, which no route wants."""
    if not event.get("body"):
        return True
    media = _media_type(event)
    return media in ("", "application/json") or media.endswith("+json")


def _with_security_headers(result: dict[str, Any]) -> dict[str, Any]:
    headers = result.setdefault("headers", {}) or {}
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    result["headers"] = headers
    return result


def serve(
    app: APIGatewayHttpResolver, event: dict[str, Any], context: LambdaContext, *, raw_body: bool = False
) -> dict[str, Any]:
    """Resolve one API Gateway v2 event into a response dict. ``raw_body``: the routes read the
    body as bytes themselves (a signed webhook), so its content type is not checked here."""
    rid = (event.get("requestContext") or {}).get("requestId")
    try:
        limit = get_settings().max_body_bytes
    except Exception:
        logger.exception("invalid settings")
        return _with_security_headers(_raw(500, problem(500, "INTERNAL_ERROR", "Internal server error", rid)))
    if _body_size(event) > limit:
        message = f"The request body exceeds {limit} bytes"
        return _with_security_headers(_raw(413, problem(413, "PAYLOAD_TOO_LARGE", message, rid)))
    if not raw_body and not _is_json_or_empty(event):
        message = "Send the body as application/json"
        return _with_security_headers(_raw(415, problem(415, "UNSUPPORTED_MEDIA_TYPE", message, rid)))
    return _with_security_headers(app.resolve(event, context))


def _raw(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }
