"""The shopping cart: lines priced from the product, quantity and line caps, availability,
ownership, expiry, and increments that survive concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from shared.commerce.cart import repository, service
from shared.commerce.cart.models import CartLineItem, cart_pk, line_sk
from shared.commerce.cart.schemas import AddCartItemRequest

from tests.support.api import Account, Api, assert_problem
from tests.support.products import (
    approved_seller,
    atomic_dynamodb_calls,
    create_product,
    outcome,
    principal_of,
    run_concurrently,
)

CART = "/api/v1/cart"
ITEMS = f"{CART}/items"


@pytest.fixture
def seller(api: Api, admin: Account) -> Account:
    return approved_seller(api, admin)


def product(api: Api, seller: Account, **overrides: Any) -> dict[str, Any]:
    return create_product(api, seller.access_token, **overrides)


def catalog(seller: Account, count: int) -> list[str]:
    """``count`` active products written straight to the table (no search index: the cart reads
    products by id only), much faster than through the API."""
    from shared.clock import now_iso
    from shared.commerce.products import repository as products
    from shared.ids import new_id

    ids = [new_id() for _ in range(count)]
    for n, product_id in enumerate(ids):
        fields = {"name": f"Bulk {n}", "slug": f"bulk-{product_id}", "price": 100, "stock_quantity": 10}
        item = products.new_product(product_id, now_iso(), seller_id=seller.id, status="active", **fields)
        item.save()
    return ids


def add(api: Api, account: Account, product_id: str, quantity: int | None = None, **extra: Any) -> Any:
    body: dict[str, Any] = {"productId": product_id, **extra}
    if quantity is not None:
        body["quantity"] = quantity
    return api.call("POST", ITEMS, body, token=account.access_token)


def get_cart(api: Api, account: Account) -> dict[str, Any]:
    res = api.call("GET", CART, token=account.access_token)
    assert res.status == 200, res.body
    return dict(res.data)


def line_of(cart: dict[str, Any], product_id: str) -> dict[str, Any]:
    return next(line for line in cart["items"] if line["productId"] == product_id)


# ---------------------------------------------------------------------------- add, read


def test_add_then_increment_shows_current_product_data_and_totals(api: Api, seller: Account, customer: Account) -> None:
    mug = product(api, seller, name="Blue Mug", price=1250, stockQuantity=10, images=["https://img.test/mug.png"])
    pen = product(api, seller, name="Red Pen", price=199, stockQuantity=50)
    # When the customer adds 2 mugs, then 3 more, then a pen (quantity defaults to 1)
    res = add(api, customer, mug["id"], 2)
    assert res.status == 200, res.body
    assert line_of(res.data, mug["id"])["quantity"] == 2
    assert add(api, customer, mug["id"], 3).status == 200
    res = add(api, customer, pen["id"])
    assert res.status == 200, res.body
    # Then the cart shows both lines, oldest first, priced from the products
    cart = get_cart(api, customer)
    assert cart == res.data
    assert [line["productId"] for line in cart["items"]] == [mug["id"], pen["id"]]
    assert cart["items"][0] == {
        "productId": mug["id"],
        "name": "Blue Mug",
        "slug": mug["slug"],
        "image": "https://img.test/mug.png",
        "unitPrice": 1250,
        "currency": "usd",
        "quantity": 5,
        "lineTotal": 6250,
        "available": True,
        "stockQuantity": 10,
        "status": "active",
    }
    assert line_of(cart, pen["id"])["quantity"] == 1
    assert line_of(cart, pen["id"])["image"] is None
    assert cart["itemCount"] == 6
    assert cart["subtotal"] == 6250 + 199
    assert cart["currency"] == "usd"
    assert cart["updatedAt"]


def test_an_empty_cart(api: Api, customer: Account) -> None:
    cart = get_cart(api, customer)
    assert cart == {"items": [], "itemCount": 0, "subtotal": 0, "currency": "usd", "updatedAt": None}


def test_a_line_holds_at_most_99(api: Api, seller: Account, customer: Account) -> None:
    item = product(api, seller, stockQuantity=500)
    assert add(api, customer, item["id"], 99).status == 200
    error = assert_problem(add(api, customer, item["id"], 1), 409, "CART_LIMIT")
    assert "you can add 0 more" in error["message"]
    assert line_of(get_cart(api, customer), item["id"])["quantity"] == 99


def test_two_adds_summing_over_99_keep_the_first(api: Api, seller: Account, customer: Account) -> None:
    item = product(api, seller, stockQuantity=500)
    assert add(api, customer, item["id"], 60).status == 200
    error = assert_problem(add(api, customer, item["id"], 50), 409, "CART_LIMIT")
    assert error["errors"] == {"quantity": ["at most 39"]}
    assert add(api, customer, item["id"], 39).status == 200
    assert line_of(get_cart(api, customer), item["id"])["quantity"] == 99


@pytest.mark.parametrize("quantity", [0, -1, 100, 2.5, "2", None, True])
def test_quantity_must_be_an_integer_from_1_to_99(
    api: Api, seller: Account, customer: Account, quantity: object
) -> None:
    item = product(api, seller)
    body = {"productId": item["id"], "quantity": quantity}
    assert_problem(api.call("POST", ITEMS, body, token=customer.access_token), 400, "VALIDATION_ERROR")
    assert add(api, customer, item["id"], 1).status == 200
    url = f"{ITEMS}/{item['id']}"
    res = api.call("PATCH", url, {"quantity": quantity}, token=customer.access_token)
    assert_problem(res, 400, "VALIDATION_ERROR")
    assert_problem(api.call("PATCH", url, {}, token=customer.access_token), 400, "VALIDATION_ERROR")
    assert get_cart(api, customer)["itemCount"] == 1


def test_a_cart_holds_at_most_30_products(api: Api, seller: Account, customer: Account) -> None:
    ids = catalog(seller, 31)
    for product_id in ids[:30]:
        assert add(api, customer, product_id).status == 200
    assert_problem(add(api, customer, ids[30]), 409, "CART_FULL")
    # Adding more of a product already in the cart still works, and a freed slot can be used
    assert add(api, customer, ids[0]).status == 200
    assert api.call("DELETE", f"{ITEMS}/{ids[1]}", token=customer.access_token).status == 200
    res = add(api, customer, ids[30])
    assert res.status == 200, res.body
    assert len(res.data["items"]) == 30
    assert res.data["itemCount"] == 31


# ---------------------------------------------------------------------------- what can be added


@pytest.mark.parametrize("status", ["draft", "inactive"])
def test_products_that_are_not_for_sale_are_not_found(
    api: Api, seller: Account, customer: Account, status: str
) -> None:
    hidden = product(api, seller, status=status, stockQuantity=10)
    assert_problem(add(api, customer, hidden["id"]), 404, "PRODUCT_NOT_FOUND")
    assert_problem(add(api, customer, "no-such-product"), 404, "PRODUCT_NOT_FOUND")
    # Not even its own seller can put a draft in a cart
    assert_problem(add(api, seller, hidden["id"]), 404, "PRODUCT_NOT_FOUND")
    assert get_cart(api, customer)["items"] == []


def test_stock_limits_what_can_be_added(api: Api, seller: Account, customer: Account) -> None:
    sold_out = product(api, seller, stockQuantity=0)  # an active product with no stock is out_of_stock
    assert sold_out["status"] == "out_of_stock"
    error = assert_problem(add(api, customer, sold_out["id"]), 409, "OUT_OF_STOCK")
    assert "out of stock" in error["message"]
    scarce = product(api, seller, stockQuantity=5)
    error = assert_problem(add(api, customer, scarce["id"], 6), 409, "OUT_OF_STOCK")
    assert "Only 5 available" in error["message"]
    assert add(api, customer, scarce["id"], 4).status == 200
    error = assert_problem(add(api, customer, scarce["id"], 2), 409, "OUT_OF_STOCK")
    assert "4 already in your cart" in error["message"]
    assert add(api, customer, scarce["id"], 1).status == 200
    assert line_of(get_cart(api, customer), scarce["id"])["quantity"] == 5


def test_a_cart_has_one_currency(api: Api, seller: Account, customer: Account) -> None:
    dollars = product(api, seller, currency="usd")
    euros = product(api, seller, currency="eur")
    assert add(api, customer, dollars["id"]).status == 200
    assert_problem(add(api, customer, euros["id"]), 409, "CURRENCY_MISMATCH")
    # Emptied, the cart takes the currency of its next product
    assert api.call("DELETE", CART, token=customer.access_token).status == 200
    res = add(api, customer, euros["id"])
    assert res.status == 200
    assert res.data["currency"] == "eur"


# ---------------------------------------------------------------------------- prices


def test_the_client_cannot_set_a_price_or_name(api: Api, seller: Account, customer: Account) -> None:
    item = product(api, seller, price=1999)
    for extra in ({"price": 1}, {"unitPrice": 1}, {"name": "Free stuff"}, {"userId": "someone-else"}):
        assert_problem(add(api, customer, item["id"], 1, **extra), 400, "VALIDATION_ERROR")
    assert add(api, customer, item["id"], 1).status == 200
    url = f"{ITEMS}/{item['id']}"
    res = api.call("PATCH", url, {"quantity": 2, "unitPrice": 1}, token=customer.access_token)
    assert_problem(res, 400, "VALIDATION_ERROR")
    assert get_cart(api, customer)["subtotal"] == 1999


def test_the_cart_always_shows_the_current_price(api: Api, seller: Account, customer: Account) -> None:
    item = product(api, seller, price=1000, stockQuantity=10)
    assert add(api, customer, item["id"], 3).status == 200
    res = api.call("PATCH", f"/api/v1/products/{item['id']}", {"price": 1500}, token=seller.access_token)
    assert res.status == 200, res.body
    cart = get_cart(api, customer)
    assert line_of(cart, item["id"])["unitPrice"] == 1500
    assert line_of(cart, item["id"])["lineTotal"] == 4500
    assert cart["subtotal"] == 4500


def test_lines_that_cannot_be_ordered_stay_visible_but_do_not_count(
    api: Api, seller: Account, customer: Account
) -> None:
    kept = product(api, seller, price=100, stockQuantity=10)
    drafted = product(api, seller, price=200, stockQuantity=10)
    shrunk = product(api, seller, price=300, stockQuantity=10)
    deleted = product(api, seller, price=400, stockQuantity=10)
    for item in (kept, drafted, shrunk, deleted):
        assert add(api, customer, item["id"], 2).status == 200
    token = seller.access_token
    assert api.call("PATCH", f"/api/v1/products/{drafted['id']}", {"status": "draft"}, token=token).status == 200
    assert api.call("PATCH", f"/api/v1/products/{shrunk['id']}", {"stockQuantity": 1}, token=token).status == 200
    assert api.call("DELETE", f"/api/v1/products/{deleted['id']}", token=token).status == 200
    cart = get_cart(api, customer)
    assert [line["available"] for line in cart["items"]] == [True, False, False, False]
    assert line_of(cart, drafted["id"])["status"] == "draft"
    assert line_of(cart, shrunk["id"])["stockQuantity"] == 1
    # A deleted product's line keeps its quantity but has no product data
    gone = line_of(cart, deleted["id"])
    assert gone["name"] is None
    assert gone["unitPrice"] is None
    assert gone["lineTotal"] is None
    assert gone["status"] is None
    assert gone["quantity"] == 2
    assert cart["subtotal"] == 200
    assert cart["itemCount"] == 8
    # The shrunk line can be brought down to the stock; the others can only be removed
    url = f"{ITEMS}/{shrunk['id']}"
    assert_problem(api.call("PATCH", url, {"quantity": 2}, token=customer.access_token), 409, "OUT_OF_STOCK")
    res = api.call("PATCH", url, {"quantity": 1}, token=customer.access_token)
    assert res.status == 200, res.body
    assert line_of(res.data, shrunk["id"])["available"] is True
    res = api.call("PATCH", f"{ITEMS}/{drafted['id']}", {"quantity": 1}, token=customer.access_token)
    assert_problem(res, 404, "PRODUCT_NOT_FOUND")
    res = api.call("DELETE", f"{ITEMS}/{deleted['id']}", token=customer.access_token)
    assert res.status == 200, res.body
    assert deleted["id"] not in [line["productId"] for line in res.data["items"]]


# ---------------------------------------------------------------------------- set, remove, clear


def test_patch_sets_the_quantity(api: Api, seller: Account, customer: Account) -> None:
    item = product(api, seller, stockQuantity=20)
    assert add(api, customer, item["id"], 5).status == 200
    res = api.call("PATCH", f"{ITEMS}/{item['id']}", {"quantity": 2}, token=customer.access_token)
    assert res.status == 200, res.body
    assert line_of(res.data, item["id"])["quantity"] == 2
    assert res.data == get_cart(api, customer)
    res = api.call("PATCH", f"{ITEMS}/{item['id']}", {"quantity": 21}, token=customer.access_token)
    assert_problem(res, 409, "OUT_OF_STOCK")


def test_patch_or_delete_of_a_missing_line_is_404(api: Api, seller: Account, customer: Account) -> None:
    item = product(api, seller)
    url = f"{ITEMS}/{item['id']}"
    assert_problem(api.call("PATCH", url, {"quantity": 1}, token=customer.access_token), 404, "CART_ITEM_NOT_FOUND")
    assert_problem(api.call("DELETE", url, token=customer.access_token), 404, "CART_ITEM_NOT_FOUND")
    assert add(api, customer, item["id"]).status == 200
    assert api.call("DELETE", url, token=customer.access_token).status == 200
    assert_problem(api.call("DELETE", url, token=customer.access_token), 404, "CART_ITEM_NOT_FOUND")


def test_clearing_the_cart(api: Api, seller: Account, customer: Account) -> None:
    for _ in range(3):
        assert add(api, customer, product(api, seller)["id"]).status == 200
    res = api.call("DELETE", CART, token=customer.access_token)
    assert res.status == 200, res.body
    empty = {"items": [], "itemCount": 0, "subtotal": 0, "currency": "usd", "updatedAt": None}
    assert res.data == empty
    assert get_cart(api, customer) == empty
    assert repository.get_lines(customer.id) == []
    # Clearing an empty cart is fine too
    assert api.call("DELETE", CART, token=customer.access_token).status == 200


# ---------------------------------------------------------------------------- ownership, auth


def test_a_cart_is_only_ever_its_owners(api: Api, seller: Account, customer: Account) -> None:
    other = api.register(name="Otto Other")
    item = product(api, seller)
    assert add(api, customer, item["id"], 2).status == 200
    assert get_cart(api, other)["items"] == []
    url = f"{ITEMS}/{item['id']}"
    assert_problem(api.call("PATCH", url, {"quantity": 1}, token=other.access_token), 404, "CART_ITEM_NOT_FOUND")
    assert_problem(api.call("DELETE", url, token=other.access_token), 404, "CART_ITEM_NOT_FOUND")
    assert api.call("DELETE", CART, token=other.access_token).status == 200
    # The other user adding the same product starts their own line
    assert line_of(add(api, other, item["id"], 1).data, item["id"])["quantity"] == 1
    assert line_of(get_cart(api, customer), item["id"])["quantity"] == 2


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", CART, None),
        ("DELETE", CART, None),
        ("POST", ITEMS, {"productId": "p", "quantity": 1}),
        ("PATCH", f"{ITEMS}/p", {"quantity": 1}),
        ("DELETE", f"{ITEMS}/p", None),
    ],
)
def test_signed_out_callers_get_401(api: Api, method: str, path: str, body: Any) -> None:
    assert_problem(api.call(method, path, body), 401, "NO_TOKEN")
    assert_problem(api.call(method, path, body, token="not-a-token"), 401, "INVALID_TOKEN")


# ---------------------------------------------------------------------------- expiry


def _write_line(user_id: str, product_id: str, quantity: int, ttl: datetime) -> None:
    line = CartLineItem(
        cart_pk(user_id),
        line_sk(product_id),
        user_id=user_id,
        product_id=product_id,
        quantity=quantity,
        added_at="2020-01-01T00:00:00.000Z",
        updated_at="2020-01-01T00:00:00.000Z",
    )
    line.ttl = ttl
    line.save()


def test_every_write_refreshes_the_line_expiry(api: Api, seller: Account, customer: Account, configure: Any) -> None:
    configure(CART_TTL_DAYS="7")
    item = product(api, seller)
    assert add(api, customer, item["id"]).status == 200
    stored = CartLineItem.get(cart_pk(customer.id), line_sk(item["id"]))
    expected = datetime.now(UTC) + timedelta(days=7)
    assert stored.ttl is not None
    assert abs((stored.ttl - expected).total_seconds()) < 60
    # An old line's expiry moves forward when it is written again
    _write_line(customer.id, item["id"], 1, datetime.now(UTC) + timedelta(hours=1))
    assert api.call("PATCH", f"{ITEMS}/{item['id']}", {"quantity": 2}, token=customer.access_token).status == 200
    stored = CartLineItem.get(cart_pk(customer.id), line_sk(item["id"]))
    assert stored.ttl is not None
    assert abs((stored.ttl - expected).total_seconds()) < 60


def test_expired_lines_are_gone_before_dynamodb_deletes_them(api: Api, seller: Account, customer: Account) -> None:
    # Given a line whose ttl has passed (DynamoDB has not deleted it yet)
    item = product(api, seller, stockQuantity=50)
    _write_line(customer.id, item["id"], 40, datetime.now(UTC) - timedelta(minutes=1))
    # Then it is not in the cart, cannot be changed or removed, and does not count for checkout
    assert get_cart(api, customer)["items"] == []
    assert repository.get_lines(customer.id) == []
    url = f"{ITEMS}/{item['id']}"
    assert_problem(api.call("PATCH", url, {"quantity": 1}, token=customer.access_token), 404, "CART_ITEM_NOT_FOUND")
    assert_problem(api.call("DELETE", url, token=customer.access_token), 404, "CART_ITEM_NOT_FOUND")
    # And adding the product starts a fresh line (the expired quantity is not added to)
    res = add(api, customer, item["id"], 3)
    assert res.status == 200, res.body
    assert line_of(res.data, item["id"])["quantity"] == 3
    assert line_of(get_cart(api, customer), item["id"])["quantity"] == 3


def test_expired_lines_do_not_fill_the_cart(api: Api, seller: Account, customer: Account, configure: Any) -> None:
    configure(CART_MAX_LINES="2")
    first, second, third = (product(api, seller) for _ in range(3))
    _write_line(customer.id, first["id"], 1, datetime.now(UTC) - timedelta(days=1))
    assert add(api, customer, second["id"]).status == 200
    assert add(api, customer, third["id"]).status == 200
    assert_problem(add(api, customer, first["id"]), 409, "CART_FULL")


# ---------------------------------------------------------------------------- concurrency


def _writes_wait_for_each_other(monkeypatch: pytest.MonkeyPatch, parties: int) -> None:
    """Hold each thread's first increment until every thread has read the cart: the worst
    interleaving, where all of them decide on the same stale quantity."""
    barrier = threading.Barrier(parties, timeout=10)
    waited = threading.local()
    real = repository.increment

    def synced(*args: Any, **kwargs: Any) -> Any:
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(repository, "increment", synced)


def test_concurrent_adds_never_lose_an_increment(
    api: Api, seller: Account, customer: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = product(api, seller, stockQuantity=500)
    assert add(api, customer, item["id"], 1).status == 200
    caller = principal_of(customer)
    request = AddCartItemRequest(product_id=item["id"], quantity=2)
    _writes_wait_for_each_other(monkeypatch, 4)
    with atomic_dynamodb_calls():
        run_concurrently(*[lambda: service.add_item(caller, request) for _ in range(4)])
    assert line_of(get_cart(api, customer), item["id"])["quantity"] == 9


def test_concurrent_adds_cannot_pass_99_together(
    api: Api, seller: Account, customer: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = product(api, seller, stockQuantity=500)
    assert add(api, customer, item["id"], 10).status == 200
    caller = principal_of(customer)
    request = AddCartItemRequest(product_id=item["id"], quantity=45)
    _writes_wait_for_each_other(monkeypatch, 2)
    with atomic_dynamodb_calls():
        results = run_concurrently(*[lambda: outcome(lambda: service.add_item(caller, request)) for _ in range(2)])
    assert sorted(results) == ["CART_LIMIT", "ok"]
    assert line_of(get_cart(api, customer), item["id"])["quantity"] == 55


def test_concurrent_first_adds_both_count(api: Api, seller: Account, customer: Account) -> None:
    item = product(api, seller, stockQuantity=500)
    caller = principal_of(customer)
    request = AddCartItemRequest(product_id=item["id"], quantity=3)
    with atomic_dynamodb_calls():
        run_concurrently(*[lambda: service.add_item(caller, request) for _ in range(3)])
    assert line_of(get_cart(api, customer), item["id"])["quantity"] == 9


# ---------------------------------------------------------------------------- checkout's API


def test_checkout_reads_lines_and_removes_them_in_its_transaction(api: Api, seller: Account, customer: Account) -> None:
    from shared.data.transactions import transaction

    first, second, third = (product(api, seller) for _ in range(3))
    for item in (first, second, third):
        assert add(api, customer, item["id"]).status == 200
    lines = repository.get_lines(customer.id)
    assert [line.product_id for line in lines] == [first["id"], second["id"], third["id"]]
    assert all(line.user_id == customer.id and int(line.quantity) == 1 for line in lines)
    with transaction() as tx:
        repository.delete_lines(tx, customer.id, [first["id"], third["id"]])
    assert [line.product_id for line in repository.get_lines(customer.id)] == [second["id"]]
    repository.clear(customer.id)
    assert repository.get_lines(customer.id) == []
