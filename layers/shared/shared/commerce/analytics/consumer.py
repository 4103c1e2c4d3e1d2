"""The analytics stream consumer's logic: one table stream record in, its rollup increments and
low-stock entry (and alert email) out, applied exactly once.

Every write a record causes goes into one transaction with the put of the record's ``APPLIED``
marker (``PK=STREAM#<eventID>``, conditioned on its absence), so a redelivered record (a
retried batch, a bisected half, a record replayed after a partial failure) writes nothing:
the stream delivers at least once, the rollups count once. The day's top lists are refreshed
after the transaction from the exact counters it wrote; that step copies values, adds nothing,
and runs again on a replay, so a crash between the two loses nothing either.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from boto3.dynamodb.types import TypeDeserializer
from pynamodb.transactions import TransactWrite

from shared.clock import iso
from shared.commerce.analytics import repository
from shared.commerce.analytics.rollups import Change, Increment, increments_of
from shared.commerce.inventory import alerts, notifications
from shared.commerce.inventory import repository as low_stock
from shared.messaging import outbox
from shared.messaging.owed import Owed

Outcome = Literal["applied", "replayed", "ignored"]
_deserializer = TypeDeserializer()


def _image(raw: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not raw:
        return None
    return {name: _deserializer.deserialize(value) for name, value in raw.items()}


def change_of(record: Mapping[str, Any]) -> Change:
    """A Lambda DynamoDB stream record (``NEW_AND_OLD_IMAGES``) as a :class:`Change`."""
    data = record.get("dynamodb") or {}
    created = data.get("ApproximateCreationDateTime")
    at = datetime.fromtimestamp(float(created), UTC) if created is not None else datetime.now(UTC)
    return Change(
        event_id=str(record["eventID"]),
        event_name=str(record.get("eventName") or ""),
        old=_image(data.get("OldImage")),
        new=_image(data.get("NewImage")),
        at=at,
    )


def apply(change: Change) -> Outcome:
    """Apply one record once. Raises on a failed write (the caller reports the record failed and
    the stream retries it; what was not committed is written by the retry)."""
    increments = increments_of(change)
    decision = alerts.decide(change.old, change.new) if change.item_type == "PRODUCT" else None
    if not increments and decision is None:
        return "ignored"
    owed = _alert(decision) if decision is not None and decision.email else []

    def write(tx: TransactWrite) -> None:
        repository.add_increments(tx, increments)
        if decision is not None:
            if decision.action == "keep":
                low_stock.keep(tx, decision.product, iso(change.at))
            else:
                low_stock.clear(tx, decision.product)
        outbox.add(tx, *owed)

    applied = repository.apply_once(change.event_id, write)
    _refresh_tops(increments)
    return "applied" if applied else "replayed"


def _alert(decision: alerts.Decision) -> list[Owed]:
    from shared.identity import repository as users  # only on a crossing: keeps the import light

    seller = users.get_user(decision.product.seller_id)
    if seller is None:
        return []  # the seller's account is gone: the entry is kept, nobody to tell
    return [notifications.low_stock(seller, decision.product)]


def _refresh_tops(increments: list[Increment]) -> None:
    for inc in increments:
        if inc.products or inc.sellers:
            repository.refresh_tops(inc.scope, inc.day, inc.products, inc.sellers)
