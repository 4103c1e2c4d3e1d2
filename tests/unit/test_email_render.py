"""Email templates: each identity email renders a subject, a text and an HTML part."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import UndefinedError
from pydantic import ValidationError
from shared.email.render import render
from shared.messaging.email import EmailMessage

RESET_URL = "https://app.test/reset-password?token=01user.s3cr3t-_x"
IDENTITY_EMAILS: dict[str, dict[str, Any]] = {
    "welcome": {"name": "Ann", "role": "customer", "status": "approved"},
    "verify_email": {"name": "Ann", "verifyUrl": "https://app.test/verify-email?token=01user.abc", "token": "x"},
    "password_reset": {"name": "Ann", "resetUrl": RESET_URL, "token": "01user.s3cr3t-_x", "expiresIn": "10 minutes"},
    "password_changed": {"name": "Ann", "changedAt": "2026-01-02T03:04:05.000Z"},
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
