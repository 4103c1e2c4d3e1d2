"""Pure cart rules: what may be added and how much, availability, and the priced cart view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from shared.commerce.cart import rules
from shared.commerce.cart.models import CartLineItem
from shared.commerce.cart.repository import is_live
from shared.commerce.cart.schemas import AddCartItemRequest, SetCartItemRequest
from shared.commerce.cart.views import cart_out
from shared.commerce.products.models import ProductItem
from shared.errors import Conflict, DomainError, NotFound
from shared.settings import get_settings


def product(**fields: Any) -> ProductItem:
    values: dict[str, Any] = {
        "product_id": "p1",
        "name": "Mug",
        "slug": "mug",
        "price": 1000,
        "currency": "usd",
        "stock_quantity": 10,
        "status": "active",
        **fields,
    }
    return ProductItem("PRODUCT#" + values["product_id"], "PRODUCT", **values)


def line(product_id: str = "p1", quantity: int = 1, added: str = "2026-01-01T00:00:00.000Z") -> CartLineItem:
    return CartLineItem(
        "USER#u",
        f"CART#{product_id}",
        user_id="u",
        product_id=product_id,
        quantity=quantity,
        added_at=added,
        updated_at=added,
    )


def code(call: Any) -> str:
    try:
        call()
    except DomainError as exc:
        return exc.code
    return "ok"


@pytest.mark.parametrize("status", ["draft", "inactive"])
def test_only_products_for_sale_can_be_added(status: str) -> None:
    with pytest.raises(NotFound):
        rules.ensure_orderable(None, 0, 1)
    with pytest.raises(NotFound):
        rules.ensure_orderable(product(status=status), 0, 1)
    assert code(lambda: rules.ensure_orderable(product(status="out_of_stock", stock_quantity=0), 0, 1)) == (
        "OUT_OF_STOCK"
    )


def test_the_resulting_quantity_must_be_in_stock_and_at_most_99() -> None:
    assert rules.ensure_orderable(product(stock_quantity=10), 4, 6).product_id == "p1"
    assert code(lambda: rules.ensure_orderable(product(stock_quantity=10), 4, 7)) == "OUT_OF_STOCK"
    assert code(lambda: rules.ensure_orderable(product(stock_quantity=500), 0, 99)) == "ok"
    assert code(lambda: rules.ensure_orderable(product(stock_quantity=500), 60, 40)) == "CART_LIMIT"
    # When both apply, the stock is what the customer can act on
    assert code(lambda: rules.ensure_orderable(product(stock_quantity=10), 60, 40)) == "OUT_OF_STOCK"


def test_out_of_stock_messages_say_how_many_are_available() -> None:
    assert rules.out_of_stock(0, 0).message == "This product is out of stock"
    assert rules.out_of_stock(5, 0).message == "Only 5 available"
    assert rules.out_of_stock(5, 3).message == "Only 5 available, and 3 already in your cart"


def test_line_and_currency_limits() -> None:
    rules.ensure_room(29, 30)
    with pytest.raises(Conflict) as full:
        rules.ensure_room(30, 30)
    assert full.value.code == "CART_FULL"
    rules.ensure_currency(None, product(currency="eur"))
    rules.ensure_currency("eur", product(currency="eur"))
    assert code(lambda: rules.ensure_currency("usd", product(currency="eur"))) == "CURRENCY_MISMATCH"


def test_default_limits() -> None:
    settings = get_settings()
    assert settings.cart_max_lines == 30
    assert settings.cart_ttl_days == 30
    assert rules.MAX_QUANTITY == 99


@pytest.mark.parametrize("quantity", [0, 100, 1.5, "3", True, None])
def test_quantity_is_an_integer_from_1_to_99(quantity: object) -> None:
    with pytest.raises(ValidationError):
        AddCartItemRequest.model_validate({"productId": "p1", "quantity": quantity})
    with pytest.raises(ValidationError):
        SetCartItemRequest.model_validate({"quantity": quantity})


def test_requests_carry_no_price() -> None:
    assert AddCartItemRequest.model_validate({"productId": "p1"}).quantity == 1
    with pytest.raises(ValidationError):
        AddCartItemRequest.model_validate({"productId": "p1", "quantity": 1, "price": 1})
    with pytest.raises(ValidationError):
        SetCartItemRequest.model_validate({})


def test_expired_lines_are_not_live() -> None:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    item = line()
    item.ttl = moment + timedelta(seconds=1)
    assert is_live(item, moment)
    item.ttl = moment
    assert not is_live(item, moment)


def test_the_subtotal_counts_only_lines_that_can_be_ordered() -> None:
    lines = [line("a", 2, "2026-01-01"), line("b", 3, "2026-01-02"), line("c", 1, "2026-01-03"), line("d", 5)]
    products = {
        "a": product(product_id="a", price=250),
        "b": product(product_id="b", price=100, stock_quantity=2),  # fewer than wanted
        "c": product(product_id="c", price=999, currency="eur"),  # not the cart's currency
    }  # "d" was deleted
    cart = cart_out(lines, products)
    assert [item.available for item in cart.items] == [True, False, False, False]
    assert [item.line_total for item in cart.items] == [500, 300, 999, None]
    assert cart.subtotal == 500
    assert cart.item_count == 11
    assert cart.currency == "usd"
    assert cart.items[3].name is None
    assert cart.updated_at == "2026-01-03"
