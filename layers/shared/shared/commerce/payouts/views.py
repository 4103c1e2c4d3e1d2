"""Read side of payouts: listings and a seller's earnings."""

from __future__ import annotations

from shared.commerce.ledger import repository as ledger
from shared.commerce.payouts import repository
from shared.commerce.payouts.models import PayoutItem
from shared.commerce.payouts.schemas import EarningsOut, PayoutOut
from shared.errors import NotFound
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor


def payout_out(payout: PayoutItem) -> PayoutOut:
    return PayoutOut(
        id=payout.payout_id,
        order_id=payout.order_id,
        seller_id=payout.seller_id,
        currency=payout.currency,
        status=payout.status,
        gross=int(payout.gross),
        commission=int(payout.commission),
        amount=int(payout.amount),
        transferred=int(payout.transferred or 0),
        reversed=int(payout.reversed or 0),
        transfer_id=payout.transfer_id,
        failure_reason=payout.failure_reason,
        delivered_at=payout.delivered_at,
        release_at=payout.release_at,
        paid_at=payout.paid_at,
        created_at=payout.created_at,
        updated_at=payout.updated_at,
    )


def get_payout(payout_id: str) -> PayoutOut:
    payout = repository.get(payout_id)
    if payout is None:
        raise NotFound("Payout not found", code="PAYOUT_NOT_FOUND")
    return payout_out(payout)


def list_payouts(*, status: str | None, seller_id: str | None, limit: int, cursor: str | None) -> ItemsPage[PayoutOut]:
    """Admin: newest first; by seller (optionally by status), by status (by release time), or all."""
    scope = f"payouts:{seller_id or ''}:{status or ''}"
    position = decode_cursor(cursor, scope)
    if seller_id:
        page = repository.for_seller(seller_id, limit=limit, position=position, status=status)
    elif status:
        page = repository.by_status(status, limit=limit, position=position)
    else:
        page = repository.everything(limit=limit, position=position)
    items = [payout_out(p) for p in page.items if isinstance(p, PayoutItem)]
    return ItemsPage[PayoutOut](items=items, next_cursor=encode_cursor(page.next_position, scope))


def earnings(seller_id: str, currency: str) -> EarningsOut:
    balance = ledger.balance_of(seller_id, currency)
    lifetime = int(balance.lifetime) if balance else 0
    available = int(balance.available) if balance else 0
    paid = int(balance.paid) if balance else 0
    held = lifetime - available - paid
    if held < 0:  # a refund after a transfer, its reversal still under way: paid net of it already
        paid, held = paid + held, 0
    return EarningsOut(currency=currency, held=held, available=available, paid=paid, lifetime=lifetime)
