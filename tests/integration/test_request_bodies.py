"""Bodies that cannot be read are a 400 with a code a client can act on, on every JSON route,
never a 500; strict numbers and safe text in every request model."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.support.api import Account, Api, assert_problem

LOGIN = "/api/v1/auth/login"
JSON = {"content-type": "application/json"}

# One JSON route of each function that takes a body (the customer's token where one is needed).
JSON_ROUTES = [
    ("POST", "/api/v1/auth/login", False),
    ("POST", "/api/v1/auth/register", False),
    ("PATCH", "/api/v1/users/me", True),
    ("POST", "/api/v1/cart/items", True),
    ("POST", "/api/v1/orders", True),
    ("POST", "/api/v1/payments/intent", True),
    ("POST", "/api/v1/uploads", True),
    ("POST", "/api/v1/game/new", True),
    ("PATCH", "/api/v1/sellers/me", True),
]


def _raw(api: Api, method: str, path: str, body: bytes, headers: dict[str, str], token: str | None) -> Any:
    hdrs = dict(headers)
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    return api.call(method, path, body, headers=hdrs)


@pytest.mark.parametrize(("method", "path", "auth"), JSON_ROUTES)
def test_body_that_is_not_utf8_is_400_invalid_encoding(
    api: Api, seller: Account, method: str, path: str, auth: bool
) -> None:
    # Given bytes that are not UTF-8 (API Gateway hands them over base64-encoded)
    res = _raw(api, method, path, b"\xa5", JSON, seller.access_token if auth else None)

    # Then the caller learns the encoding is wrong, not that the server broke
    assert_problem(res, 400, "INVALID_ENCODING")


def test_invalid_utf8_inside_json_is_400(api: Api) -> None:
    res = api.call("POST", LOGIN, b'{"email": "a\xff@b.co", "password": "x"}', headers=JSON)

    error = assert_problem(res, 400, "INVALID_ENCODING")
    assert "UTF-8" in error["message"]


@pytest.mark.parametrize("charset", ["latin-1", "iso-8859-1", "utf-16", '"windows-1252"'])
def test_body_declared_in_another_charset_is_400(api: Api, charset: str) -> None:
    body = '{"email": "zoé@example.com", "password": "whatever1"}'.encode("latin-1")

    res = api.call("POST", LOGIN, body, headers={"content-type": f"application/json; charset={charset}"})

    error = assert_problem(res, 400, "INVALID_ENCODING")
    assert "UTF-8" in error["message"]


def test_base64_event_with_utf8_json_is_read(api: Api) -> None:
    # Given the event API Gateway sends when it base64-encodes a valid UTF-8 JSON body
    function, event = api.event("POST", LOGIN, body='{"email": "zoé@example.com", "password": "whatever1"}')
    event["body"] = base64.b64encode(event["body"].encode()).decode()
    event["isBase64Encoded"] = True
    event["headers"]["content-type"] = "application/json; charset=UTF-8"

    res = api.response(api.invoke(function, event))

    assert_problem(res, 401, "INVALID_CREDENTIALS")


def test_base64_event_that_is_not_base64_is_400(api: Api) -> None:
    function, event = api.event("POST", LOGIN, body="{}", headers=JSON)
    event["body"], event["isBase64Encoded"] = "not base64!", True

    assert_problem(api.response(api.invoke(function, event)), 400, "INVALID_ENCODING")


def test_route_without_body_ignores_an_unreadable_one(api: Api, customer: Account) -> None:
    res = api.call("POST", "/api/v1/auth/logout", b"\xa5", headers=JSON, token=customer.access_token)

    assert res.status == 200, res.body


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("[" * 10_000 + "]" * 10_000, "nested"),
        ('{"a":' * 100 + "1" + "}" * 100, "nested"),
        ('{"email": "a@b.co", "password": ' + "9" * 5000 + "}", "number"),
        ('{"email": "a@b.co", "password": 1e' + "9" * 200 + "}", "number"),
        ('{"email": "a@b.co", "password": NaN}', "NaN"),
        ('{"email": "a@b.co", "password": "\\ud800"}', "surrogate"),
        ('{"email": "a@b.co", "\\udfff": "x"}', "surrogate"),
    ],
)
def test_json_the_server_cannot_hold_is_400_invalid_json(api: Api, body: str, reason: str) -> None:
    res = api.call("POST", LOGIN, body, headers=JSON)

    error = assert_problem(res, 400, "INVALID_JSON")
    assert reason in error["errors"]["body"][0]


def test_moderate_nesting_is_a_validation_error_not_invalid_json(api: Api) -> None:
    res = api.call("POST", LOGIN, {"email": [[[["a"]]]], "password": "x"})

    assert_problem(res, 400, "VALIDATION_ERROR")


@pytest.fixture
def seller(api: Api) -> Account:
    return api.register(role="seller", name="Sam Seller")


@pytest.mark.parametrize("length", ["5", True, 100.0, 5.5, None])
def test_upload_content_length_must_be_a_json_integer(api: Api, customer: Account, length: object) -> None:
    body = {"purpose": "avatar", "contentType": "image/png", "contentLength": length}

    res = api.call("POST", "/api/v1/uploads", body, token=customer.access_token)

    error = assert_problem(res, 400, "VALIDATION_ERROR")
    assert "contentLength" in error["errors"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/cart/items", {"productId": "p1", "quantity": "2"}, "quantity"),
        ("/api/v1/cart/items", {"productId": "p1", "quantity": True}, "quantity"),
        ("/api/v1/cart/items", {"productId": "p1", "quantity": 2.0}, "quantity"),
    ],
)
def test_integer_fields_refuse_strings_booleans_and_floats(
    api: Api, customer: Account, path: str, body: dict[str, Any], field: str
) -> None:
    res = api.call("POST", path, body, token=customer.access_token)

    assert field in assert_problem(res, 400, "VALIDATION_ERROR")["errors"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Eve\x00Admin"),
        ("name", "Eve\u202eninmda"),
        ("name", "Eve\u2066Admin\u2069"),
        ("name", "Eve\nAdmin"),
        ("email", "eve\x00@example.com"),
        ("username", "eve\u202e"),
    ],
)
def test_register_refuses_control_characters_and_bidi_overrides(api: Api, field: str, value: str) -> None:
    body = {"email": "eve-ctl@example.com", "password": "Passw0rd-long", "name": "Eve Example", field: value}

    res = api.call("POST", "/api/v1/auth/register", body, ip="10.9.9.9")

    assert field in assert_problem(res, 400, "VALIDATION_ERROR")["errors"]


def test_profile_refuses_a_nul_in_the_name(api: Api, customer: Account) -> None:
    res = api.call("PATCH", "/api/v1/users/me", {"name": "Carla\x00"}, token=customer.access_token)

    assert "name" in assert_problem(res, 400, "VALIDATION_ERROR")["errors"]


def test_order_notes_may_hold_newlines_but_not_nul(api: Api, customer: Account) -> None:
    address = {"firstName": "A", "lastName": "B", "address1": "1 St", "city": "X", "postalCode": "1", "country": "US"}

    nul = api.call(
        "POST", "/api/v1/orders", {"shippingAddress": address, "notes": "a\x00b"}, token=customer.access_token
    )
    newline = api.call(
        "POST", "/api/v1/orders", {"shippingAddress": address, "notes": "a\nb"}, token=customer.access_token
    )

    assert "notes" in assert_problem(nul, 400, "VALIDATION_ERROR")["errors"]
    assert_problem(newline, 400, "CART_EMPTY")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weight", "5"),
        ("weight", True),
        ("price", 1999.0),
        ("stockQuantity", "3"),
        ("lowStockThreshold", False),
        ("dimensions", {"length": "10"}),
        ("name", "Lamp\u202egpj.exe"),
        ("sku", "SKU\x00"),
        ("tags", ["ok", "bad\x00"]),
        ("description", "Ten letters\x00 and a NUL"),
    ],
)
def test_product_fields_are_strict(api: Api, admin: Account, field: str, value: object) -> None:
    from tests.support.products import approved_seller, product_body

    seller = approved_seller(api, admin)

    res = api.call("POST", "/api/v1/products", product_body(**{field: value}), token=seller.access_token)

    errors = assert_problem(res, 400, "VALIDATION_ERROR")["errors"]
    assert any(key.startswith(field) for key in errors), errors


def test_product_description_keeps_its_newlines(api: Api, admin: Account) -> None:
    from tests.support.products import approved_seller, product_body

    seller = approved_seller(api, admin)
    body = product_body(description="Line one\n\tLine two", weight=5, dimensions={"length": 2.5})

    res = api.call("POST", "/api/v1/products", body, token=seller.access_token)

    assert res.status == 201, res.body
    assert res.data["description"] == "Line one\n\tLine two"
    assert res.data["weight"] == 5.0
