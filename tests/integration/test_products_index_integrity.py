"""The search index is exact after every product write that succeeds, and a write that fails
(refused, or broken half way by DynamoDB) changes nothing: neither the product nor the index.
No product text can produce an index key DynamoDB refuses."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.api import Account, Api, assert_problem
from tests.support.products import approved_seller, create_product

PATH = "/api/v1/products"
LONG_X = "x" * 2042  # SEARCH#<word> would be 2,049 bytes: past DynamoDB's 2,048-byte key limit
SQUARES = "㎯" * 409  # normalises to 2,045 letters
VOCABULARY = " ".join(f"term{n}" for n in range(150))  # more words than one transaction holds


@pytest.fixture
def seller(api: Api, admin: Account) -> Account:
    return approved_seller(api, admin)


def _table_items() -> Iterator[Any]:
    from shared.data.table import Item

    yield from Item.scan()


def assert_index_exact() -> None:
    """Every posting and word counter is what the active products hold, nothing more."""
    from shared.commerce.products import search_index
    from shared.commerce.products.models import PostingItem, ProductItem, WordCountItem

    items = list(_table_items())
    products = [item for item in items if isinstance(item, ProductItem)]
    expected = [posting.serialize() for product in products for posting in search_index.posting_items(product)]
    actual = [item.serialize() for item in items if isinstance(item, PostingItem)]

    def key(posting: dict[str, Any]) -> tuple[str, str]:
        return posting["PK"]["S"], posting["SK"]["S"]

    assert sorted(actual, key=key) == sorted(expected, key=key)
    counts = {item.pk: int(item.products) for item in items if isinstance(item, WordCountItem) and item.products}
    assert counts == dict(Counter(posting["PK"]["S"] for posting in expected))


def product_state(product_id: str) -> dict[str, Any] | None:
    from shared.commerce.products import repository

    product = repository.get_product(product_id)
    if product is None:
        return None
    state = product.serialize()
    state.pop("version")
    return state


def search(api: Api, text: str) -> list[str]:
    res = api.call("GET", PATH, query={"search": text})
    assert res.status == 200, res.body
    return [item["id"] for item in res.data["items"]]


@pytest.mark.parametrize("word", [LONG_X, SQUARES])
def test_a_word_longer_than_any_key_is_indexed_and_found(api: Api, seller: Account, word: str) -> None:
    # Given an active product whose description holds one enormous "word"
    product = create_product(api, seller.access_token, name="Wordy Lamp", description=f"Lamp {word} lamp")

    # Then it is created, found by that word as far as a query holds it (200 characters, more
    # than the 64 a word is indexed by), and the index is exact
    assert search(api, word[:199]) == [product["id"]]
    assert search(api, f"lamp {word[:150]}") == [product["id"]]
    assert_index_exact()


@pytest.mark.parametrize("field", ["name", "description", "shortDescription"])
def test_updating_to_an_enormous_word_succeeds_on_the_batch_path(api: Api, seller: Account, field: str) -> None:
    # Given a product with more words than one transaction holds (index written after the product)
    product = create_product(api, seller.access_token, name="Verbose Lamp", description=f"Lamp with {VOCABULARY}.")
    value = {"name": "x" * 255, "description": f"Now {LONG_X}", "shortDescription": "x" * 500}[field]

    # When a field becomes one enormous word
    res = api.call("PATCH", f"{PATH}/{product['id']}", {field: value}, token=seller.access_token)

    # Then the update succeeds and leaves the index exact
    assert res.status == 200, res.body
    assert_index_exact()
    assert search(api, value[-199:]) == [product["id"]]


def test_a_refused_update_on_the_batch_path_changes_nothing(api: Api, seller: Account) -> None:
    # Given two products, the first one large enough to be indexed outside the transaction
    product = create_product(api, seller.access_token, name="Verbose Lamp", description=f"Lamp with {VOCABULARY}.")
    create_product(api, seller.access_token, name="Other Lamp", sku="TAKEN-SKU")
    before = product_state(product["id"])

    # When an update with a new description asks for a SKU already taken
    body = {"description": f"Brand new words {LONG_X}", "sku": "TAKEN-SKU"}
    res = api.call("PATCH", f"{PATH}/{product['id']}", body, token=seller.access_token)

    # Then it is refused and nothing changed
    assert_problem(res, 409, "SKU_TAKEN")
    assert product_state(product["id"]) == before
    assert search(api, "brand") == []
    assert search(api, "term149") == [product["id"]]
    assert_index_exact()


class _FailingCalls:
    """Makes the ``fail_at``-th call of a function raise (once), as a throttled table would."""

    def __init__(self, real: Any, fail_at: int) -> None:
        self.real, self.fail_at, self.calls = real, fail_at, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls == self.fail_at:
            raise RuntimeError("DynamoDB is unavailable")
        return self.real(*args, **kwargs)


@pytest.mark.parametrize("fail_at", [1, 3, 40])
def test_an_update_whose_index_write_fails_half_way_changes_nothing(
    api: Api, seller: Account, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    from shared.commerce.products.models import WordCountItem

    # Given a large product and a new description that changes many words
    product = create_product(api, seller.access_token, name="Verbose Lamp", description=f"Lamp with {VOCABULARY}.")
    before = product_state(product["id"])
    new_words = " ".join(f"fresh{n}" for n in range(120))

    # When the table fails on the fail_at-th counter update after the product was written
    monkeypatch.setattr(WordCountItem, "update", _FailingCalls(WordCountItem.update, fail_at))
    res = api.call("PATCH", f"{PATH}/{product['id']}", {"description": new_words}, token=seller.access_token)
    monkeypatch.undo()

    # Then the request fails, and the product and its index are as they were
    assert_problem(res, 500, "INTERNAL_ERROR")
    assert product_state(product["id"]) == before
    assert search(api, "fresh7") == []
    assert search(api, "term3") == [product["id"]]
    assert_index_exact()
    # And the next edit works as usual
    retry = api.call("PATCH", f"{PATH}/{product['id']}", {"description": new_words}, token=seller.access_token)
    assert retry.status == 200, retry.body
    assert search(api, "fresh7") == [product["id"]]
    assert_index_exact()


def test_a_create_whose_index_write_fails_leaves_no_product(
    api: Api, seller: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.commerce.products import search_index

    monkeypatch.setattr(search_index, "write_postings", _FailingCalls(search_index.write_postings, 1))
    body = {"name": "Doomed Lamp", "slug": "doomed-lamp", "description": f"Lamp {VOCABULARY}", "price": 100}
    res = api.call("POST", PATH, {**body, "status": "active", "stockQuantity": 1}, token=seller.access_token)
    monkeypatch.undo()

    assert_problem(res, 500, "INTERNAL_ERROR")
    assert_index_exact()
    assert_problem(api.call("GET", f"{PATH}/doomed-lamp"), 404, "PRODUCT_NOT_FOUND")
    again = api.call("POST", PATH, {**body, "status": "active", "stockQuantity": 1}, token=seller.access_token)
    assert again.status == 201, again.body  # the slug was released


def test_a_delete_whose_index_write_fails_keeps_the_product(
    api: Api, seller: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.commerce.products.models import WordCountItem

    product = create_product(api, seller.access_token, name="Verbose Lamp", description=f"Lamp with {VOCABULARY}.")

    monkeypatch.setattr(WordCountItem, "update", _FailingCalls(WordCountItem.update, 10))
    res = api.call("DELETE", f"{PATH}/{product['id']}", token=seller.access_token)
    monkeypatch.undo()

    assert_problem(res, 500, "INTERNAL_ERROR")
    assert api.call("GET", f"{PATH}/{product['slug']}").status == 200
    assert search(api, "term42") == [product["id"]]
    assert_index_exact()


def test_a_rating_change_never_brings_back_the_postings_of_a_product_delisted_meanwhile(
    api: Api, seller: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.commerce.products import review_repository, search_index, service

    # Given an active product, found by its words
    product = create_product(api, seller.access_token, name="Racing Kettle")
    assert search(api, "kettle") == [product["id"]]
    # ... and a delist that lands right after a rating refresh wrote the product, before it
    # rewrote the cards (the refresh holds the product as it wrote it: active)
    cards = search_index.posting_items

    def delist_first(item: Any) -> Any:
        monkeypatch.setattr(search_index, "posting_items", cards)
        service.delist(product["id"])
        return cards(item)

    monkeypatch.setattr(search_index, "posting_items", delist_first)

    # When the rating is refreshed
    refreshed = review_repository.refresh_rating(product["id"])

    # Then the refresh wrote the product, its stale cards were not written, and the delisted
    # product is in no search posting
    assert refreshed is not None
    assert refreshed.status == "active"
    assert search(api, "kettle") == []
    assert_index_exact()


def test_a_rating_change_rewrites_every_card_of_a_product_with_more_words_than_a_transaction(
    api: Api, seller: Account
) -> None:
    from shared.commerce.products import repository, review_repository, search_index
    from shared.commerce.products.models import ProductItem

    # Given an active product with 100 distinct words besides its name's (one card each: more
    # than one transaction holds) and a new rating total on it
    words = " ".join(f"term{n}" for n in range(100))
    product = create_product(api, seller.access_token, name="Wordy Kettle", description=words)
    stored = repository.get_product(product["id"])
    assert stored is not None
    ProductItem(stored.pk, stored.sk).update(actions=[ProductItem.rating_sum.add(4), ProductItem.review_count.add(1)])

    # When the rating is refreshed
    refreshed = review_repository.refresh_rating(product["id"])

    # Then every card, in both transactions, carries the new average, and the index is exact
    assert refreshed is not None
    assert refreshed.average_rating == 4
    assert len(search_index.posting_items(refreshed)) > 100
    for word in ("term0", "term99", "kettle"):
        assert [posting.average_rating for posting in search_index.all_postings(word, filter_condition=None)] == [4]
    assert_index_exact()
