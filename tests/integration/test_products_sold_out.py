"""Sold-out products stay visible: their page answers, listings show them on request only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import Account, Api, assert_problem
from tests.support.products import approved_seller, create_category, create_product

PATH = "/api/v1/products"


@pytest.fixture
def seller(api: Api, admin: Account) -> Account:
    return approved_seller(api, admin)


def listing(api: Api, **query: Any) -> list[str]:
    names: list[str] = []
    cursor: str | None = None
    while True:
        res = api.call("GET", PATH, query={**query, **({"cursor": cursor} if cursor else {})})
        assert res.status == 200, res.body
        assert res.data["items"] or not names, "no empty last page"
        names.extend(item["name"] for item in res.data["items"])
        cursor = res.data["nextCursor"]
        if not cursor:
            return names


def test_a_sold_out_product_page_is_public_drafts_and_inactive_stay_private(api: Api, seller: Account) -> None:
    # Given a product sold out, a draft and an inactive product
    sold_out = create_product(api, seller.access_token, name="Sold Lamp", stockQuantity=0)
    draft = create_product(api, seller.access_token, name="Draft Lamp", status="draft")
    inactive = create_product(api, seller.access_token, name="Hidden Lamp", status="inactive")

    # When the public opens each page (by id and by slug)
    by_id = api.call("GET", f"{PATH}/{sold_out['id']}")
    by_slug = api.call("GET", f"{PATH}/{sold_out['slug']}")

    # Then the sold-out one shows, as sold out, and the others do not exist for them
    assert sold_out["status"] == "out_of_stock"
    for res in (by_id, by_slug):
        assert res.status == 200, res.body
        assert res.data["status"] == "out_of_stock"
        assert res.data["stockQuantity"] == 0
        assert res.data["inStock"] is False
        assert "costPrice" not in res.data
    for hidden in (draft, inactive):
        assert_problem(api.call("GET", f"{PATH}/{hidden['id']}"), 404, "PRODUCT_NOT_FOUND")
    assert api.call("GET", f"{PATH}/{sold_out['id']}/related").status == 200


def test_a_product_selling_out_leaves_the_default_listing_only(api: Api, seller: Account) -> None:
    category = create_category("Sold Out Lamps")
    product = create_product(api, seller.access_token, name="Last Lamp", stockQuantity=1, categoryId=category)
    create_product(api, seller.access_token, name="Full Lamp", stockQuantity=5, categoryId=category)

    api.call("PATCH", f"{PATH}/{product['id']}", {"stockQuantity": 0}, token=seller.access_token)

    assert listing(api, category=category) == ["Full Lamp"]
    assert listing(api, category=category, includeOutOfStock="true") == ["Full Lamp", "Last Lamp"]
    assert listing(api, category=category, includeOutOfStock="false") == ["Full Lamp"]
    # Restocked: back among the in-stock products, once
    api.call("PATCH", f"{PATH}/{product['id']}", {"stockQuantity": 2}, token=seller.access_token)
    assert sorted(listing(api, category=category, includeOutOfStock="true")) == ["Full Lamp", "Last Lamp"]
    assert sorted(listing(api, category=category)) == ["Full Lamp", "Last Lamp"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sort": "price_low"},
        {"sort": "price_high", "minPrice": "100", "maxPrice": "5000"},
        {"sort": "rating"},
        {"category": "CATEGORY"},
        {"category": "CATEGORY", "sort": "price_low"},
        {"sellerId": "SELLER"},
    ],
)
def test_sold_out_products_follow_in_stock_ones_page_by_page(api: Api, seller: Account, params: dict[str, str]) -> None:
    # Given 3 in-stock and 4 sold-out products of one seller and category
    category = create_category(f"Paged {len(params)} {sorted(params)}")
    in_stock = {create_product(api, seller.access_token, categoryId=category, price=1000 + n)["name"] for n in range(3)}
    sold = {
        create_product(api, seller.access_token, categoryId=category, price=2000 + n, stockQuantity=0)["name"]
        for n in range(4)
    }
    query = {key: {"CATEGORY": category, "SELLER": seller.id}.get(value, value) for key, value in params.items()}

    # When the listing is read two by two, with and without sold-out products
    everything = listing(api, **query, includeOutOfStock="true", limit="2")
    default = listing(api, **query, limit="2")

    # Then every product comes exactly once, sold-out ones after the in-stock ones (except on
    # a seller's page, which is one index ordered by date)
    assert set(default) == in_stock
    assert sorted(everything) == sorted(in_stock | sold)
    if "sellerId" not in query:
        assert set(everything[:3]) == in_stock


def test_a_tampered_part_in_the_cursor_is_refused(api: Api, seller: Account) -> None:
    from shared.commerce.products.listing import ListingQuery
    from shared.security.cursors import encode_cursor

    scope = ListingQuery(include_out_of_stock=True, limit=2).scope()
    cursor = encode_cursor({"part": 7, "at": None}, scope)

    res = api.call("GET", PATH, query={"includeOutOfStock": "true", "limit": "2", "cursor": cursor})

    assert_problem(res, 400, "INVALID_CURSOR")
