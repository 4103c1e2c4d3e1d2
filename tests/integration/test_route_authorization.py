"""Every route either is deliberately public or checks the caller before anything else: without
credentials it answers 401 whatever the body, and a caller without the role gets 403 (not a 400
for a body it was never allowed to send)."""

from __future__ import annotations

import re

import pytest
from shared.http.auth import Access

from devstack.routes import http_routes, route_marks, route_roles
from tests.support.api import Account, Api, assert_problem

PUBLIC = {
    "GET /health",
    "GET /api/v1",
    "GET /api/v1/health",
    "POST /api/v1/auth/register",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/forgot-password",
    "POST /api/v1/auth/reset-password",
    "POST /api/v1/auth/verify-email",
    "GET /api/v1/categories",
    "GET /api/v1/categories/{categoryId}",
    "GET /api/v1/sellers/{sellerId}",
    "GET /api/v1/products",
    "GET /api/v1/products/{productId}",
    "GET /api/v1/products/{productId}/related",
    "GET /api/v1/products/{productId}/reviews",
    "POST /api/v1/webhooks/stripe",
    "GET /api/v1/posts",
    "GET /api/v1/posts/{postId}",
    "GET /api/v1/posts/{postId}/comments",
    "GET /api/v1/tags",
    "GET /api/v1/tags/{slug}/posts",
    "GET /api/v1/profiles/{userId}",
}


MARKS = route_roles()
PROTECTED = sorted(key for key in (r.route_key for r in http_routes()) if key not in PUBLIC)


def test_every_route_is_public_or_marked() -> None:
    for route in http_routes():
        roles = MARKS[route.route_key]
        if route.route_key in PUBLIC:
            assert roles is None, f"{route.route_key} is public but marked"
        else:
            assert roles is not None, f"{route.route_key} neither public nor marked with @requires"


def _concrete(route_key: str) -> tuple[str, str]:
    method, path = route_key.split(" ", 1)
    return method, re.sub(r"\{\w+\}", "some-id", path)


@pytest.mark.parametrize("route_key", PROTECTED)
def test_no_credentials_is_401_whatever_the_body(api: Api, route_key: str) -> None:
    method, path = _concrete(route_key)
    for body in (None, {"unexpected": ["field"]}):
        assert_problem(api.call(method, path, body), 401, "NO_TOKEN")


# Bodies no route accepts: not an object, unknown and mass-assigned fields, a query of nonsense.
INVALID_BODIES: tuple[object, ...] = (
    None,
    "not an object",
    {"unexpected": ["field"], "role": "admin", "status": "approved", "price": -1, "quantity": "lots"},
)
INVALID_QUERY = {"limit": "-5", "cursor": "!", "status": "nope", "sort": "sideways"}
MARKED = route_marks()
ROLE_ROUTES = sorted(key for key in PROTECTED if (MARKED[key] or Access()).roles)
APPROVED_ROUTES = sorted(key for key in PROTECTED if (MARKED[key] or Access()).approved)


def test_routes_that_need_a_role_are_checked() -> None:
    """The sets below are not empty by accident (the parametrized tests would pass vacuously)."""
    assert "POST /api/v1/products" in ROLE_ROUTES
    assert "POST /api/v1/products" in APPROVED_ROUTES
    assert "PATCH /api/v1/users/{userId}" in ROLE_ROUTES


@pytest.mark.parametrize("route_key", ROLE_ROUTES)
def test_a_caller_without_the_role_is_403_whatever_the_input(api: Api, customer: Account, route_key: str) -> None:
    # Given a route that needs a role, and a caller without it (a customer, or for customer
    # routes an approved seller)
    roles = (MARKED[route_key] or Access()).roles
    caller = customer if "customer" not in roles else api.register(role="seller")
    assert caller.user["role"] not in roles
    method, path = _concrete(route_key)
    for body in INVALID_BODIES:
        # When they send input that would fail validation
        res = api.call(method, path, body, token=caller.access_token, query=INVALID_QUERY)
        # Then they learn only that they may not: 403, never a 400 about the input
        assert_problem(res, 403, "INSUFFICIENT_PERMISSIONS")


@pytest.mark.parametrize("route_key", APPROVED_ROUTES)
def test_a_pending_seller_is_403_on_routes_for_approved_sellers(api: Api, route_key: str) -> None:
    pending = api.register(role="seller")
    assert pending.user["status"] == "pending"
    method, path = _concrete(route_key)
    for body in INVALID_BODIES:
        res = api.call(method, path, body, token=pending.access_token, query=INVALID_QUERY)
        assert_problem(res, 403, "SELLER_NOT_APPROVED")
