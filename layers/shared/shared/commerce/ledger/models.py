"""The money ledger: immutable entries, and each seller's running balance.

Entry types and signs (integer cents; ``amount`` of a component is signed, the rest positive)
=============================================================================================

===================  =========================================================================
``payment``          + the order's paid total (once per order, when it is paid)
``refund``           + what one refund gave back (the growth of the order's refunded total)
``earning``          ± a seller's net share (+ at payment, - its part of each refund)
``commission``       ± the platform's commission on a seller's gross (same rhythm)
``tax``              ± the order's tax (stays with the platform, the merchant of record)
``shipping``         ± the order's shipping (likewise)
``payout``           + a transfer of a seller's earnings to their connected account
``transfer_reversal``+ money taken back from a seller's transfer after a later refund
===================  =========================================================================

For any set of orders and any period: ``sum payment - sum refund = sum earning + sum commission + sum tax +
sum shipping`` exactly (each event's entries are written together, in one transaction), and a
seller's ``sum payout - sum transfer_reversal`` is what they were paid.

Access patterns
===============

=========================================  ==================================================================
Who reads what                             Key / index
=========================================  ==================================================================
an order's entries (reconciliation)        ``PK=ORDER_LEDGER#<orderId>``, ``SK=<entry key>`` (deterministic:
                                           ``payment``, ``refund#<total>``, ``refund#<total>#commission#<sid>``,
                                           ``payout#<payoutId>``, ``reversal#<payoutId>#<total>``...), so
                                           a replayed event's conditional put finds its entry and writes nothing
admin: every entry, newest first, by time  Query GSI3 ``GSI3PK=LEDGER``, ``GSI3SK=<createdAt>#<entryId>``
admin: entries of one type, by time        Query GSI2 ``GSI2PK=LEDGER#TYPE#<type>``, ``GSI2SK=<createdAt>#<entryId>``
a seller's entries, by time                Query GSI1 ``GSI1PK=SELLER_LEDGER#<sid>``, ``GSI1SK=<createdAt>#<entryId>``
a seller's balance (earnings route)        ``PK=USER#<sid>``, ``SK=EARNINGS#<currency>`` (``ADD``ed in the
                                           transaction of each entry or payout change that moves it)
=========================================  ==================================================================

``createdAt`` is the time of the business event (the order's ``paidAt``, the refund's
``updatedAt``, the transfer), so a period's figures do not depend on when the stream was read.
``GSI3PK=LEDGER`` is one partition: enough for this marketplace's volume; a busy one would shard
it by month (the from/to bounds already name the months to query).
"""

from __future__ import annotations

from typing import Literal

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from shared.data.table import Item

EntryType = Literal["payment", "refund", "earning", "commission", "tax", "shipping", "payout", "transfer_reversal"]
ENTRY_TYPES: tuple[EntryType, ...] = (
    "payment",
    "refund",
    "earning",
    "commission",
    "tax",
    "shipping",
    "payout",
    "transfer_reversal",
)
ALL_ENTRIES = "LEDGER"


def ledger_pk(order_id: str) -> str:
    return f"ORDER_LEDGER#{order_id}"


def type_partition(entry_type: str) -> str:
    return f"LEDGER#TYPE#{entry_type}"


def seller_ledger(seller_id: str) -> str:
    return f"SELLER_LEDGER#{seller_id}"


def balance_key(seller_id: str, currency: str) -> tuple[str, str]:
    return f"USER#{seller_id}", f"EARNINGS#{currency}"


class LedgerEntryItem(Item, discriminator="LEDGER_ENTRY"):
    """Written once (conditional put), never updated or deleted."""

    entry_id = UnicodeAttribute(attr_name="id")
    entry_type = UnicodeAttribute(attr_name="entryType")
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    order_id = UnicodeAttribute(attr_name="orderId")
    seller_id = UnicodeAttribute(null=True, attr_name="sellerId")
    stripe_id = UnicodeAttribute(null=True, attr_name="stripeId")
    payout_id = UnicodeAttribute(null=True, attr_name="payoutId")
    created_at = UnicodeAttribute(attr_name="createdAt")


class SellerBalanceItem(Item, discriminator="SELLER_BALANCE"):
    """``lifetime`` = sum earning entries; ``paid`` = sum payout - sum transfer_reversal; ``available`` =
    the payouts waiting for a payout account. ``held`` is the rest (``lifetime - available -
    paid``): earnings of orders not yet delivered, in their hold, or being transferred."""

    seller_id = UnicodeAttribute(attr_name="sellerId")
    currency = UnicodeAttribute()
    lifetime = NumberAttribute(default=0)
    available = NumberAttribute(default=0)
    paid = NumberAttribute(default=0)
