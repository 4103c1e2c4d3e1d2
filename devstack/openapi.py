"""Merge every function's OpenAPI (from its Powertools resolver) into one document.

``python -m devstack.openapi --write openapi.json`` regenerates the committed file;
``--check openapi.json`` fails when it is stale (CI runs this).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema
from shared.schemas import ErrorEnvelope

from devstack.lambda_runtime import load_module
from devstack.routes import function_code_dir, http_routes

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


def _error_responses() -> tuple[dict[str, Any], dict[str, Any]]:
    """Our error envelope replaces Powertools' 422/500 models (validation errors are 400 here)."""
    _, defs = models_json_schema([(ErrorEnvelope, "serialization")], ref_template="#/components/schemas/{model}")
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}}
    responses = {
        "400": {"description": "Invalid input (VALIDATION_ERROR with per-field errors, INVALID_JSON, ...)", **ref},
        "500": {"description": "Unexpected error (no details are exposed)", **ref},
    }
    return responses, dict(defs.get("$defs", {}))


def merged_openapi() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    error_responses, schemas = _error_responses()
    for function in sorted({route.function for route in http_routes()}):
        doc = function_schema(function)
        for path, operations in doc.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.get("responses", {})
                responses.pop("422", None)
                responses.update(error_responses)
                operation["responses"] = dict(sorted(responses.items()))
                operation.setdefault("x-function", function)
                paths.setdefault(path, {})[method] = operation
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            if name in _POWERTOOLS_ERROR_SCHEMAS:
                continue
            if name in schemas and schemas[name] != schema:
                raise ValueError(f"two functions define schema {name!r} differently")
            schemas[name] = schema
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "access_token"},
            },
        },
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
