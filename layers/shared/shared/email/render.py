"""Render an email message into subject, text and HTML."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared.messaging.email import EmailMessage
from shared.settings import get_settings

SUBJECTS: dict[str, str] = {
    "welcome": "Welcome to {{ company_name }}!",
    "getting_started": "Getting started with {{ company_name }}",
    "verify_email": "Confirm your email address",
    "password_reset": "Password Reset Request",
    "password_changed": "Your password was changed",
    "account_deleted": "Your {{ company_name }} account was deleted",
    "seller_approved": "Your Seller Account Has Been Approved!",
    "seller_rejected": "Seller Account Application Update",
    "order_confirmation": "Order Confirmation - {{ order.number }}",
    "order_shipped": "Your Order Has Shipped - {{ order.number }}",
    "order_cancelled": "Your Order Has Been Cancelled - {{ order.number }}",
    "order_refunded": "Refund Issued for Order {{ order.number }}",
    "post_live": "Your post is live: {{ title }}",
    "low_stock": "Low stock: {{ productName }}",
    "data_export": "Your data export is ready",
}

# Currencies written with a leading symbol; any other code follows the amount ("12.34 CAD").
CURRENCY_SYMBOLS: dict[str, str] = {"usd": "$", "eur": "\u20ac", "gbp": "\u00a3"}


def money(cents: int, currency: str) -> str:
    """Format integer minor units: ``money(1234, "usd") == "$12.34"``, ``money(-1234, "cad") ==
    "-12.34 CAD"``. Every supported currency has two decimals; a float is refused, not rounded."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"money expects integer cents, got {type(cents).__name__}")
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    amount = f"{units:,}.{rest:02d}"
    symbol = CURRENCY_SYMBOLS.get(currency.lower())
    if symbol:
        return f"{sign}{symbol}{amount}"
    return f"{sign}{amount} {currency.upper()}"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = money
    return env


def render(message: EmailMessage) -> RenderedEmail:
    """Raises ``jinja2.TemplateNotFound`` or ``UndefinedError`` for a message that lacks data."""
    settings = get_settings()
    context: dict[str, Any] = {
        "company_name": settings.company_name,
        "support_email": settings.support_email,
        "app_url": settings.frontend_url,
        **message.data,
    }
    env = _environment()
    subject = env.from_string(SUBJECTS[message.template]).render(context).strip()
    context["subject"] = subject
    text = env.get_template(f"{message.template}.txt.j2").render(context)
    html = env.get_template(f"{message.template}.html.j2").render(context)
    return RenderedEmail(subject=subject, text=text, html=html)
