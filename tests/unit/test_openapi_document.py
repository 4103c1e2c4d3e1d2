"""The merged OpenAPI document tells the truth about each operation: its security and 401/403
come from the route's ``@requires`` mark, every status is answered with the error envelope, and
summaries are readable (from the route's docstring), so Swagger UI's Authorize sends the token."""

from __future__ import annotations

from typing import Any

import pytest
from shared.errors import Conflict, NotFound, RateLimited
from shared.http.openapi import raises

from devstack.openapi import merged_openapi
from devstack.routes import route_marks

ENVELOPE = {"$ref": "#/components/schemas/ErrorEnvelope"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return merged_openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{m.upper()} {p}", op) for p, ops in document["paths"].items() for m, op in ops.items()]


def test_security_schemes_are_bearer_and_the_auth_cookie(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert schemes["cookieAuth"] == {"type": "apiKey", "in": "cookie", "name": "access_token"}
    assert schemes["apiKeyAuth"]["in"] == "header"
    assert schemes["apiKeyAuth"]["name"] == "X-Api-Key"


def test_marked_operations_declare_security_and_401_403(document: dict[str, Any]) -> None:
    marks = route_marks()
    for key, operation in operations(document):
        mark = marks[key]
        if mark is not None:
            api_key = [{"apiKeyAuth": []}] if mark.service_scopes else []
            assert operation["security"] == [{"bearerAuth": []}, {"cookieAuth": []}, *api_key], key
            assert {"401", "403"} <= set(operation["responses"]), key
        else:
            assert "security" not in operation, key


def test_only_the_routes_an_integration_may_call_list_the_api_key(document: dict[str, Any]) -> None:
    with_key = {key for key, op in operations(document) if {"apiKeyAuth": []} in op.get("security", [])}
    assert "POST /api/v1/threads/{threadId}/messages" in with_key
    assert "GET /api/v1/threads/{threadId}" in with_key
    assert not {key for key in with_key if "/orders" in key or "/admin" in key or "/users" in key}


def test_every_operation_documents_its_errors_with_the_envelope(document: dict[str, Any]) -> None:
    for key, operation in operations(document):
        responses = operation["responses"]
        assert "422" not in responses, key
        assert {"400", "500"} <= set(responses), key
        assert len([s for s in responses if s.startswith("2")]) >= 1, f"{key} documents no success"
        if "requestBody" in operation:
            assert {"413", "415"} <= set(responses), key
        for status, response in responses.items():
            if int(status) >= 400:
                assert response["content"]["application/json"]["schema"] == ENVELOPE, (key, status)


def test_summaries_come_from_docstrings(document: dict[str, Any]) -> None:
    for key, operation in operations(document):
        assert operation["summary"] != key, f"{key} has no docstring"
        assert not operation["summary"].endswith("."), key


def test_domain_errors_map_to_their_status() -> None:
    declared = raises(NotFound, Conflict, RateLimited, success=201)
    assert sorted(declared) == [201, 404, 409, 429]
    assert "content" not in declared[201], "the success body is the route's return type"
    assert sorted(raises(success=None)) == []
