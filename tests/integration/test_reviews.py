"""Reviews: one per user and product, own edits, exact aggregates under concurrency, verified purchases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from shared.commerce.products import reviews
from shared.commerce.products.schemas import CreateReviewRequest, UpdateReviewRequest
from shared.identity.principal import Principal

from tests.support.api import Account, Api, assert_problem
from tests.support.products import (
    approved_seller,
    atomic_dynamodb_calls,
    create_product,
    outcome,
    principal_of,
    record_purchase,
    run_concurrently,
)

PATH = "/api/v1/products"


@pytest.fixture
def seller(api: Api, admin: Account) -> Account:
    return approved_seller(api, admin)


@pytest.fixture
def product(api: Api, seller: Account) -> dict[str, Any]:
    return create_product(api, seller.access_token, name="Reviewed Kettle")


def reviews_url(product: dict[str, Any]) -> str:
    return f"{PATH}/{product['id']}/reviews"


def stats(api: Api, product: dict[str, Any]) -> tuple[float, int]:
    data = api.call("GET", f"{PATH}/{product['id']}").data
    return data["averageRating"], data["reviewCount"]


def test_one_review_per_user_and_aggregates(api: Api, product: dict[str, Any], customer: Account) -> None:
    res = api.call(
        "POST",
        reviews_url(product),
        {"rating": 4, "title": "Good", "comment": "Boils fast."},
        token=customer.access_token,
    )
    assert res.status == 201, res.body
    review = res.data
    assert review["id"] == customer.id
    assert review["userName"] == "Carla Customer"
    assert review["verifiedPurchase"] is False
    again = api.call("POST", reviews_url(product), {"rating": 5}, token=customer.access_token)
    assert_problem(again, 409, "REVIEW_EXISTS")
    other = api.register()
    api.call("POST", reviews_url(product), {"rating": 1}, token=other.access_token)
    third = api.register()
    api.call("POST", reviews_url(product), {"rating": 2}, token=third.access_token)
    assert stats(api, product) == (2.33, 3)


@pytest.mark.parametrize(
    "body",
    [
        {"rating": 0},
        {"rating": 6},
        {"rating": 4.5},
        {"rating": "5"},
        {"title": "x"},
        {"rating": 3, "title": "x" * 121},
        {"rating": 3, "comment": "x" * 2001},
        {"rating": 3, "verifiedPurchase": True},
    ],
)
def test_invalid_reviews_are_400(api: Api, product: dict[str, Any], customer: Account, body: dict[str, Any]) -> None:
    assert_problem(api.call("POST", reviews_url(product), body, token=customer.access_token), 400, "VALIDATION_ERROR")


def test_reviews_need_an_account_and_a_visible_product(
    api: Api, seller: Account, product: dict[str, Any], customer: Account
) -> None:
    assert_problem(api.call("POST", reviews_url(product), {"rating": 5}), 401, "NO_TOKEN")
    assert_problem(api.call("POST", reviews_url(product), {"rating": 5}, token=seller.access_token), 403, "OWN_PRODUCT")
    draft = create_product(api, seller.access_token, status="draft")
    assert_problem(
        api.call("POST", reviews_url(draft), {"rating": 5}, token=customer.access_token), 404, "PRODUCT_NOT_FOUND"
    )
    missing = {"id": "missing"}
    assert_problem(
        api.call("POST", reviews_url(missing), {"rating": 5}, token=customer.access_token), 404, "PRODUCT_NOT_FOUND"
    )


def test_verified_purchase_comes_from_a_purchase_record(api: Api, product: dict[str, Any], customer: Account) -> None:
    record_purchase(customer.id, product["id"])
    res = api.call("POST", reviews_url(product), {"rating": 5}, token=customer.access_token)
    assert res.data["verifiedPurchase"] is True


def test_edit_and_delete_own_review_admin_deletes_any(
    api: Api, product: dict[str, Any], customer: Account, admin: Account
) -> None:
    api.call("POST", reviews_url(product), {"rating": 2, "title": "Meh"}, token=customer.access_token)
    other = api.register()
    api.call("POST", reviews_url(product), {"rating": 4}, token=other.access_token)
    mine = f"{reviews_url(product)}/{customer.id}"
    theirs = f"{reviews_url(product)}/{other.id}"
    assert_problem(api.call("PATCH", theirs, {"rating": 1}, token=customer.access_token), 403, "NOT_REVIEW_OWNER")
    assert_problem(api.call("DELETE", theirs, token=customer.access_token), 403, "NOT_REVIEW_OWNER")
    res = api.call("PATCH", mine, {"rating": 5, "title": None, "comment": "Grew on me."}, token=customer.access_token)
    assert res.status == 200, res.body
    assert res.data["rating"] == 5
    assert res.data["title"] is None
    assert res.data["comment"] == "Grew on me."
    assert stats(api, product) == (4.5, 2)
    assert api.call("DELETE", mine, token=customer.access_token).status == 200
    assert stats(api, product) == (4.0, 1)
    assert_problem(api.call("DELETE", mine, token=customer.access_token), 404, "REVIEW_NOT_FOUND")
    assert api.call("DELETE", theirs, token=admin.access_token).status == 200
    assert stats(api, product) == (0.0, 0)
    # After deleting, the user may review again
    assert api.call("POST", reviews_url(product), {"rating": 3}, token=customer.access_token).status == 201


def test_list_reviews_newest_first_with_cursor(api: Api, product: dict[str, Any]) -> None:
    authors = [api.register() for _ in range(5)]
    for n, author in enumerate(authors):
        api.call("POST", reviews_url(product), {"rating": 1 + n % 5, "title": f"Review {n}"}, token=author.access_token)
    seen: list[dict[str, Any]] = []
    pages: list[int] = []
    cursor: str | None = None
    while True:
        res = api.call("GET", reviews_url(product), query={"limit": "2", **({"cursor": cursor} if cursor else {})})
        assert res.status == 200, res.body
        pages.append(len(res.data["items"]))
        seen.extend(res.data["items"])
        cursor = res.data["nextCursor"]
        if not cursor:
            break
    assert pages == [2, 2, 1]
    assert [r["title"] for r in seen] == [f"Review {n}" for n in reversed(range(5))]
    assert_problem(api.call("GET", reviews_url(product), query={"cursor": "forged.cursor"}), 400, "INVALID_CURSOR")


def test_aggregates_stay_exact_under_concurrent_reviews(api: Api, product: dict[str, Any]) -> None:
    # Given eight users reviewing at the same moment (threads calling the domain)
    authors = [principal_of(api.register()) for _ in range(8)]
    ratings = [5, 4, 3, 5, 1, 2, 5, 4]

    def post(who: Principal, rating: int) -> Callable[[], str]:
        request = CreateReviewRequest(rating=rating)
        return lambda: outcome(lambda: reviews.create_review(who, product["id"], request))

    with atomic_dynamodb_calls():
        results = run_concurrently(*(post(who, rating) for who, rating in zip(authors, ratings, strict=True)))
    assert results == ["ok"] * 8
    # Then the count and average are exact, and the rating index agrees with them
    assert stats(api, product) == (round(sum(ratings) / 8, 2), 8)
    listed = api.call("GET", PATH, query={"sort": "rating"}).data["items"]
    assert listed[0]["averageRating"] == round(sum(ratings) / 8, 2)

    # When edits and deletes race as well
    def edit(who: Principal) -> Callable[[], str]:
        request = UpdateReviewRequest(rating=1)
        return lambda: outcome(lambda: reviews.update_review(who, product["id"], who.user_id, request))

    def delete(who: Principal) -> Callable[[], str]:
        return lambda: outcome(lambda: reviews.delete_review(who, product["id"], who.user_id))

    with atomic_dynamodb_calls():
        results = run_concurrently(*(edit(who) for who in authors[:4]), *(delete(who) for who in authors[4:6]))
    assert results == ["ok"] * 6
    # Then they stay exact too, on the product and on its search card
    remaining = [1, 1, 1, 1, 5, 4]
    assert stats(api, product) == (round(sum(remaining) / 6, 2), 6)
    search_card = api.call("GET", PATH, query={"search": "kettle"}).data["items"][0]
    assert search_card["averageRating"] == round(sum(remaining) / 6, 2)
    assert search_card["reviewCount"] == 6
