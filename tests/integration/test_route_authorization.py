"""Every route either is deliberately public or checks the caller before anything else: without
credentials it answers 401 whatever the body, and a caller without the role gets 403 (not a 400
for a body it was never allowed to send)."""

from __future__ import annotations

import re

import pytest

from devstack.routes import http_routes, route_roles
from tests.support.api import Account, Api, assert_problem

PUBLIC = {
    "GET /health",
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


@pytest.mark.parametrize("route_key", [key for key in PROTECTED if "admin" in (MARKS[key] or ())])
def test_a_customer_on_an_admin_route_is_403_whatever_the_body(api: Api, customer: Account, route_key: str) -> None:
    method, path = _concrete(route_key)
    res = api.call(method, path, {"role": "admin", "status": "approved"}, token=customer.access_token)
    assert_problem(res, 403, "INSUFFICIENT_PERMISSIONS")
