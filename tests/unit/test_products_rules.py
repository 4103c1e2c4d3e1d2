"""Pure product rules: money, status automation, slugs, tags, search words, index keys."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from shared.commerce.products import rules
from shared.commerce.products.schemas import CreateProductRequest, UpdateProductRequest
from shared.commerce.products.views import discount_percentage

BASE = {"name": "Mug", "price": 1000}


def test_compare_price_must_exceed_price() -> None:
    assert rules.price_errors(1000, 1000, None) == {
        "comparePrice": ["Compare price must be greater than regular price"]
    }
    assert rules.price_errors(1000, 999, None)
    assert rules.price_errors(1000, 1001, 0) == {}
    assert rules.price_errors(1000, None, None) == {}


@pytest.mark.parametrize("price", [0, -1, 100_000_000, 19.99, "1999", True])
def test_price_is_integer_cents_in_range(price: object) -> None:
    with pytest.raises(ValidationError):
        CreateProductRequest.model_validate({**BASE, "price": price})


def test_price_bounds_are_inclusive() -> None:
    assert CreateProductRequest.model_validate({**BASE, "price": 1}).price == 1
    assert CreateProductRequest.model_validate({**BASE, "price": 99_999_999}).price == 99_999_999


def test_cost_price_may_be_zero_but_not_negative() -> None:
    assert CreateProductRequest.model_validate({**BASE, "costPrice": 0}).cost_price == 0
    with pytest.raises(ValidationError):
        CreateProductRequest.model_validate({**BASE, "costPrice": -1})


def test_seller_and_counters_cannot_be_mass_assigned() -> None:
    for field in ("sellerId", "viewCount", "averageRating", "reviewCount", "ratingSum", "id"):
        with pytest.raises(ValidationError):
            CreateProductRequest.model_validate({**BASE, field: "x"})
        with pytest.raises(ValidationError):
            UpdateProductRequest.model_validate({field: "x"})


def test_field_lengths_and_lists() -> None:
    for bad in (
        {"name": "M"},
        {"name": "x" * 256},
        {"description": "too short"},
        {"shortDescription": "x" * 501},
        {"images": ["https://img.example/a.png"] * 11},
        {"images": ["ftp://nope"]},
        {"tags": [f"t{i}" for i in range(21)]},
        {"tags": ["x" * 51]},
        {"stockQuantity": -1},
        {"sku": "x"},
        {"dimensions": {"length": 0}},
        {"status": "deleted"},
    ):
        with pytest.raises(ValidationError):
            CreateProductRequest.model_validate({**BASE, **bad})


def test_tags_are_lowercased_and_deduplicated() -> None:
    request = CreateProductRequest.model_validate(
        {**BASE, "tags": ["Kitchen", " kitchen ", "MUGS", "mugs", "Tea Time"]}
    )
    assert request.tags == ["kitchen", "mugs", "tea time"]


def test_status_follows_stock() -> None:
    assert rules.next_status("draft", "active", 0) == "out_of_stock"
    assert rules.next_status("active", None, 0) == "out_of_stock"
    assert rules.next_status("out_of_stock", None, 3) == "active"
    assert rules.next_status("out_of_stock", "inactive", 3) == "inactive"
    assert rules.next_status("draft", None, 0) == "draft"
    assert rules.next_status("inactive", None, 5) == "inactive"


def test_slug_derived_from_name_and_suffixed() -> None:
    assert rules.derived_slug("Crème Brûlée Torch — Pro!") == "creme-brulee-torch-pro"
    assert rules.derived_slug("!!") == "product"
    suffixed = rules.with_suffix("blue-mug")
    assert suffixed.startswith("blue-mug-")
    assert len(suffixed) == len("blue-mug-") + 6
    assert len(rules.with_suffix("a" * 120)) <= rules.SLUG_MAX


def test_search_words_normalised() -> None:
    assert rules.words("Crème BRÛLÉE, torch-lighter a x 2 42!", None, "torch again") == [
        "creme",
        "brulee",
        "torch",
        "lighter",
        "42",
        "again",
    ]
    assert rules.words("a b c") == []


def test_average_rounded_to_two_decimals() -> None:
    assert rules.average(0, 0) == 0.0
    assert rules.average(14, 3) == 4.67
    assert rules.average(5, 1) == 5.0


def test_index_keys_are_sparse_while_not_active() -> None:
    common = {"product_id": "p1", "seller_id": "s1", "category_id": "c1", "price": 1999, "average_rating": 4.5}
    active = rules.index_keys(status="active", created_at="2026-01-01T00:00:00.000Z", **common)  # type: ignore[arg-type]
    assert active["gsi2sk"] == "0000001999#p1"
    assert active["gsi3sk"] == "450#2026-01-01T00:00:00.000Z#p1"
    assert active["gsi4pk"] == active["gsi6pk"] == "PRODUCTS#CATEGORY#c1"
    draft = rules.index_keys(status="draft", created_at="2026-01-01T00:00:00.000Z", **common)  # type: ignore[arg-type]
    assert {k for k, v in draft.items() if v is not None} == {"gsi5pk", "gsi5sk"}
    inactive = rules.index_keys(status="inactive", created_at="2026-01-01T00:00:00.000Z", **common)  # type: ignore[arg-type]
    assert inactive == draft


def test_a_sold_out_product_sits_in_the_sold_out_twin_of_each_listing_partition() -> None:
    common = {"product_id": "p1", "seller_id": "s1", "category_id": "c1", "price": 1999, "average_rating": 4.5}
    at = "2026-01-01T00:00:00.000Z"
    active = rules.index_keys(status="active", created_at=at, **common)  # type: ignore[arg-type]
    sold = rules.index_keys(status="out_of_stock", created_at=at, **common)  # type: ignore[arg-type]

    assert sold["gsi1pk"] == sold["gsi2pk"] == sold["gsi3pk"] == "PRODUCTS#OUT_OF_STOCK"
    assert sold["gsi4pk"] == sold["gsi6pk"] == "PRODUCTS#CATEGORY#c1#OUT_OF_STOCK"
    assert {k: v for k, v in sold.items() if k.endswith("sk")} == {k: v for k, v in active.items() if k.endswith("sk")}
    assert sold["gsi5pk"] == active["gsi5pk"]


def test_discount_percentage() -> None:
    assert discount_percentage(750, 1000) == 25
    assert discount_percentage(1000, None) == 0
    assert discount_percentage(1000, 900) == 0
