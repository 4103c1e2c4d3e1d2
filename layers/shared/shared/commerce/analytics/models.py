"""Daily rollup entities, written only by the analytics stream consumer.

Access patterns
===============

==========================================  ==============================================================
Who reads what                              Key / index
==========================================  ==============================================================
dashboard: money and orders of a date       ``PK=ROLLUP#DAY#<currency>``, ``SK=<YYYY-MM-DD>``: one Query
range (one item per day, top lists          ``SK BETWEEN <from> AND <to>`` reads one item per day with
embedded)                                   activity (366 days: at most 366 items of 1-3 KB, 1-2 pages)
dashboard: new customers/sellers per day    ``PK=ROLLUP#DAY#USERS``, ``SK=<YYYY-MM-DD>``: the same Query
consumer: a product's sales on a day        ``PK=ROLLUP#PRODUCTS#<currency>#<day>``, ``SK=<productId>``
(exact counters the day's top list is       (``ADD`` in the record's transaction; read back, consistently,
refreshed from)                             only for the products the record touched)
consumer: a seller's sales on a day         ``PK=ROLLUP#SELLERS#<currency>#<day>``, ``SK=<sellerId>``
consumer: was this stream record applied?   ``PK=STREAM#<eventID>``, ``SK=APPLIED#ANALYTICS`` (put iff absent,
                                            in the record's transaction; TTL 2 days > the stream's 24 h)
==========================================  ==============================================================

The day items are the only thing the dashboard reads: its cost grows with the number of days,
never with orders, products or sellers. The per-product and per-seller counters exist so each
day's top lists (:data:`TOP_PER_DAY` entries, kept on the day item) stay exact for that day:
sales counters only grow, so a product entering a day's top list always does so on one of its
own sales, when the consumer refreshes the list from its counter. A range's top 10 merges the
per-day lists (see :mod:`.dashboard` for the approximation that implies).
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from shared.data.table import Item

USERS_SCOPE = "USERS"
APPLIED_SK = "APPLIED#ANALYTICS"  # per consumer: another one may mark the same record
TOP_PER_DAY = 25


def day_pk(scope: str) -> str:
    """``scope``: a currency (money rollups) or :data:`USERS_SCOPE` (sign-ups)."""
    return f"ROLLUP#DAY#{scope}"


def products_pk(currency: str, day: str) -> str:
    return f"ROLLUP#PRODUCTS#{currency}#{day}"


def sellers_pk(currency: str, day: str) -> str:
    return f"ROLLUP#SELLERS#{currency}#{day}"


def marker_pk(event_id: str) -> str:
    return f"STREAM#{event_id}"


class DayRollupItem(Item, discriminator="ROLLUP_DAY"):
    """One day of one scope. Counters are ``ADD``ed (absent = 0); ``statusX`` counts the orders
    paid that day by their current status; the top lists are JSON, refreshed under
    ``topVersion``."""

    day = UnicodeAttribute()
    orders = NumberAttribute(null=True)
    gmv = NumberAttribute(null=True)
    refunds = NumberAttribute(null=True)
    platform_fees = NumberAttribute(null=True, attr_name="platformFees")
    new_customers = NumberAttribute(null=True, attr_name="newCustomers")
    new_sellers = NumberAttribute(null=True, attr_name="newSellers")
    status_confirmed = NumberAttribute(null=True, attr_name="statusConfirmed")
    status_processing = NumberAttribute(null=True, attr_name="statusProcessing")
    status_shipped = NumberAttribute(null=True, attr_name="statusShipped")
    status_delivered = NumberAttribute(null=True, attr_name="statusDelivered")
    status_cancelled = NumberAttribute(null=True, attr_name="statusCancelled")
    status_refunded = NumberAttribute(null=True, attr_name="statusRefunded")
    status_pending = NumberAttribute(null=True, attr_name="statusPending")
    top_products = UnicodeAttribute(null=True, attr_name="topProducts")
    top_sellers = UnicodeAttribute(null=True, attr_name="topSellers")
    top_version = NumberAttribute(null=True, attr_name="topVersion")


class ProductDayItem(Item, discriminator="ROLLUP_PRODUCT_DAY"):
    product_id = UnicodeAttribute(attr_name="productId")
    name = UnicodeAttribute(null=True)
    units = NumberAttribute(null=True)
    revenue = NumberAttribute(null=True)


class SellerDayItem(Item, discriminator="ROLLUP_SELLER_DAY"):
    seller_id = UnicodeAttribute(attr_name="sellerId")
    orders = NumberAttribute(null=True)
    revenue = NumberAttribute(null=True)


class AppliedRecordItem(Item, discriminator="STREAM_APPLIED"):
    """Marks a stream record whose effects were written (in the same transaction)."""

    event_id = UnicodeAttribute(attr_name="eventID")
    applied_at = UnicodeAttribute(attr_name="appliedAt")
