"""The one map from domain errors to HTTP, and the error body of DESIGN.md:
``{"success": false, "error": {code, message, type, title, status, detail, errors, requestId}}``
(the seeds' code/message plus RFC 7807 fields)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthenticated,
    UpstreamFailed,
)

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    InvalidInput: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    PayloadTooLarge: 413,
    RateLimited: 429,
    UpstreamFailed: 502,
}


def status_for(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def problem(
    status: int,
    code: str,
    message: str,
    request_id: str | None,
    errors: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    title = HTTPStatus(status).phrase
    return {
        "success": False,
        "error": {
            "code": code,
            "message": message,
            "type": f"urn:problem-type:{code.lower().replace('_', '-')}",
            "title": title,
            "status": status,
            "detail": message,
            "errors": errors or {},
            "requestId": request_id,
        },
    }


def headers_for(error: DomainError) -> dict[str, str]:
    if isinstance(error, RateLimited):
        return {"Retry-After": str(error.retry_after_seconds)}
    return {}


_FIELD_MESSAGES = {
    "missing": "This field is required",
    "extra_forbidden": "This field is not allowed",
}


def validation_errors(raw_errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Pydantic/Powertools error list → ``{"field.path": [messages]}`` with wire (camelCase) names."""
    fields: dict[str, list[str]] = {}
    for error in raw_errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header", "cookie")]
        loc = [part for part in loc if not part.startswith("function-")]
        field = ".".join(loc) or "body"
        message = _FIELD_MESSAGES.get(str(error.get("type")), str(error.get("msg", "is invalid")))
        message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        fields.setdefault(field, []).append(message)
    return fields
