"""Pure order rules: numbers, money, and reading Stripe's JSON in both of its shapes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from shared.commerce.orders import rules
from shared.commerce.payments.gateway import charge_from, intent_from


def test_order_numbers_carry_the_utc_date_and_five_digits() -> None:
    number = rules.order_number(datetime(2026, 11, 22, 23, 59, tzinfo=UTC))
    assert re.fullmatch(r"ORD-20261122-\d{5}", number)


@pytest.mark.parametrize(
    ("subtotal", "rate", "expected"),
    [(1000, 800, 80), (1999, 825, 165), (6, 825, 0), (7, 825, 1), (0, 800, 0), (12345, 0, 0)],
)
def test_tax_is_rounded_half_up_in_integer_cents(subtotal: int, rate: int, expected: int) -> None:
    assert rules.tax(subtotal, rate) == expected


def test_totals_add_up_and_shipping_is_free_over_the_threshold() -> None:
    small = rules.totals(1000, tax_rate_bps=800, flat_shipping=599, free_shipping_threshold=5000)
    assert (small.subtotal, small.tax_amount, small.shipping_amount, small.total_amount) == (1000, 80, 599, 1679)
    big = rules.totals(5000, tax_rate_bps=800, flat_shipping=599, free_shipping_threshold=5000)
    assert big.shipping_amount == 0
    assert big.total_amount == 5400
    discounted = rules.totals(1000, tax_rate_bps=0, flat_shipping=0, free_shipping_threshold=0, discount=5000)
    assert discounted.total_amount == 0


def test_the_status_machine_never_goes_backwards() -> None:
    assert rules.CANCELLABLE == ("pending", "confirmed")
    assert "shipped" not in rules.SHIPPABLE
    assert rules.DELIVERABLE == ("shipped",)
    assert "cancelled" not in rules.REFUNDABLE


def test_fingerprint_ignores_key_order() -> None:
    assert rules.fingerprint({"a": 1, "b": {"c": 2}}) == rules.fingerprint({"b": {"c": 2}, "a": 1})
    assert rules.fingerprint({"a": 1}) != rules.fingerprint({"a": 2})


def test_intent_from_stripe_ids_or_expanded_objects() -> None:
    plain = intent_from(
        {
            "id": "pi_1",
            "status": "succeeded",
            "amount": 500,
            "currency": "USD",
            "latest_charge": "ch_1",
            "payment_method": "pm_1",
            "metadata": {"orderId": "o1"},
        }
    )
    assert (plain.charge_id, plain.payment_method_id, plain.card_last4, plain.currency) == ("ch_1", "pm_1", None, "usd")
    expanded = intent_from(
        {
            "id": "pi_1",
            "status": "succeeded",
            "amount": 500,
            "currency": "usd",
            "latest_charge": {"id": "ch_1", "amount_refunded": 200},
            "payment_method": {"id": "pm_1", "card": {"brand": "visa", "last4": "4242"}},
        }
    )
    assert (expanded.amount_refunded, expanded.card_brand, expanded.card_last4) == (200, "visa", "4242")
    failed = intent_from(
        {
            "id": "pi_2",
            "status": "requires_payment_method",
            "amount": 1,
            "currency": "usd",
            "last_payment_error": {"code": "card_declined", "message": "Declined"},
        }
    )
    assert failed.failure_reason == "Declined"
    assert failed.is_open


def test_charge_from_an_event_object() -> None:
    charge = charge_from(
        {"id": "ch_1", "payment_intent": "pi_1", "amount": 900, "amount_refunded": 300, "currency": "usd"}
    )
    assert (charge.payment_intent, charge.amount_refunded) == ("pi_1", 300)


def test_an_order_keeps_a_deleted_buyers_shipping_address_while_it_can_still_be_sent() -> None:
    # Every status is either open (the address may still be needed) or over, never both
    assert sorted(rules.OPEN + rules.OVER) == sorted(rules.STATUSES)
    assert not set(rules.OPEN) & set(rules.OVER)
    # What can still be shipped, or is in transit, is open; nothing moves out of "over" to be sent
    assert set(rules.SHIPPABLE) | set(rules.DELIVERABLE) <= set(rules.OPEN)
    assert not set(rules.OVER) & (set(rules.SHIPPABLE) | set(rules.DELIVERABLE) | set(rules.CANCELLABLE))
    assert set(rules.placeholder_address().values()) == {"Deleted user", rules.REDACTED}
