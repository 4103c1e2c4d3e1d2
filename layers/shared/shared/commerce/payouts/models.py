"""Payout entities: one payout per (delivered order, seller), and each seller's Connect account.

Payout lifecycle
================

``held`` (until ``releaseAt`` = deliveredAt + ``PAYOUT_HOLD_DAYS``) -> ``transferring`` (claimed by
one releaser) -> ``paid`` | ``failed`` (the admin may retry); ``held`` -> ``available`` when the
seller has no active payout account yet (released by the sweep once they have); ``held`` /
``available`` -> ``cancelled`` when refunds leave nothing to pay. Every move is an UpdateItem (or a
transaction) conditioned on the status and the ``refundBasis`` the writer read, so a concurrent
release, retry or refund never transfers twice or transfers a stale amount.

``amount`` is what the seller is owed from the order *now*: their net share minus their part of
the order's refunded total ``refundBasis`` (:func:`shared.commerce.ledger.split.seller_entitlement`);
it only goes down. ``transferred`` - ``reversed`` is what they hold of it; when a refund after the
transfer drops ``amount`` below that, a transfer reversal takes the difference back.

Access patterns
===============

=========================================  ==================================================================
Who reads what                             Key / index
=========================================  ==================================================================
payout by id (routes, jobs)                ``PK=PAYOUT#<payoutId>``, ``SK=PAYOUT``; the id is derived from
                                           (order, seller), so the order's refunds find it without a query
a seller's payouts, newest first           Query GSI1 ``GSI1PK=SELLER_PAYOUTS#<sid>``, ``GSI1SK=<createdAt>#<id>``
                                           (admin ``?sellerId=&status=``: the same Query, filtered on status)
admin / sweep: payouts by status, by       Query GSI2 ``GSI2PK=PAYOUTS#STATUS#<status>``, ``GSI2SK=<releaseAt>#<id>``
release time (the sweep: ``held`` and      (a key condition: the sweep reads only what is due)
``GSI2SK <= now``)
admin: every payout, newest first          Query GSI3 ``GSI3PK=PAYOUTS``, ``GSI3SK=<createdAt>#<id>``
a seller's Connect account                 ``PK=USER#<sid>``, ``SK=PAYOUT_ACCOUNT`` (conditional put: one per seller)
=========================================  ==================================================================
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from shared.data.table import Item

PayoutStatus = Literal["held", "available", "transferring", "paid", "failed", "cancelled"]
PAYOUT_STATUSES: tuple[PayoutStatus, ...] = ("held", "available", "transferring", "paid", "failed", "cancelled")
AccountStatus = Literal["pending", "active", "restricted"]
PAYOUT_SK = "PAYOUT"
ACCOUNT_SK = "PAYOUT_ACCOUNT"
ALL_PAYOUTS = "PAYOUTS"


def payout_id_of(order_id: str, seller_id: str) -> str:
    return "po_" + hashlib.sha256(f"{order_id}|{seller_id}".encode()).hexdigest()[:24]


def payout_pk(payout_id: str) -> str:
    return f"PAYOUT#{payout_id}"


def seller_payouts(seller_id: str) -> str:
    return f"SELLER_PAYOUTS#{seller_id}"


def status_partition(status: str) -> str:
    return f"PAYOUTS#STATUS#{status}"


def account_key(seller_id: str) -> tuple[str, str]:
    return f"USER#{seller_id}", ACCOUNT_SK


class PayoutItem(Item, discriminator="PAYOUT"):
    payout_id = UnicodeAttribute(attr_name="payoutId")
    order_id = UnicodeAttribute(attr_name="orderId")
    seller_id = UnicodeAttribute(attr_name="sellerId")
    currency = UnicodeAttribute()
    status = UnicodeAttribute()
    gross = NumberAttribute()
    commission = NumberAttribute()
    amount = NumberAttribute()
    refund_basis = NumberAttribute(default=0, attr_name="refundBasis")
    transfer_amount = NumberAttribute(null=True, attr_name="transferAmount")
    transferred = NumberAttribute(default=0)
    reversed = NumberAttribute(default=0)
    transfer_id = UnicodeAttribute(null=True, attr_name="transferId")
    attempts = NumberAttribute(default=0)
    failure_reason = UnicodeAttribute(null=True, attr_name="failureReason")
    delivered_at = UnicodeAttribute(attr_name="deliveredAt")
    release_at = UnicodeAttribute(attr_name="releaseAt")
    paid_at = UnicodeAttribute(null=True, attr_name="paidAt")
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")


class PayoutAccountItem(Item, discriminator="PAYOUT_ACCOUNT"):
    seller_id = UnicodeAttribute(attr_name="sellerId")
    account_id = UnicodeAttribute(attr_name="accountId")
    status = UnicodeAttribute(default="pending")
    charges_enabled = BooleanAttribute(default=False, attr_name="chargesEnabled")
    payouts_enabled = BooleanAttribute(default=False, attr_name="payoutsEnabled")
    details_submitted = BooleanAttribute(default=False, attr_name="detailsSubmitted")
    synced_at = NumberAttribute(default=0, attr_name="syncedAt")
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
