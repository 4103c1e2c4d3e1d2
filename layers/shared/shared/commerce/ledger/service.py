"""Ledger rules: the entries of an order's payment and refunds, and the admin listing.

Entries are derived from the order item's change (its stream record's old and new image, see
:mod:`.stream`): ``paidAmount`` set -> the payment's entries; ``refundedAmount`` grown from ``a`` to
``b`` -> the refund's entries, the allocation of ``b`` minus that of ``a`` (:mod:`.split`). Each
event's entries have deterministic keys and go in one transaction of put-if-absent writes, so a
replayed or redelivered record writes nothing and the totals never count twice.

The split is fixed when the order is paid (the commission rate of that moment): refunds
rebuild it from the payment's own entries, never from the current ``PLATFORM_COMMISSION_BPS``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from shared.clock import iso
from shared.commerce.ledger import repository
from shared.commerce.ledger.models import LedgerEntryItem
from shared.commerce.ledger.schemas import LedgerEntryOut
from shared.commerce.ledger.split import OrderSplit, SellerSplit, allocate_refund, split_order
from shared.commerce.orders.models import OrderItem
from shared.errors import InvalidInput
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor
from shared.settings import get_settings

SALE = "sale"
MAX_RANGE_DAYS = 366


def split_at_payment(order: OrderItem) -> OrderSplit:
    return split_order(
        [(str(line.seller_id), int(line.line_total)) for line in order.lines],
        tax=int(order.tax_amount),
        shipping=int(order.shipping_amount),
        discount=int(order.discount_amount or 0),
        commission_bps=get_settings().platform_commission_bps,
    )


def recorded_split(order: OrderItem) -> OrderSplit | None:
    """The split the order's payment entries recorded (``None`` before they exist)."""
    entries = {e.sk: e for e in repository.entries_of(order.order_id)}
    if SALE not in entries:
        return None

    def amount(key: str) -> int:
        found = entries.get(key)
        return int(found.amount) if found else 0

    sellers = []
    for seller_id in dict.fromkeys(str(line.seller_id) for line in order.lines):
        fee, net = amount(f"{SALE}#commission#{seller_id}"), amount(f"{SALE}#earning#{seller_id}")
        sellers.append(SellerSplit(seller_id, fee + net, fee, net))
    return OrderSplit(tuple(sellers), tax=amount(f"{SALE}#tax"), shipping=amount(f"{SALE}#shipping"))


def payment_entries(order: OrderItem, split: OrderSplit, at: str) -> list[LedgerEntryItem]:
    oid, cur, pi = order.order_id, order.currency, order.payment_intent_id
    entries = [
        repository.new_entry(
            oid, SALE, entry_type="payment", amount=split.total, currency=cur, created_at=at, stripe_id=pi
        )
    ]
    for seller in split.sellers:
        for kind, value in (("commission", seller.commission), ("earning", seller.net)):
            entries.append(
                repository.new_entry(
                    oid,
                    f"{SALE}#{kind}#{seller.seller_id}",
                    entry_type=kind,
                    amount=value,
                    currency=cur,
                    created_at=at,
                    seller_id=seller.seller_id,
                    stripe_id=pi,
                )
            )
    for kind, value in (("tax", split.tax), ("shipping", split.shipping)):
        entries.append(
            repository.new_entry(
                oid, f"{SALE}#{kind}", entry_type=kind, amount=value, currency=cur, created_at=at, stripe_id=pi
            )
        )
    return entries


def refund_entries(order: OrderItem, split: OrderSplit, before: int, after: int, at: str) -> list[LedgerEntryItem]:
    """The entries of the refunded total growing from ``before`` to ``after`` (signed components
    sum to minus the refund). Components that do not move get no entry."""
    old, new = allocate_refund(split, before), allocate_refund(split, after)
    oid, cur, pi = order.order_id, order.currency, order.payment_intent_id
    key = f"refund#{after}"
    entries = [
        repository.new_entry(
            oid, key, entry_type="refund", amount=after - before, currency=cur, created_at=at, stripe_id=pi
        )
    ]
    for seller in split.sellers:
        sid = seller.seller_id
        was, now = old.seller(sid), new.seller(sid)
        for kind, delta in (("commission", now.commission - was.commission), ("earning", now.net - was.net)):
            if delta:
                entries.append(
                    repository.new_entry(
                        oid,
                        f"{key}#{kind}#{sid}",
                        entry_type=kind,
                        amount=-delta,
                        currency=cur,
                        created_at=at,
                        seller_id=sid,
                        stripe_id=pi,
                    )
                )
    for kind, delta in (("tax", new.tax - old.tax), ("shipping", new.shipping - old.shipping)):
        if delta:
            entries.append(
                repository.new_entry(
                    oid, f"{key}#{kind}", entry_type=kind, amount=-delta, currency=cur, created_at=at, stripe_id=pi
                )
            )
    return entries


def earnings_deltas(entries: list[LedgerEntryItem]) -> dict[str, int]:
    deltas: dict[str, int] = {}
    for entry in entries:
        if entry.entry_type == "earning" and entry.seller_id:
            deltas[entry.seller_id] = deltas.get(entry.seller_id, 0) + int(entry.amount)
    return deltas


def record_payment(order: OrderItem) -> OrderSplit:
    """Write the paid order's entries (once); returns the split they record."""
    split = recorded_split(order)
    if split is not None:
        return split
    split = split_at_payment(order)
    entries = payment_entries(order, split, order.paid_at or order.updated_at)
    repository.record(entries, earnings_deltas(entries), order.currency)
    return recorded_split(order) or split


def record_refund(order: OrderItem, split: OrderSplit, before: int, after: int) -> None:
    """Write the entries of the refunded total growing from ``before`` to ``after`` (once)."""
    entries = refund_entries(order, split, before, after, order.updated_at)
    repository.record(entries, earnings_deltas(entries), order.currency)


# ---------------------------------------------------------------------------- admin listing


def _bounds(start: date | datetime | None, end: date | datetime | None) -> tuple[str | None, str | None]:
    """Sort-key bounds: a day covers all of it (``to`` inclusive); a date-time is exact."""
    low = iso(_utc(start)) if isinstance(start, datetime) else (start.isoformat() if start else None)
    high: str | None
    if isinstance(end, datetime):
        high = iso(_utc(end)) + "#~"
    else:
        high = (end + timedelta(days=1)).isoformat() if end else None
    if low and high and high < low:
        raise InvalidInput("`to` must not be before `from`", code="INVALID_RANGE", errors={"to": ["is before from"]})
    if (
        low
        and high
        and datetime.fromisoformat(high[:10]) - datetime.fromisoformat(low[:10]) > timedelta(days=MAX_RANGE_DAYS)
    ):
        raise InvalidInput(
            f"A range covers at most {MAX_RANGE_DAYS} days", code="INVALID_RANGE", errors={"to": ["range too long"]}
        )
    return low, high


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def entry_out(entry: LedgerEntryItem) -> LedgerEntryOut:
    return LedgerEntryOut(
        id=entry.entry_id,
        type=entry.entry_type,
        amount=int(entry.amount),
        currency=entry.currency,
        order_id=entry.order_id,
        seller_id=entry.seller_id,
        stripe_id=entry.stripe_id,
        payout_id=entry.payout_id,
        created_at=entry.created_at,
    )


def list_transactions(
    *,
    entry_type: str | None,
    start: date | datetime | None,
    end: date | datetime | None,
    limit: int,
    cursor: str | None,
) -> ItemsPage[LedgerEntryOut]:
    """Ledger entries newest first, optionally of one type, within ``start..end`` (UTC days, both
    inclusive, or exact date-times). Raises :class:`InvalidInput` ``INVALID_RANGE``."""
    low, high = _bounds(start, end)
    scope = f"ledger:{entry_type or ''}:{low or ''}:{high or ''}"
    page = repository.list_entries(entry_type, start=low, end=high, limit=limit, position=decode_cursor(cursor, scope))
    items = [entry_out(e) for e in page.items if isinstance(e, LedgerEntryItem)]
    return ItemsPage[LedgerEntryOut](items=items, next_cursor=encode_cursor(page.next_position, scope))
