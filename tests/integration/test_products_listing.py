"""Public listing: filters, sorts, exact pages through cursors, and refusal of bad queries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from shared.identity import users

from tests.support.api import PASSWORD, Account, Api, assert_problem
from tests.support.aws import FakeAws, fake_aws
from tests.support.products import approved_seller, create_category, create_product

PATH = "/api/v1/products"


# One table and one catalog for the whole module: building it is the slow part (moto), and the
# tests only read it, except the rating test, whose reviews no other test's order depends on.
@pytest.fixture(scope="module")
def aws() -> Iterator[FakeAws]:
    with fake_aws() as fake:
        yield fake


@pytest.fixture(scope="module")
def api(aws: FakeAws) -> Api:
    return Api(aws)


@pytest.fixture(scope="module")
def admin(api: Api) -> Account:
    users.ensure_admin("admin@example.com", PASSWORD, "Ada Admin")
    res = api.login("admin@example.com")
    assert res.status == 200, res.body
    return Account(res.data["user"], res.data["accessToken"], res.data["refreshToken"], PASSWORD)


@pytest.fixture(scope="module")
def catalog(api: Api, admin: Account) -> dict[str, Any]:
    """Two sellers, two categories, 23 active products with distinct prices, plus hidden ones."""
    seller = approved_seller(api, admin)
    other = approved_seller(api, admin, name="Olga Other")
    kitchen = create_category("Kitchen")
    garden = create_category("Garden")
    products = []
    for n in range(23):
        owner = seller if n % 3 else other
        products.append(
            create_product(
                api,
                owner.access_token,
                name=f"Listed Item {n}",
                price=1000 + n * 100,
                categoryId=kitchen if n % 2 else garden,
                tags=["sale", "red"] if n % 4 == 0 else ["red"] if n % 4 == 1 else [],
            )
        )
    hidden = [
        create_product(api, seller.access_token, status="draft", price=1500, categoryId=kitchen),
        create_product(api, seller.access_token, status="inactive", price=1500, categoryId=kitchen),
        create_product(api, seller.access_token, stockQuantity=0, price=1500, categoryId=kitchen),
    ]
    return {
        "seller": seller,
        "other": other,
        "kitchen": kitchen,
        "garden": garden,
        "products": products,
        "hidden": {p["id"] for p in hidden},
    }


def walk(api: Api, query: dict[str, str], limit: int) -> list[list[dict[str, Any]]]:
    """Every page of a listing, following nextCursor."""
    pages: list[list[dict[str, Any]]] = []
    cursor: str | None = None
    while True:
        params = {**query, "limit": str(limit), **({"cursor": cursor} if cursor else {})}
        res = api.call("GET", PATH, query=params)
        assert res.status == 200, res.body
        pages.append(res.data["items"])
        cursor = res.data["nextCursor"]
        if not cursor:
            return pages


def flat(pages: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [item for page in pages for item in page]


def test_newest_first_exact_pages_no_duplicates(api: Api, catalog: dict[str, Any]) -> None:
    pages = walk(api, {}, 5)
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    ids = [p["id"] for p in flat(pages)]
    assert len(ids) == len(set(ids)) == 23
    assert ids == [p["id"] for p in reversed(catalog["products"])]
    assert not set(ids) & catalog["hidden"]


def test_price_sorts_and_range(api: Api, catalog: dict[str, Any]) -> None:
    low = flat(walk(api, {"sort": "price_low"}, 7))
    assert [p["price"] for p in low] == sorted(p["price"] for p in catalog["products"])
    high = flat(walk(api, {"sort": "price_high"}, 7))
    assert [p["price"] for p in high] == sorted((p["price"] for p in catalog["products"]), reverse=True)
    ranged = flat(walk(api, {"sort": "price_low", "minPrice": "1500", "maxPrice": "2000"}, 2))
    assert [p["price"] for p in ranged] == [1500, 1600, 1700, 1800, 1900, 2000]
    # A price range under the newest sort filters too
    newest = flat(walk(api, {"minPrice": "3000"}, 4))
    assert sorted(p["price"] for p in newest) == [3000, 3100, 3200]


def test_category_by_id_or_slug_with_sorts(api: Api, catalog: dict[str, Any]) -> None:
    kitchen = [p for p in catalog["products"] if p["categoryId"] == catalog["kitchen"]]
    by_id = flat(walk(api, {"category": catalog["kitchen"]}, 4))
    assert [p["id"] for p in by_id] == [p["id"] for p in reversed(kitchen)]
    by_slug = flat(walk(api, {"category": "kitchen", "sort": "price_high", "maxPrice": "2500"}, 3))
    assert [p["price"] for p in by_slug] == sorted((p["price"] for p in kitchen if p["price"] <= 2500), reverse=True)
    assert api.call("GET", PATH, query={"category": "no-such-category"}).data["items"] == []


def test_seller_and_tags_filters(api: Api, catalog: dict[str, Any]) -> None:
    other = catalog["other"]
    mine = flat(walk(api, {"sellerId": other.id}, 3))
    assert {p["sellerId"] for p in mine} == {other.id}
    assert len(mine) == len([p for p in catalog["products"] if p["sellerId"] == other.id])
    both = flat(walk(api, {"tags": "Sale,red"}, 2))
    assert sorted(p["id"] for p in both) == sorted(p["id"] for p in catalog["products"] if "sale" in p["tags"])
    red = flat(walk(api, {"tags": "red", "sort": "price_low"}, 4))
    assert len(red) == len([p for p in catalog["products"] if "red" in p["tags"]])


def test_rating_sort_follows_reviews(api: Api, catalog: dict[str, Any]) -> None:
    products = catalog["products"]
    reviewer = api.register()
    for product, rating in ((products[3], 5), (products[7], 3)):
        res = api.call("POST", f"{PATH}/{product['id']}/reviews", {"rating": rating}, token=reviewer.access_token)
        assert res.status == 201, res.body
    rated = flat(walk(api, {"sort": "rating"}, 6))
    assert [p["id"] for p in rated[:2]] == [products[3]["id"], products[7]["id"]]
    assert rated[0]["averageRating"] == 5.0
    assert len(rated) == 23


@pytest.mark.parametrize(
    "query",
    [
        {"minPrice": "500", "maxPrice": "100"},
        {"minPrice": "-1"},
        {"maxPrice": "abc"},
        {"sort": "cheapest"},
        {"limit": "0"},
        {"limit": "101"},
        {"status": "draft"},
        {"search": "a"},
    ],
)
def test_invalid_queries_are_400(api: Api, query: dict[str, str]) -> None:
    assert_problem(api.call("GET", PATH, query=query), 400, "VALIDATION_ERROR")


def test_tampered_or_foreign_cursor_is_400(api: Api, catalog: dict[str, Any]) -> None:
    cursor = api.call("GET", PATH, query={"limit": "5"}).data["nextCursor"]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    assert_problem(api.call("GET", PATH, query={"cursor": tampered}), 400, "INVALID_CURSOR")
    # A cursor of one listing is refused by another
    res = api.call("GET", PATH, query={"cursor": cursor, "sort": "price_low"})
    assert_problem(res, 400, "INVALID_CURSOR")
