"""/api/v1/categories: public reads, admin-only writes, unique slugs, a tree without cycles."""

from __future__ import annotations

import pytest

from tests.support.api import Account, Api, assert_problem

CATEGORIES = "/api/v1/categories"


def create(api: Api, admin: Account, **body: object) -> dict[str, object]:
    res = api.call("POST", CATEGORIES, body, token=admin.access_token)
    assert res.status == 201, res.body
    return dict(res.data)


def test_admin_creates_and_anyone_reads(api: Api, admin: Account) -> None:
    # Given an admin creates a category with a derived slug
    electronics = create(api, admin, name="Electronics & Gadgets", description="All things with batteries")

    # Then the slug comes from the name, and anyone can read it by id or by slug
    assert electronics["slug"] == "electronics-gadgets"
    assert api.call("GET", f"{CATEGORIES}/{electronics['id']}").data == electronics
    assert api.call("GET", f"{CATEGORIES}/electronics-gadgets").data == electronics
    listing = api.call("GET", CATEGORIES)
    assert listing.status == 200
    assert listing.data["items"] == [electronics]
    assert listing.data["nextCursor"] is None


def test_list_is_sorted_by_name_and_filters_children(api: Api, admin: Account) -> None:
    books = create(api, admin, name="Books")
    audio = create(api, admin, name="audio")
    poetry = create(api, admin, name="Poetry", parentId=books["id"])

    names = [item["name"] for item in api.call("GET", CATEGORIES).data["items"]]
    assert names == ["audio", "Books", "Poetry"]
    children = api.call("GET", CATEGORIES, query={"parentId": books["id"]}).data["items"]
    assert children == [poetry]
    assert audio not in children


@pytest.mark.parametrize("who", ["anonymous", "customer", "seller"])
def test_only_admins_write(api: Api, admin: Account, customer: Account, who: str) -> None:
    category = create(api, admin, name="Garden")
    token = {"anonymous": None, "customer": customer.access_token, "seller": api.register(role="seller").access_token}[
        who
    ]
    status, code = (401, "NO_TOKEN") if who == "anonymous" else (403, "INSUFFICIENT_PERMISSIONS")

    assert_problem(api.call("POST", CATEGORIES, {"name": "Tools"}, token=token), status, code)
    assert_problem(api.call("PATCH", f"{CATEGORIES}/{category['id']}", {"name": "X2"}, token=token), status, code)
    assert_problem(api.call("DELETE", f"{CATEGORIES}/{category['id']}", token=token), status, code)
    assert api.call("GET", f"{CATEGORIES}/{category['id']}").data == category


def test_slugs_are_unique(api: Api, admin: Account) -> None:
    first = create(api, admin, name="Toys")

    assert_problem(api.call("POST", CATEGORIES, {"name": "Toys"}, token=admin.access_token), 409, "SLUG_TAKEN")
    other = create(api, admin, name="Games")
    res = api.call("PATCH", f"{CATEGORIES}/{other['id']}", {"slug": "toys"}, token=admin.access_token)
    assert_problem(res, 409, "SLUG_TAKEN")
    # Renaming the slug frees the old one
    moved = api.call("PATCH", f"{CATEGORIES}/{first['id']}", {"slug": "kids-toys"}, token=admin.access_token)
    assert moved.status == 200, moved.body
    assert api.call("PATCH", f"{CATEGORIES}/{other['id']}", {"slug": "toys"}, token=admin.access_token).status == 200
    assert api.call("GET", f"{CATEGORIES}/kids-toys").data["id"] == first["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x"}, "name"),
        ({"name": "Fine", "slug": "Not A Slug"}, "slug"),
        ({"name": "Fine", "parentId": "nope"}, "parentId"),
        ({"name": "Fine", "sellerId": "x"}, "sellerId"),
        ({}, "name"),
    ],
)
def test_invalid_input_is_400(api: Api, admin: Account, body: dict[str, object], field: str) -> None:
    problem = assert_problem(api.call("POST", CATEGORIES, body, token=admin.access_token), 400, "VALIDATION_ERROR")
    assert field in problem["errors"]


def test_a_category_cannot_become_its_own_ancestor(api: Api, admin: Account) -> None:
    root = create(api, admin, name="Root")
    child = create(api, admin, name="Child", parentId=root["id"])

    res = api.call("PATCH", f"{CATEGORIES}/{root['id']}", {"parentId": child["id"]}, token=admin.access_token)
    assert "parentId" in assert_problem(res, 400, "VALIDATION_ERROR")["errors"]
    res = api.call("PATCH", f"{CATEGORIES}/{root['id']}", {"parentId": root["id"]}, token=admin.access_token)
    assert_problem(res, 400, "VALIDATION_ERROR")


def test_update_and_delete(api: Api, admin: Account) -> None:
    parent = create(api, admin, name="Home")
    child = create(api, admin, name="Kitchen", parentId=parent["id"])

    # A parent with children cannot be deleted
    assert_problem(
        api.call("DELETE", f"{CATEGORIES}/{parent['id']}", token=admin.access_token), 409, "CATEGORY_HAS_CHILDREN"
    )
    updated = api.call(
        "PATCH", f"{CATEGORIES}/{child['id']}", {"name": "Cookware", "parentId": None}, token=admin.access_token
    )
    assert updated.status == 200, updated.body
    assert updated.data["name"] == "Cookware"
    assert updated.data["parentId"] is None
    assert updated.data["slug"] == "kitchen"
    assert api.call("DELETE", f"{CATEGORIES}/{parent['id']}", token=admin.access_token).status == 200
    assert_problem(api.call("GET", f"{CATEGORIES}/{parent['id']}"), 404, "CATEGORY_NOT_FOUND")
    assert_problem(api.call("GET", f"{CATEGORIES}/home"), 404, "CATEGORY_NOT_FOUND")
    assert_problem(
        api.call("DELETE", f"{CATEGORIES}/{parent['id']}", token=admin.access_token), 404, "CATEGORY_NOT_FOUND"
    )
    # The slug is free again
    assert create(api, admin, name="Home")["slug"] == "home"


def test_empty_update_is_400(api: Api, admin: Account) -> None:
    category = create(api, admin, name="Sports")
    assert_problem(
        api.call("PATCH", f"{CATEGORIES}/{category['id']}", {}, token=admin.access_token), 400, "VALIDATION_ERROR"
    )


def test_a_category_with_active_products_cannot_be_deleted(api: Api, admin: Account) -> None:
    from tests.support.products import approved_seller, product_body

    category = create(api, admin, name="Lamps")
    seller = approved_seller(api, admin)
    made = api.call("POST", "/api/v1/products", product_body(categoryId=category["id"]), token=seller.access_token)
    assert made.status == 201, made.body

    res = api.call("DELETE", f"{CATEGORIES}/{category['id']}", token=admin.access_token)
    assert_problem(res, 409, "CATEGORY_IN_USE")
    assert api.call("GET", f"{CATEGORIES}/{category['id']}").status == 200
