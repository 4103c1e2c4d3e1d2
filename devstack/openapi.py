"""Merge every function's OpenAPI (from its Powertools resolver) into one document.

``python -m devstack.openapi --write openapi.json`` regenerates the committed file;
``--check openapi.json`` fails when it is stale (CI runs this).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema
from shared.http.auth import Access
from shared.schemas import ErrorEnvelope
from shared.settings import Settings

from devstack.lambda_runtime import load_module
from devstack.routes import function_code_dir, http_routes, route_functions, route_marks

TITLE = "Platform API"
VERSION = "1.0.0"
DESCRIPTION = (
    "One API for commerce, blackjack, the experience layer and the blog starter. "
    "Success: {success: true, data, meta: {requestId}}. "
    "Errors: {success: false, error: {code, message, type, title, status, detail, errors, requestId}}."
)


def function_schema(function: str) -> dict[str, Any]:
    """The OpenAPI document of one function's resolver (imports its module; no I/O)."""
    app = load_module(function_code_dir(function)).app
    schema = app.get_openapi_schema(title=TITLE, version=VERSION)
    dumped: dict[str, Any] = schema.model_dump(by_alias=True, exclude_none=True, mode="json")
    return dumped


_POWERTOOLS_ERROR_SCHEMAS = {"HTTPValidationError", "ValidationError", "ResponseValidationError"}
ERROR_REF = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}}
# Every operation: the request could not be read, or something unexpected happened.
COMMON_ERRORS = {
    "400": "Invalid input: VALIDATION_ERROR (per-field errors), INVALID_JSON, ...",
    "500": "Unexpected error (no details are exposed)",
}
# Operations that take a body (checked before the route runs).
BODY_ERRORS = {
    "413": "PAYLOAD_TOO_LARGE: the body exceeds MAX_BODY_BYTES",
    "415": "UNSUPPORTED_MEDIA_TYPE: the body is not JSON",
}
# Operations marked with @requires (checked before the input is validated).
AUTH_ERRORS = {
    "401": "No credentials, or an invalid, expired or revoked token (NO_TOKEN, INVALID_TOKEN, ...)",
    "403": "The caller lacks the role the route requires, or the account is blocked",
}
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"cookieAuth": []}]
# Routes that admit an integration's API key (``@requires(service_scopes=...)``) also list it.
API_KEY_SECURITY: dict[str, list[str]] = {"apiKeyAuth": []}


def _error_schemas() -> dict[str, Any]:
    """Our error envelope replaces Powertools' 422/500 models (validation errors are 400 here)."""
    _, defs = models_json_schema([(ErrorEnvelope, "serialization")], ref_template="#/components/schemas/{model}")
    return dict(defs.get("$defs", {}))


def _cookie_name() -> str:
    return os.environ.get("AUTH_COOKIE_NAME") or str(Settings.model_fields["auth_cookie_name"].default)


def security_schemes() -> dict[str, Any]:
    """Bearer token or the access-token cookie: what Swagger UI's Authorize sends; and an
    integration's API key, on the routes that admit one."""
    return {
        "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "cookieAuth": {"type": "apiKey", "in": "cookie", "name": _cookie_name()},
        "apiKeyAuth": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Api-Key",
            "description": "An integration's API key (`POST /api/v1/api-keys`); only on operations that list it",
        },
    }


def _document(operation: dict[str, Any], func: Callable[..., Any] | None) -> None:
    """Summary and description from the route function's docstring (first line, then the rest)."""
    doc = inspect.getdoc(func) if func is not None else None
    if not doc:
        return
    first, _, rest = doc.partition("\n\n")
    operation["summary"] = " ".join(first.split()).rstrip(".")
    if rest.strip():
        operation["description"] = rest.strip()


def _respond(operation: dict[str, Any], access: Access | None) -> None:
    """The statuses shared by operations (from the route's shape and mark), and its security."""
    responses: dict[str, Any] = operation.get("responses", {})
    responses.pop("422", None)
    extra = dict(COMMON_ERRORS)
    if "requestBody" in operation:
        extra.update(BODY_ERRORS)
    if access is not None:
        extra.update(AUTH_ERRORS)
        operation["security"] = SECURITY + ([API_KEY_SECURITY] if access.service_scopes else [])
    for status, description in extra.items():
        if status in COMMON_ERRORS or status not in responses:  # Powertools' own 500 model is not ours
            responses[status] = {"description": description, **ERROR_REF}
    operation["responses"] = dict(sorted(responses.items()))


def merged_openapi() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    functions = route_functions()
    marks = route_marks()
    for function in sorted({route.function for route in http_routes()}):
        doc = function_schema(function)
        for path, operations in doc.get("paths", {}).items():
            for method, operation in operations.items():
                key = f"{method.upper()} {path}"
                _document(operation, functions.get(key))
                _respond(operation, marks.get(key))
                operation.setdefault("x-function", function)
                paths.setdefault(path, {})[method] = operation
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            if name in _POWERTOOLS_ERROR_SCHEMAS:
                continue
            if name in schemas and schemas[name] != schema:
                raise ValueError(f"two functions define schema {name!r} differently")
            schemas[name] = schema
    for name, schema in _error_schemas().items():  # functions that declare errors already carry them
        schemas.setdefault(name, schema)
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "components": {"schemas": dict(sorted(schemas.items())), "securitySchemes": security_schemes()},
        "paths": dict(sorted(paths.items())),
    }


def render() -> str:
    return json.dumps(merged_openapi(), indent=2, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path)
    group.add_argument("--check", type=Path)
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        args.write.write_text(text)
        print(f"wrote {args.write} ({len(json.loads(text)['paths'])} paths)")
        return 0
    current = args.check.read_text() if args.check.exists() else ""
    if current != text:
        print(f"{args.check} is stale: run `make openapi` and commit it", file=sys.stderr)
        return 1
    print(f"{args.check} is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
