"""Stripe Connect, behind the few calls payouts make: Express accounts, account links, transfers
and transfer reversals. Same client and error mapping as checkout
(:mod:`shared.commerce.payments.gateway`): locally the stack's Connect endpoints answer them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.commerce.payments.gateway import Missing, _call, _dict, client, intent_from
from shared.commerce.payouts.models import AccountStatus


@dataclass(frozen=True)
class Account:
    id: str
    status: AccountStatus
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool
    seller_id: str | None


def status_of(data: dict[str, Any]) -> AccountStatus:
    """``active`` once Stripe lets the account be paid; ``restricted`` when Stripe disabled it or
    wants more after onboarding; ``pending`` while onboarding is unfinished."""
    if data.get("charges_enabled") and data.get("payouts_enabled"):
        return "active"
    requirements = data.get("requirements") or {}
    if requirements.get("disabled_reason") or data.get("details_submitted"):
        return "restricted"
    return "pending"


def account_from(data: dict[str, Any]) -> Account:
    metadata = data.get("metadata") or {}
    return Account(
        id=str(data["id"]),
        status=status_of(data),
        charges_enabled=bool(data.get("charges_enabled")),
        payouts_enabled=bool(data.get("payouts_enabled")),
        details_submitted=bool(data.get("details_submitted")),
        seller_id=str(metadata["sellerId"]) if metadata.get("sellerId") else None,
    )


def create_account(*, seller_id: str, email: str, idempotency_key: str) -> str:
    params: dict[str, Any] = {
        "type": "express",
        "email": email,
        "capabilities": {"transfers": {"requested": True}},
        "metadata": {"sellerId": seller_id},
    }
    options = {"idempotency_key": idempotency_key}
    created = _call("create a payout account", lambda: client().v1.accounts.create(params=params, options=options))
    return str(created.id)


def retrieve_account(account_id: str) -> Account | None:
    try:
        found = _call("read a payout account", lambda: client().v1.accounts.retrieve(account_id))
    except Missing:
        return None
    return account_from(_dict(found))


def create_account_link(*, account_id: str, refresh_url: str, return_url: str) -> tuple[str, int]:
    """A one-time onboarding URL for the account and when it expires (epoch seconds)."""
    params = {"account": account_id, "refresh_url": refresh_url, "return_url": return_url, "type": "account_onboarding"}
    link = _call("create an onboarding link", lambda: client().v1.account_links.create(params=params))
    return str(link.url), int(link.expires_at)


def charge_of(intent_id: str) -> str | None:
    """The charge that paid the intent (a transfer's ``source_transaction``)."""
    params = {"expand": ["latest_charge"]}
    try:
        found = _call("read a payment", lambda: client().v1.payment_intents.retrieve(intent_id, params=params))
    except Missing:
        return None
    return intent_from(_dict(found)).charge_id


def create_transfer(
    *,
    amount: int,
    currency: str,
    destination: str,
    transfer_group: str,
    source_transaction: str | None,
    metadata: dict[str, str],
    idempotency_key: str,
) -> str:
    params: dict[str, Any] = {
        "amount": amount,
        "currency": currency,
        "destination": destination,
        "transfer_group": transfer_group,
        "metadata": metadata,
    }
    if source_transaction:
        params["source_transaction"] = source_transaction
    options = {"idempotency_key": idempotency_key}
    created = _call("transfer a payout", lambda: client().v1.transfers.create(params=params, options=options))
    return str(created.id)


def reverse_transfer(*, transfer_id: str, amount: int, metadata: dict[str, str], idempotency_key: str) -> str:
    params: dict[str, Any] = {"amount": amount, "metadata": metadata}
    options = {"idempotency_key": idempotency_key}
    created = _call(
        "reverse a transfer",
        lambda: client().v1.transfers.reversals.create(transfer_id, params=params, options=options),
    )
    return str(created.id)
