"""Products: who may create and manage them, their rules, visibility, uniqueness under races."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from shared.commerce.products import service
from shared.commerce.products.schemas import CreateProductRequest, UpdateProductRequest

from tests.support.api import Account, Api, assert_problem
from tests.support.products import (
    approved_seller,
    atomic_dynamodb_calls,
    create_category,
    create_product,
    outcome,
    principal_of,
    product_body,
    run_concurrently,
)

PATH = "/api/v1/products"


@pytest.fixture
def seller(api: Api, admin: Account) -> Account:
    return approved_seller(api, admin)


@pytest.fixture
def other_seller(api: Api, admin: Account) -> Account:
    return approved_seller(api, admin, name="Olga Other")


def test_approved_seller_creates_a_product_owned_by_them(api: Api, seller: Account) -> None:
    # Given an approved seller
    # When they create a product (trying to name another seller)
    body = product_body(name="Blue Coffee Mug", costPrice=450, comparePrice=2499, sku="MUG-BLUE")
    res = api.call("POST", PATH, {**body, "sellerId": "someone-else"}, token=seller.access_token)
    # Then the seller id cannot be set by the body
    assert_problem(res, 400, "VALIDATION_ERROR")
    res = api.call("POST", PATH, body, token=seller.access_token)
    assert res.status == 201, res.body
    product = res.data
    assert product["sellerId"] == seller.id
    assert product["slug"] == "blue-coffee-mug"
    assert product["price"] == 1999
    assert product["currency"] == "usd"
    assert product["costPrice"] == 450
    assert product["discountPercentage"] == 20
    assert product["viewCount"] == 0
    assert product["averageRating"] == 0
    assert product["reviewCount"] == 0


def test_customers_and_pending_sellers_get_403(api: Api, customer: Account) -> None:
    pending = api.register(role="seller")
    assert_problem(api.call("POST", PATH, product_body(), token=customer.access_token), 403, "INSUFFICIENT_PERMISSIONS")
    assert_problem(api.call("POST", PATH, product_body(), token=pending.access_token), 403, "SELLER_NOT_APPROVED")
    assert_problem(api.call("POST", PATH, product_body()), 401, "NO_TOKEN")


def test_another_seller_cannot_edit_or_delete_your_product(
    api: Api, seller: Account, other_seller: Account, customer: Account, admin: Account
) -> None:
    product = create_product(api, seller.access_token)
    url = f"{PATH}/{product['id']}"
    assert_problem(api.call("PATCH", url, {"price": 1}, token=other_seller.access_token), 403, "NOT_PRODUCT_OWNER")
    assert_problem(api.call("DELETE", url, token=other_seller.access_token), 403, "NOT_PRODUCT_OWNER")
    assert_problem(api.call("PATCH", url, {"price": 1}, token=customer.access_token), 403, "INSUFFICIENT_PERMISSIONS")
    # The admin manages any product
    res = api.call("PATCH", url, {"price": 2500}, token=admin.access_token)
    assert res.status == 200
    assert res.data["price"] == 2500
    assert api.call("DELETE", url, token=admin.access_token).status == 200
    assert_problem(api.call("GET", url), 404, "PRODUCT_NOT_FOUND")


def test_cost_price_is_hidden_from_the_public(
    api: Api, seller: Account, other_seller: Account, customer: Account, admin: Account
) -> None:
    product = create_product(api, seller.access_token, costPrice=700)
    url = f"{PATH}/{product['id']}"
    assert "costPrice" not in api.call("GET", url).data
    assert "costPrice" not in api.call("GET", url, token=customer.access_token).data
    assert "costPrice" not in api.call("GET", url, token=other_seller.access_token).data
    assert api.call("GET", url, token=seller.access_token).data["costPrice"] == 700
    assert api.call("GET", url, token=admin.access_token).data["costPrice"] == 700
    listed = api.call("GET", PATH).data["items"]
    assert listed
    assert all("costPrice" not in item for item in listed)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": 0}, "price"),
        ({"price": 19.99}, "price"),
        ({"price": 100_000_000}, "price"),
        ({"comparePrice": 1999}, "comparePrice"),
        ({"comparePrice": 1000}, "comparePrice"),
        ({"costPrice": -5}, "costPrice"),
        ({"stockQuantity": -1}, "stockQuantity"),
        ({"name": "x"}, "name"),
        ({"description": "short"}, "description"),
        ({"images": ["https://img.example/a.png"] * 11}, "images"),
        ({"tags": [f"t{i}" for i in range(21)]}, "tags"),
        ({"categoryId": "no-such-category"}, "categoryId"),
    ],
)
def test_invalid_fields_are_400_with_the_field(api: Api, seller: Account, change: dict[str, Any], field: str) -> None:
    res = api.call("POST", PATH, product_body(**change), token=seller.access_token)
    error = assert_problem(res, 400, "VALIDATION_ERROR")
    assert any(key.startswith(field) for key in error["errors"]), error


def test_update_rules_apply_to_the_merged_product(api: Api, seller: Account) -> None:
    product = create_product(api, seller.access_token, comparePrice=2999)
    url = f"{PATH}/{product['id']}"
    # Raising the price to the compare price breaks the rule
    assert_problem(api.call("PATCH", url, {"price": 2999}, token=seller.access_token), 400, "VALIDATION_ERROR")
    assert_problem(api.call("PATCH", url, {"price": None}, token=seller.access_token), 400, "VALIDATION_ERROR")
    assert_problem(api.call("PATCH", url, {}, token=seller.access_token), 400, "VALIDATION_ERROR")
    res = api.call("PATCH", url, {"comparePrice": None, "price": 2999}, token=seller.access_token)
    assert res.status == 200, res.body
    assert res.data["comparePrice"] is None
    assert res.data["price"] == 2999


def test_stock_drives_out_of_stock_and_back(api: Api, seller: Account) -> None:
    product = create_product(api, seller.access_token, stockQuantity=2)
    url = f"{PATH}/{product['id']}"
    res = api.call("PATCH", url, {"stockQuantity": 0}, token=seller.access_token)
    assert res.data["status"] == "out_of_stock"
    # It leaves the public listing, but its page stays (links from orders keep working)
    assert product["id"] not in [p["id"] for p in api.call("GET", PATH).data["items"]]
    assert api.call("GET", url).data["status"] == "out_of_stock"
    res = api.call("PATCH", url, {"stockQuantity": 7}, token=seller.access_token)
    assert res.data["status"] == "active"
    assert product["id"] in [p["id"] for p in api.call("GET", PATH).data["items"]]
    # Created active with no stock is out of stock straight away
    empty = create_product(api, seller.access_token, stockQuantity=0)
    assert empty["status"] == "out_of_stock"


def test_drafts_are_visible_to_owner_and_admin_only(
    api: Api, seller: Account, other_seller: Account, admin: Account
) -> None:
    draft = create_product(api, seller.access_token, status="draft")
    url = f"{PATH}/{draft['id']}"
    assert_problem(api.call("GET", url), 404, "PRODUCT_NOT_FOUND")
    assert_problem(api.call("GET", url, token=other_seller.access_token), 404, "PRODUCT_NOT_FOUND")
    assert api.call("GET", url, token=seller.access_token).status == 200
    assert api.call("GET", url, token=admin.access_token).status == 200
    assert draft["id"] not in [p["id"] for p in api.call("GET", PATH).data["items"]]
    # The seller lists their own drafts by status; nobody else may
    own = api.call("GET", PATH, query={"sellerId": seller.id, "status": "draft"}, token=seller.access_token)
    assert [p["id"] for p in own.data["items"]] == [draft["id"]]
    other = api.call("GET", PATH, query={"sellerId": seller.id, "status": "draft"}, token=other_seller.access_token)
    assert_problem(other, 403, "INSUFFICIENT_PERMISSIONS")


def test_get_by_slug_counts_views(api: Api, seller: Account) -> None:
    product = create_product(api, seller.access_token, name="Walnut Cutting Board")
    for expected in (1, 2, 3):
        res = api.call("GET", f"{PATH}/walnut-cutting-board")
        assert res.status == 200
        assert res.data["id"] == product["id"]
        assert res.data["viewCount"] == expected


def test_derived_slug_gets_a_suffix_explicit_slug_conflicts(api: Api, seller: Account) -> None:
    first = create_product(api, seller.access_token, name="Green Teapot")
    second = create_product(api, seller.access_token, name="Green Teapot")
    assert first["slug"] == "green-teapot"
    assert second["slug"].startswith("green-teapot-")
    assert second["slug"] != first["slug"]
    res = api.call("POST", PATH, product_body(slug="green-teapot"), token=seller.access_token)
    assert_problem(res, 409, "SLUG_TAKEN")
    res = api.call("PATCH", f"{PATH}/{second['id']}", {"slug": "green-teapot"}, token=seller.access_token)
    assert_problem(res, 409, "SLUG_TAKEN")
    # Renaming the slug frees the old one
    res = api.call("PATCH", f"{PATH}/{first['id']}", {"slug": "green-teapot-classic"}, token=seller.access_token)
    assert res.status == 200, res.body
    res = api.call("PATCH", f"{PATH}/{second['id']}", {"slug": "green-teapot"}, token=seller.access_token)
    assert res.status == 200
    assert res.data["slug"] == "green-teapot"
    assert api.call("GET", f"{PATH}/green-teapot").data["id"] == second["id"]


def test_sku_is_unique_and_freed_on_delete(api: Api, seller: Account, other_seller: Account) -> None:
    first = create_product(api, seller.access_token, sku="SKU-001")
    res = api.call("POST", PATH, product_body(sku="SKU-001"), token=other_seller.access_token)
    assert_problem(res, 409, "SKU_TAKEN")
    assert api.call("DELETE", f"{PATH}/{first['id']}", token=seller.access_token).status == 200
    create_product(api, other_seller.access_token, sku="SKU-001")


def _create(seller: Account, body: dict[str, Any]) -> Callable[[], str]:
    return lambda: outcome(
        lambda: service.create_product(principal_of(seller), CreateProductRequest.model_validate(body))
    )


def test_concurrent_creates_with_one_sku_exactly_one_wins(api: Api, seller: Account) -> None:
    # Given six creates with the same SKU at once (threads calling the domain)
    bodies = [product_body(name=f"Racing Product {n}", sku="RACE-SKU") for n in range(6)]
    with atomic_dynamodb_calls():
        results = run_concurrently(*(_create(seller, body) for body in bodies))
    # Then exactly one succeeds, the others are told the SKU is taken
    assert sorted(results) == ["SKU_TAKEN"] * 5 + ["ok"]
    listed = api.call("GET", PATH, query={"search": "racing"}).data["items"]
    assert len(listed) == 1


def test_concurrent_creates_with_one_explicit_slug_exactly_one_wins(api: Api, seller: Account) -> None:
    bodies = [product_body(slug="the-one-slug") for _ in range(5)]
    with atomic_dynamodb_calls():
        results = run_concurrently(*(_create(seller, body) for body in bodies))
    assert sorted(results) == ["SLUG_TAKEN"] * 4 + ["ok"]


def test_concurrent_creates_with_one_derived_slug_all_succeed_with_distinct_slugs(api: Api, seller: Account) -> None:
    bodies = [product_body(name="Popular Name") for _ in range(4)]
    with atomic_dynamodb_calls():
        results = run_concurrently(*(_create(seller, body) for body in bodies))
    assert results == ["ok"] * 4
    slugs = {item["slug"] for item in api.call("GET", PATH, query={"search": "popular"}).data["items"]}
    assert len(slugs) == 4
    assert "popular-name" in slugs


def test_concurrent_edits_are_not_lost(api: Api, seller: Account) -> None:
    # Given a product; When several edits of different fields race
    product = create_product(api, seller.access_token, stockQuantity=5, comparePrice=90_000)
    changes = [{"stockQuantity": 11}, {"price": 1234}, {"tags": ["raced"]}, {"weight": 2.5}, {"lowStockThreshold": 3}]
    who = principal_of(seller)

    def edit(change: dict[str, Any]) -> Callable[[], str]:
        request = UpdateProductRequest.model_validate(change)
        return lambda: outcome(lambda: service.update_product(who, product["id"], request))

    with atomic_dynamodb_calls():
        results = run_concurrently(*(edit(change) for change in changes))
    # Then every edit applied (one that lost the race is re-applied on the fresh product)
    assert results == ["ok"] * len(changes)
    final = api.call("GET", f"{PATH}/{product['id']}", token=seller.access_token).data
    assert final["stockQuantity"] == 11
    assert final["price"] == 1234
    assert final["tags"] == ["raced"]
    assert final["weight"] == 2.5
    assert final["lowStockThreshold"] == 3


def test_category_is_validated_and_related_products_share_it(api: Api, seller: Account) -> None:
    kitchen = create_category("Kitchen")
    garden = create_category("Garden")
    main = create_product(api, seller.access_token, categoryId=kitchen)
    siblings = [create_product(api, seller.access_token, categoryId=kitchen)["id"] for _ in range(3)]
    create_product(api, seller.access_token, categoryId=garden)
    create_product(api, seller.access_token, categoryId=kitchen, status="draft")
    res = api.call("GET", f"{PATH}/{main['id']}/related", query={"limit": "10"})
    assert res.status == 200
    assert sorted(p["id"] for p in res.data["items"]) == sorted(siblings)
    assert len(api.call("GET", f"{PATH}/{main['id']}/related", query={"limit": "2"}).data["items"]) == 2


def test_unknown_product_is_404(api: Api, seller: Account) -> None:
    assert_problem(api.call("GET", f"{PATH}/nope"), 404, "PRODUCT_NOT_FOUND")
    assert_problem(api.call("PATCH", f"{PATH}/nope", {"price": 5}, token=seller.access_token), 404, "PRODUCT_NOT_FOUND")
    assert_problem(api.call("DELETE", f"{PATH}/nope", token=seller.access_token), 404, "PRODUCT_NOT_FOUND")
