"""The products function's sample events (events/products/) run with real ids and tokens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.api import Account, Api
from tests.support.products import approved_seller, create_product

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "events" / "products").glob("*.json"))


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_products_sample_with_real_ids(api: Api, admin: Account, customer: Account, sample: Path) -> None:
    # Given a product with a review, and the sample's placeholders replaced by their ids
    seller = approved_seller(api, admin)
    product = create_product(api, seller.access_token, name="Sample Event Mug")
    reviewer = api.register()
    res = api.call("POST", f"/api/v1/products/{product['id']}/reviews", {"rating": 3}, token=reviewer.access_token)
    assert res.status == 201, res.body
    text = sample.read_text().replace("sample-productId", product["id"]).replace("sample-reviewId", reviewer.id)
    event = json.loads(text)
    # The review routes act as the reviewer (or, to post a new one, another customer); the rest as the seller
    if "reviews" in sample.name:
        token = customer.access_token if sample.name.startswith("post_") else reviewer.access_token
    else:
        token = seller.access_token
    event["headers"]["authorization"] = f"Bearer {token}"

    # When the products function gets it
    result = api.response(api.invoke("ProductsFunction", event))

    # Then it succeeds
    assert result.status in (200, 201), result.body
    assert result.body["meta"]["requestId"] == event["requestContext"]["requestId"]
