"""Products over HTTP on the local stack: a seller's catalog, the public listing and search, reviews."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from devstack.httpclient import Client
from devstack.stack import DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD

pytestmark = pytest.mark.e2e

PASSWORD = "Sup3r-secret-pw"


def account(api: Client, role: str = "customer") -> dict[str, Any]:
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
    res = api("POST", "/api/v1/auth/register", {"email": email, "password": PASSWORD, "name": "E2E", "role": role})
    assert res.status == 201, res.body
    data: dict[str, Any] = res.data
    return data


def approved_seller(api: Client) -> dict[str, Any]:
    seller = account(api, "seller")
    admin = api("POST", "/api/v1/auth/login", {"email": DEFAULT_ADMIN_EMAIL, "password": DEFAULT_ADMIN_PASSWORD})
    assert admin.status == 200, admin.body
    res = api(
        "PATCH",
        f"/api/v1/users/{seller['user']['id']}",
        {"status": "approved"},
        token=admin.data["accessToken"],
    )
    assert res.status == 200, res.body
    return seller


def test_seller_catalog_public_listing_search_and_reviews(api: Client) -> None:
    seller = approved_seller(api)
    token = seller["accessToken"]
    word = f"e2e{uuid.uuid4().hex[:8]}"
    created = []
    for n in range(3):
        body = {
            "name": f"{word} Lantern {n}",
            "description": "A brass lantern for the porch.",
            "price": 2500 + n,
            "costPrice": 900,
            "stockQuantity": 4,
            "status": "active",
        }
        res = api("POST", "/api/v1/products", body, token=token)
        assert res.status == 201, res.body
        created.append(res.data)
    # Customers cannot sell
    customer = account(api)
    res = api("POST", "/api/v1/products", {"name": "Nope", "price": 100}, token=customer["accessToken"])
    assert res.status == 403
    # Public detail hides costPrice; search pages through every match
    detail = api("GET", f"/api/v1/products/{created[0]['slug']}")
    assert detail.status == 200
    assert "costPrice" not in detail.data
    seen: list[str] = []
    cursor = ""
    while True:
        res = api("GET", f"/api/v1/products?search={word}%20lantern&limit=2{cursor}")
        assert res.status == 200, res.body
        seen += [item["id"] for item in res.data["items"]]
        if not res.data["nextCursor"]:
            break
        cursor = f"&cursor={res.data['nextCursor']}"
    assert sorted(seen) == sorted(p["id"] for p in created)
    # A review updates the product's aggregates
    res = api("POST", f"/api/v1/products/{created[1]['id']}/reviews", {"rating": 4}, token=customer["accessToken"])
    assert res.status == 201, res.body
    again = api("POST", f"/api/v1/products/{created[1]['id']}/reviews", {"rating": 5}, token=customer["accessToken"])
    assert again.status == 409
    product = api("GET", f"/api/v1/products/{created[1]['id']}").data
    assert (product["averageRating"], product["reviewCount"]) == (4.0, 1)
    # Invalid listing queries are 400
    assert api("GET", "/api/v1/products?minPrice=500&maxPrice=100").status == 400
