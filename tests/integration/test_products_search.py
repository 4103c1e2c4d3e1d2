"""Search: every word must match (whole words, case- and accent-insensitive), only active
products, kept in step with every product write, paged by cursor under every sort."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import Account, Api, assert_problem
from tests.support.products import approved_seller, create_category, create_product

PATH = "/api/v1/products"


@pytest.fixture
def seller(api: Api, admin: Account) -> Account:
    return approved_seller(api, admin)


def search(api: Api, text: str, **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {"search": text, **params, **({"cursor": cursor} if cursor else {})}
        res = api.call("GET", PATH, query=query)
        assert res.status == 200, res.body
        items.extend(res.data["items"])
        cursor = res.data["nextCursor"]
        if not cursor:
            return items


def names(items: list[dict[str, Any]]) -> list[str]:
    return sorted(item["name"] for item in items)


def test_all_words_must_match_case_and_accent_insensitive(api: Api, seller: Account) -> None:
    create_product(api, seller.access_token, name="Blue Coffee Mug", description="Ceramic mug for espresso lovers.")
    create_product(api, seller.access_token, name="Red Coffee Grinder", shortDescription="Burr grinder for coffee")
    create_product(api, seller.access_token, name="Blue Teapot", description="A café classic, in cast iron.")
    create_product(api, seller.access_token, name="Coffeemaker Deluxe", description="Drip machine for the office.")
    assert names(search(api, "coffee")) == ["Blue Coffee Mug", "Red Coffee Grinder"]
    assert names(search(api, "BLUE coffee")) == ["Blue Coffee Mug"]
    assert names(search(api, "blue")) == ["Blue Coffee Mug", "Blue Teapot"]
    assert names(search(api, "CAFE")) == ["Blue Teapot"]  # accents stripped
    assert names(search(api, "burr")) == ["Red Coffee Grinder"]  # short description is searched
    assert names(search(api, "espresso, mug!")) == ["Blue Coffee Mug"]  # punctuation splits words
    assert search(api, "coffee tea") == []  # "tea" is not a word of any product
    assert search(api, "zeppelin") == []
    assert names(search(api, "a coffee")) == ["Blue Coffee Mug", "Red Coffee Grinder"]  # 1-letter words ignored


def test_inactive_products_are_never_found_and_updates_are_reflected(api: Api, seller: Account) -> None:
    mug = create_product(api, seller.access_token, name="Stoneware Mug")
    draft = create_product(api, seller.access_token, name="Stoneware Bowl", status="draft")
    assert names(search(api, "stoneware")) == ["Stoneware Mug"]
    url = f"{PATH}/{mug['id']}"
    # Renamed: the old word no longer finds it, the new one does
    api.call("PATCH", url, {"name": "Porcelain Mug"}, token=seller.access_token)
    assert search(api, "stoneware") == []
    assert names(search(api, "porcelain")) == ["Porcelain Mug"]
    # Deactivated, out of stock, deleted: gone; reactivated: back
    api.call("PATCH", url, {"status": "inactive"}, token=seller.access_token)
    assert search(api, "porcelain") == []
    api.call("PATCH", url, {"status": "active"}, token=seller.access_token)
    assert names(search(api, "porcelain")) == ["Porcelain Mug"]
    api.call("PATCH", url, {"stockQuantity": 0}, token=seller.access_token)
    assert search(api, "porcelain") == []
    api.call("PATCH", url, {"stockQuantity": 4}, token=seller.access_token)
    assert names(search(api, "porcelain mug")) == ["Porcelain Mug"]
    # The draft becomes findable once active
    api.call("PATCH", f"{PATH}/{draft['id']}", {"status": "active"}, token=seller.access_token)
    assert names(search(api, "stoneware")) == ["Stoneware Bowl"]
    assert api.call("DELETE", url, token=seller.access_token).status == 200
    assert search(api, "porcelain") == []
    # Price changes show on the search card (postings carry the card)
    api.call("PATCH", f"{PATH}/{draft['id']}", {"price": 777}, token=seller.access_token)
    assert [item["price"] for item in search(api, "stoneware")] == [777]


def test_large_descriptions_are_indexed_outside_the_transaction(api: Api, seller: Account) -> None:
    # More distinct words than one transaction holds (postings are then batch-written)
    vocabulary = " ".join(f"word{n}" for n in range(150))
    product = create_product(api, seller.access_token, name="Verbose Lamp", description=f"Lamp with {vocabulary}.")
    assert names(search(api, "word149 lamp")) == ["Verbose Lamp"]
    api.call("PATCH", f"{PATH}/{product['id']}", {"description": "Just a quiet lamp now."}, token=seller.access_token)
    assert search(api, "word149") == []
    assert names(search(api, "quiet")) == ["Verbose Lamp"]


def test_sorts_filters_and_paging_over_matches(api: Api, seller: Account) -> None:
    kitchen = create_category("Kitchen")
    for n in range(9):
        create_product(
            api,
            seller.access_token,
            name=f"Kettle Model {n}" if n % 2 else f"Steel Model {n}",
            description=f"Stainless kettle number {n} for tea.",
            price=5000 - n * 100,
            categoryId=kitchen if n < 5 else None,
            tags=["sale"] if n % 3 == 0 else [],
        )
    every = search(api, "kettle", limit="2")
    assert len(every) == len({item["id"] for item in every}) == 9
    # relevance: words in the name first
    assert all(item["name"].startswith("Kettle") for item in every[:4])
    low = search(api, "kettle", sort="price_low", limit="4")
    assert [item["price"] for item in low] == sorted(item["price"] for item in every)
    high = search(api, "kettle", sort="price_high", limit="4")
    assert [item["price"] for item in high] == sorted((item["price"] for item in every), reverse=True)
    newest = search(api, "kettle", sort="newest", limit="4")
    assert [item["createdAt"] for item in newest] == sorted((item["createdAt"] for item in every), reverse=True)
    assert len(search(api, "kettle", category="kitchen")) == 5
    assert [item["price"] for item in search(api, "tea", minPrice="4500", maxPrice="4800", sort="price_low")] == [
        4500,
        4600,
        4700,
        4800,
    ]
    assert len(search(api, "kettle", tags="sale")) == 3


def test_search_cursor_is_tamper_evident(api: Api, seller: Account) -> None:
    for _ in range(3):
        create_product(api, seller.access_token, name="Copper Pan")
    cursor = api.call("GET", PATH, query={"search": "copper", "limit": "1"}).data["nextCursor"]
    assert cursor
    assert_problem(
        api.call("GET", PATH, query={"search": "pan", "limit": "1", "cursor": cursor}), 400, "INVALID_CURSOR"
    )
    assert_problem(api.call("GET", PATH, query={"search": "copper", "cursor": cursor + "x"}), 400, "INVALID_CURSOR")


def test_an_edit_outside_the_card_rewrites_no_postings(api: Api, seller: Account) -> None:
    from shared.commerce.products import repository, search_index

    product = create_product(api, seller.access_token, name="Quiet Fan", stockQuantity=3)
    old = repository.get_product(product["id"])
    assert old is not None
    stock_only = repository.copy(old)
    stock_only.stock_quantity = 9
    assert search_index.SearchOps.between(old, stock_only).size == 0
    renamed = repository.copy(old)
    renamed.name = "Quiet Heater"
    ops = search_index.SearchOps.between(old, renamed)
    assert ops.counts == {"SEARCH#heater": 1, "SEARCH#fan": -1}
    assert len(ops.puts) == len(search_index.posting_items(renamed))  # the card (name) changed everywhere
