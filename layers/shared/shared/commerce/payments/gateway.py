"""Stripe, behind the few calls checkout makes.

The ``stripe`` package is imported on first use only (it is the heaviest import of the layer and
most functions never pay). Every Stripe failure becomes :class:`UpstreamFailed` (502) before
anything of ours is written, except a missing object, which callers see as ``None``.
``STRIPE_API_BASE`` points the client at another server (the local stack's ``localstripe``).

Requests are kept valid for both real Stripe and localstripe: ``payment_method_types=["card"]``
(localstripe refuses ``automatic_payment_methods``) and no ``description`` on intents; the order
is named in the metadata instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from shared.errors import UpstreamFailed
from shared.security.secrets import stripe_api_key
from shared.settings import get_settings

T = TypeVar("T")
OPEN_INTENT_STATES = ("requires_payment_method", "requires_confirmation", "requires_action", "processing")
NETWORK_RETRIES = 2


@dataclass(frozen=True)
class Intent:
    """A PaymentIntent as we use it, from an API response or a webhook event's object."""

    id: str
    status: str
    amount: int
    currency: str
    client_secret: str | None = None
    customer: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    charge_id: str | None = None
    amount_refunded: int = 0
    payment_method_id: str | None = None
    card_brand: str | None = None
    card_last4: str | None = None
    failure_reason: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_INTENT_STATES


@dataclass(frozen=True)
class Charge:
    id: str
    payment_intent: str | None
    amount: int
    amount_refunded: int
    currency: str


def intent_from(data: dict[str, Any]) -> Intent:
    """Read an intent from Stripe's JSON, whether ``latest_charge``/``payment_method`` are ids
    (Stripe's default) or expanded objects (``expand=[...]``, and always in localstripe)."""
    charge = data.get("latest_charge")
    charge_obj = charge if isinstance(charge, dict) else None
    if charge_obj is None:
        listed = (data.get("charges") or {}).get("data") or []
        charge_obj = listed[-1] if listed and isinstance(listed[-1], dict) else None
    method = data.get("payment_method")
    card: dict[str, Any] = {}
    if isinstance(method, dict):
        card = method.get("card") or {}
    elif charge_obj is not None:
        card = ((charge_obj.get("payment_method_details") or {}).get("card")) or {}
    error = data.get("last_payment_error") or {}
    return Intent(
        id=str(data["id"]),
        status=str(data.get("status") or ""),
        amount=int(data.get("amount") or 0),
        currency=str(data.get("currency") or "").lower(),
        client_secret=data.get("client_secret"),
        customer=data["customer"]["id"] if isinstance(data.get("customer"), dict) else data.get("customer"),
        metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
        charge_id=str(charge_obj["id"]) if charge_obj else (charge if isinstance(charge, str) else None),
        amount_refunded=int(charge_obj.get("amount_refunded") or 0) if charge_obj else 0,
        payment_method_id=method.get("id") if isinstance(method, dict) else method,
        card_brand=card.get("brand"),
        card_last4=card.get("last4"),
        failure_reason=(error.get("message") or error.get("code")) if isinstance(error, dict) else None,
    )


def charge_from(data: dict[str, Any]) -> Charge:
    intent = data.get("payment_intent")
    return Charge(
        id=str(data["id"]),
        payment_intent=intent.get("id") if isinstance(intent, dict) else intent,
        amount=int(data.get("amount") or 0),
        amount_refunded=int(data.get("amount_refunded") or 0),
        currency=str(data.get("currency") or "").lower(),
    )


@lru_cache(maxsize=4)
def _client(api_key: str, api_base: str) -> Any:
    import stripe

    http_client = stripe.RequestsClient(timeout=15)
    if api_base:
        return stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base},
            max_network_retries=NETWORK_RETRIES,
            http_client=http_client,
        )
    return stripe.StripeClient(api_key, max_network_retries=NETWORK_RETRIES, http_client=http_client)


def client() -> Any:
    return _client(stripe_api_key(), get_settings().stripe_api_base)


def reset_client() -> None:
    _client.cache_clear()


class Missing(Exception):
    """Stripe has no such object."""


def _call(what: str, fn: Callable[[], T]) -> T:
    import stripe

    try:
        return fn()
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404:
            raise Missing(what) from exc
        raise UpstreamFailed(f"Stripe refused to {what}: {exc.user_message or 'invalid request'}") from exc
    except stripe.StripeError as exc:
        from shared.observability import logger

        logger.warning("stripe call failed", extra={"operation": what, "error": type(exc).__name__})
        raise UpstreamFailed() from exc


def _dict(obj: Any) -> dict[str, Any]:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def create_customer(*, user_id: str, email: str, name: str, idempotency_key: str) -> str:
    params = {"email": email, "name": name, "metadata": {"userId": user_id}}
    options = {"idempotency_key": idempotency_key}
    customer = _call("create a customer", lambda: client().v1.customers.create(params=params, options=options))
    return str(customer.id)


def customer_exists(customer_id: str) -> bool:
    try:
        found = _dict(_call("read a customer", lambda: client().v1.customers.retrieve(customer_id)))
    except Missing:
        return False
    return not found.get("deleted")


def delete_customer(customer_id: str) -> None:
    """Delete the customer (its name, email and saved payment methods) on Stripe; one that is
    already gone is fine. Its payments and refunds are unaffected. Raises :class:`UpstreamFailed`."""
    try:
        _call("delete a customer", lambda: client().v1.customers.delete(customer_id))
    except Missing:
        return


def create_intent(
    *, amount: int, currency: str, customer: str | None, metadata: dict[str, str], idempotency_key: str
) -> Intent:
    params: dict[str, Any] = {
        "amount": amount,
        "currency": currency,
        "metadata": metadata,
        "payment_method_types": ["card"],
    }
    if customer:
        params["customer"] = customer
    options = {"idempotency_key": idempotency_key}
    created = _call("create a payment", lambda: client().v1.payment_intents.create(params=params, options=options))
    return intent_from(_dict(created))


def retrieve_intent(intent_id: str) -> Intent | None:
    """The intent with its latest charge and payment method expanded; ``None`` if Stripe has none."""
    params = {"expand": ["latest_charge", "payment_method"]}
    try:
        found = _call("read a payment", lambda: client().v1.payment_intents.retrieve(intent_id, params=params))
    except Missing:
        return None
    return intent_from(_dict(found))


def cancel_intent(intent_id: str) -> Intent | None:
    """Cancel an open intent. Returns the intent as Stripe has it afterwards (also when it could not
    be cancelled because it already succeeded or was cancelled), ``None`` if Stripe has none."""
    import stripe

    try:
        cancelled = client().v1.payment_intents.cancel(intent_id)
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404:
            return None
        return retrieve_intent(intent_id)
    except stripe.StripeError as exc:
        raise UpstreamFailed() from exc
    return intent_from(_dict(cancelled))


def card_of(payment_method_id: str) -> tuple[str | None, str | None]:
    """(brand, last4) of a card payment method; (None, None) when it cannot be read."""
    try:
        method = _dict(_call("read a payment method", lambda: client().v1.payment_methods.retrieve(payment_method_id)))
    except (Missing, UpstreamFailed):
        return None, None
    card = method.get("card") or {}
    return card.get("brand"), card.get("last4")


def refund(*, intent_id: str, amount: int, refunded_before: int, metadata: dict[str, str], idempotency_key: str) -> int:
    """Refund ``amount`` cents of a paid intent; returns what the charge has refunded in total since
    (the figure every refund path converges on, whoever applied it first). Once the refund is made,
    a failure to read the total back falls back to ``refunded_before + amount``: the refund must be
    recorded, and the ``charge.refunded`` event corrects the total later if needed."""
    params: dict[str, Any] = {"payment_intent": intent_id, "amount": amount, "metadata": metadata}
    options = {"idempotency_key": idempotency_key}
    _call("refund a payment", lambda: client().v1.refunds.create(params=params, options=options))
    try:
        after = retrieve_intent(intent_id)
    except UpstreamFailed:
        after = None
    if after is None or after.amount_refunded < refunded_before + amount:
        return refunded_before + amount
    return after.amount_refunded
