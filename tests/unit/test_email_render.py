"""Email templates: each identity and order email renders a subject, a text and an HTML part."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import UndefinedError
from pydantic import ValidationError
from shared.email.render import money, render
from shared.messaging.email import EmailMessage

RESET_URL = "https://app.test/reset-password?token=01user.s3cr3t-_x"
IDENTITY_EMAILS: dict[str, dict[str, Any]] = {
    "welcome": {"name": "Ann", "role": "customer", "status": "approved"},
    "verify_email": {"name": "Ann", "verifyUrl": "https://app.test/verify-email?token=01user.abc", "token": "x"},
    "password_reset": {"name": "Ann", "resetUrl": RESET_URL, "token": "01user.s3cr3t-_x", "expiresIn": "10 minutes"},
    "password_changed": {"name": "Ann", "changedAt": "2026-01-02T03:04:05.000Z"},
    "account_deleted": {"name": "Ann"},
}


def email(template: str, data: dict[str, Any]) -> EmailMessage:
    return EmailMessage.model_validate(
        {"id": f"{template}:1", "template": template, "to": "ann@example.com", "data": data}
    )


@pytest.mark.parametrize("template", sorted(IDENTITY_EMAILS))
def test_identity_templates_render_text_and_html(template: str) -> None:
    rendered = render(email(template, IDENTITY_EMAILS[template]))

    assert rendered.subject
    assert "{{" not in rendered.subject
    assert rendered.text.startswith("Hi Ann,")
    assert "{{" not in rendered.text
    assert "{%" not in rendered.text
    assert rendered.html.lstrip().startswith("<!doctype html>")
    assert "Hi Ann," in rendered.html
    assert f"<title>{rendered.subject}</title>" in rendered.html
    assert "support@example.com" in rendered.html


def test_subjects() -> None:
    subjects = {t: render(email(t, d)).subject for t, d in IDENTITY_EMAILS.items()}

    assert subjects == {
        "welcome": "Welcome to Platform!",
        "verify_email": "Confirm your email address",
        "password_reset": "Password Reset Request",
        "password_changed": "Your password was changed",
        "account_deleted": "Your Platform account was deleted",
    }


def test_password_reset_link_carries_the_token() -> None:
    rendered = render(email("password_reset", IDENTITY_EMAILS["password_reset"]))

    assert RESET_URL in rendered.text
    assert "token=01user.s3cr3t-_x" in rendered.text
    assert f'href="{RESET_URL}"' in rendered.html
    assert "10 minutes" in rendered.text


def test_verify_link_in_both_parts() -> None:
    rendered = render(email("verify_email", IDENTITY_EMAILS["verify_email"]))

    assert "https://app.test/verify-email?token=01user.abc" in rendered.text
    assert 'href="https://app.test/verify-email?token=01user.abc"' in rendered.html


def test_pending_seller_welcome_mentions_the_review() -> None:
    seller = render(email("welcome", {"name": "Sam", "role": "seller", "status": "pending"}))
    customer = render(email("welcome", IDENTITY_EMAILS["welcome"]))

    assert "being reviewed" in seller.text
    assert "being reviewed" in seller.html
    assert "being reviewed" not in customer.text


def test_html_escapes_user_data_but_text_keeps_it() -> None:
    rendered = render(email("password_changed", {**IDENTITY_EMAILS["password_changed"], "name": "<b>Ann</b> & Co"}))

    assert "&lt;b&gt;Ann&lt;/b&gt; &amp; Co" in rendered.html
    assert "<b>Ann</b>" not in rendered.html
    assert rendered.text.startswith("Hi <b>Ann</b> & Co,")


def test_missing_data_is_an_error_not_a_blank() -> None:
    with pytest.raises(UndefinedError):
        render(email("password_reset", {"name": "Ann"}))


def test_company_details_come_from_settings(configure: Any) -> None:
    configure(COMPANY_NAME="Acme", SUPPORT_EMAIL="help@acme.test")

    rendered = render(email("welcome", IDENTITY_EMAILS["welcome"]))

    assert rendered.subject == "Welcome to Acme!"
    assert "help@acme.test" in rendered.html


def test_unknown_template_is_refused_at_the_message() -> None:
    with pytest.raises(ValidationError):
        email("newsletter", {})


# --- order emails -------------------------------------------------------------------------------

ORDER: dict[str, Any] = {
    "id": "01order",
    "number": "ORD-20261122-04217",
    "url": "https://app.test/orders/01order",
    "currency": "usd",
    "subtotal": 123456,
    "tax": 1000,
    "shipping": 500,
    "discount": 250,
    "total": 124706,
    "created_at": "2026-11-22T10:11:12.000Z",
    "items": [
        {"name": "Blue Widget", "quantity": 2, "unit_price": 500, "line_total": 1000},
        {"name": "Gadget Pro", "quantity": 1, "unit_price": 122456, "line_total": 122456},
    ],
    "shipping_address": {
        "firstName": "Ann",
        "lastName": "Lee",
        "address1": "1 Main St",
        "address2": "Apt 4",
        "city": "Springfield",
        "state": "IL",
        "postalCode": "62701",
        "country": "US",
        "phone": "+1 555 0100",
    },
}
TRACKING_URL = "https://track.test/1Z999?ref=a&lang=en"
ORDER_EMAILS: dict[str, dict[str, Any]] = {
    "order_confirmation": {"name": "Ann", "order": ORDER},
    "order_shipped": {"name": "Ann", "order": ORDER, "tracking_number": "1Z999", "tracking_url": TRACKING_URL},
    "order_cancelled": {"name": "Ann", "order": ORDER, "reason": "Out of stock", "refund_amount": 124706},
    "order_refunded": {"name": "Ann", "order": ORDER, "refund_amount": 500, "refunded_total": 750, "full": False},
}


@pytest.mark.parametrize(
    ("cents", "currency", "expected"),
    [
        (1234, "usd", "$12.34"),
        (1234, "USD", "$12.34"),
        (1234, "eur", "\u20ac12.34"),
        (1234, "gbp", "\u00a312.34"),
        (1234, "cad", "12.34 CAD"),
        (0, "usd", "$0.00"),
        (5, "usd", "$0.05"),
        (100, "aud", "1.00 AUD"),
        (123456789, "usd", "$1,234,567.89"),
        (-1234, "usd", "-$12.34"),
        (-5, "cad", "-0.05 CAD"),
    ],
)
def test_money_formats_cents(cents: int, currency: str, expected: str) -> None:
    assert money(cents, currency) == expected


@pytest.mark.parametrize("value", [12.34, "1234", True])
def test_money_refuses_anything_but_integer_cents(value: Any) -> None:
    with pytest.raises(TypeError):
        money(value, "usd")


@pytest.mark.parametrize("template", sorted(ORDER_EMAILS))
def test_order_templates_render_text_and_html(template: str) -> None:
    rendered = render(email(template, ORDER_EMAILS[template]))

    assert ORDER["number"] in rendered.subject
    assert "{{" not in rendered.subject
    for part in (rendered.text, rendered.html):
        assert "{{" not in part
        assert "{%" not in part
        assert ORDER["number"] in part
        assert "$1,247.06" in part  # the order total, formatted
    assert rendered.text.startswith("Hi Ann,")
    assert rendered.html.lstrip().startswith("<!doctype html>")
    assert "Hi Ann," in rendered.html
    assert f"<title>{rendered.subject}</title>" in rendered.html
    assert f'href="{ORDER["url"]}"' in rendered.html
    assert ORDER["url"] in rendered.text


def test_order_subjects() -> None:
    subjects = {t: render(email(t, d)).subject for t, d in ORDER_EMAILS.items()}

    assert subjects == {
        "order_confirmation": "Order Confirmation - ORD-20261122-04217",
        "order_shipped": "Your Order Has Shipped - ORD-20261122-04217",
        "order_cancelled": "Your Order Has Been Cancelled - ORD-20261122-04217",
        "order_refunded": "Refund Issued for Order ORD-20261122-04217",
    }


def test_order_confirmation_lists_items_totals_and_address() -> None:
    rendered = render(email("order_confirmation", ORDER_EMAILS["order_confirmation"]))

    assert "- Blue Widget: 2 x $5.00 = $10.00" in rendered.text
    assert "- Gadget Pro: 1 x $1,224.56 = $1,224.56" in rendered.text
    for line in ("Subtotal: $1,234.56", "Tax: $10.00", "Shipping: $5.00", "Discount: -$2.50", "Total: $1,247.06"):
        assert line in rendered.text
    assert "Springfield, IL 62701" in rendered.text
    assert "Apt 4" in rendered.text
    assert "+1 555 0100" in rendered.text
    for value in ("Blue Widget", "$5.00", "$10.00", "$1,234.56", "-$2.50", "Springfield, IL 62701", "Apt 4"):
        assert value in rendered.html


def test_order_confirmation_without_discount_or_optional_address_lines() -> None:
    address = {k: v for k, v in ORDER["shipping_address"].items() if k not in {"address2", "state", "phone"}}
    order = {**ORDER, "discount": 0, "shipping_address": {**address, "address2": None}}

    rendered = render(email("order_confirmation", {"name": "Ann", "order": order}))

    assert "Discount" not in rendered.text
    assert "Discount" not in rendered.html
    assert "Springfield 62701" in rendered.text
    assert "None" not in rendered.text
    assert "None" not in rendered.html


def test_order_money_uses_the_order_currency() -> None:
    order = {**ORDER, "currency": "eur"}

    rendered = render(email("order_confirmation", {"name": "Ann", "order": order}))

    assert "Total: \u20ac1,247.06" in rendered.text
    assert "$" not in rendered.text


def test_order_shipped_with_tracking_links_it() -> None:
    rendered = render(email("order_shipped", ORDER_EMAILS["order_shipped"]))

    assert "Tracking number: 1Z999" in rendered.text
    assert TRACKING_URL in rendered.text
    assert "1Z999" in rendered.html
    assert 'href="https://track.test/1Z999?ref=a&amp;lang=en"' in rendered.html


def test_order_shipped_without_tracking_has_no_tracking_link() -> None:
    rendered = render(
        email("order_shipped", {**ORDER_EMAILS["order_shipped"], "tracking_number": None, "tracking_url": None})
    )

    assert "Tracking" not in rendered.text
    assert "Track your package" not in rendered.html
    assert "track.test" not in rendered.html
    assert "None" not in rendered.text


def test_order_shipped_number_without_url_shows_number_but_no_link() -> None:
    rendered = render(email("order_shipped", {**ORDER_EMAILS["order_shipped"], "tracking_url": None}))

    assert "Tracking number: 1Z999" in rendered.text
    assert "1Z999" in rendered.html
    assert "Track your package" not in rendered.html


def test_order_shipped_never_links_a_non_web_tracking_url() -> None:
    data = {**ORDER_EMAILS["order_shipped"], "tracking_url": "javascript:alert(1)"}

    rendered = render(email("order_shipped", data))

    assert "javascript:" not in rendered.html
    assert "javascript:" not in rendered.text


def test_order_cancelled_mentions_reason_and_refund() -> None:
    rendered = render(email("order_cancelled", ORDER_EMAILS["order_cancelled"]))

    assert "Reason: Out of stock" in rendered.text
    assert "Out of stock" in rendered.html
    refund_line = "A refund of $1,247.06 has been issued to your original payment method"
    assert refund_line in rendered.text
    assert refund_line in rendered.html


def test_order_cancelled_before_payment_has_no_refund_line() -> None:
    data = {**ORDER_EMAILS["order_cancelled"], "reason": None, "refund_amount": 0}

    rendered = render(email("order_cancelled", data))

    assert "refund" not in rendered.text.lower()
    assert "refund" not in rendered.html.lower()
    assert "Reason" not in rendered.text
    assert "Reason" not in rendered.html
    assert "None" not in rendered.text


def test_order_refunded_partial_and_full() -> None:
    partial = render(email("order_refunded", ORDER_EMAILS["order_refunded"]))
    full = render(
        email(
            "order_refunded",
            {**ORDER_EMAILS["order_refunded"], "refund_amount": 124206, "refunded_total": 124706, "full": True},
        )
    )

    assert "This refund: $5.00" in partial.text
    assert "Refunded in total: $7.50" in partial.text
    assert "partial refund" in partial.text
    assert "partial refund" in partial.html
    assert "$5.00" in partial.html
    assert "$7.50" in partial.html
    assert "fully refunded" in full.text
    assert "fully refunded" in full.html
    assert "partial" not in full.text
    assert "This refund: $1,242.06" in full.text


@pytest.mark.parametrize("template", sorted(ORDER_EMAILS))
def test_order_html_escapes_hostile_data(template: str) -> None:
    hostile = "<script>alert(1)</script>"
    address = {**ORDER["shipping_address"], "firstName": hostile, "address1": hostile}
    order = {**ORDER, "items": [{**ORDER["items"][0], "name": hostile}], "shipping_address": address}
    data = {**ORDER_EMAILS[template], "name": hostile, "order": order}
    if template == "order_cancelled":
        data["reason"] = hostile

    rendered = render(email(template, data))

    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert rendered.text.startswith(f"Hi {hostile},")


@pytest.mark.parametrize("template", sorted(ORDER_EMAILS))
def test_order_email_without_order_is_an_error(template: str) -> None:
    with pytest.raises(UndefinedError):
        render(email(template, {"name": "Ann"}))
