"""Payout rules: a payout per seller when an order is delivered, held, then transferred with a
Stripe Transfer; refunds reduce it (or reverse part of the transfer once paid).

Releasing is claim-then-call: the payout moves to ``transferring`` with the amount to send by a
write conditioned on the status and refund basis read, so of two concurrent releasers (the hold's
job, the sweep, an admin) only one calls Stripe; its idempotency key is the payout id (``-<n>``
for the ``n``-th attempt after a failure, since Stripe replays a failed key's error), so a
releaser that dies after Stripe answered sends the same transfer again, not a second one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.clock import iso, now, now_iso
from shared.commerce.ledger import repository as ledger
from shared.commerce.ledger.split import OrderSplit, seller_entitlement
from shared.commerce.orders import repository as orders
from shared.commerce.orders.models import OrderItem
from shared.commerce.payouts import gateway, repository
from shared.commerce.payouts.models import PayoutItem, payout_id_of
from shared.errors import Conflict, NotFound, UpstreamFailed
from shared.jobs.spec import build, owed
from shared.observability import logger
from shared.settings import get_settings

RELEASE_JOB = "payouts.release"
REVERSE_JOB = "payouts.reverse"
SWEEP_JOB = "payouts.sweep"
ATTEMPTS = 5
STALE_TRANSFER = timedelta(minutes=15)
# One-time schedules fire to the second (``at(...)`` has no milliseconds): a hold's own job may run a
# moment before ``releaseAt`` and must still count as due.
SCHEDULE_SLACK = timedelta(minutes=1)


class NotSettled(RuntimeError):
    """The payout is being transferred; a reversal must wait for the outcome (the job retries)."""


def not_found() -> NotFound:
    return NotFound("Payout not found", code="PAYOUT_NOT_FOUND")


# ---------------------------------------------------------------------------- from the order


def on_delivered(order: OrderItem, split: OrderSplit) -> None:
    """Create each seller's payout (once), held until deliveredAt + ``PAYOUT_HOLD_DAYS``, owing
    the release job at that time."""
    delivered_at = order.delivered_at or order.updated_at
    release = datetime.fromisoformat(delivered_at.replace("Z", "+00:00")) + timedelta(
        days=get_settings().payout_hold_days
    )
    refunded = int(order.refunded_amount or 0)
    for seller in split.sellers:
        payout_id = payout_id_of(order.order_id, seller.seller_id)
        amount = seller_entitlement(split, seller.seller_id, refunded)
        status = "held" if amount > 0 else "cancelled"
        payout = repository.new_payout(
            payout_id,
            order_id=order.order_id,
            seller_id=seller.seller_id,
            currency=order.currency,
            status=status,
            gross=seller.gross,
            commission=seller.commission,
            amount=amount,
            refund_basis=refunded,
            delivered_at=delivered_at,
            release_at=iso(release),
            created_at=delivered_at,
            updated_at=delivered_at,
        )
        jobs = [owed(build(RELEASE_JOB, {"payoutId": payout_id}, run_at=release))] if amount > 0 else []
        if repository.create(payout, owed=jobs):
            logger.info("payout held", extra={"payoutId": payout_id, "orderId": order.order_id, "amount": amount})


def on_refund(order: OrderItem, split: OrderSplit) -> None:
    """Lower each seller's payout of the order to what the refunded total leaves them; a paid
    (or transferring) payout owes a reversal job for the difference."""
    refunded = int(order.refunded_amount or 0)
    for seller in split.sellers:
        payout_id = payout_id_of(order.order_id, seller.seller_id)
        for _ in range(ATTEMPTS):
            payout = repository.get(payout_id)
            if payout is None or int(payout.refund_basis or 0) >= refunded:
                break
            amount = seller_entitlement(split, seller.seller_id, refunded)
            if _lower(payout, amount, refunded):
                break
        else:
            raise Conflict("The payout kept changing; retry", code="PAYOUT_CHANGED")


def _lower(payout: PayoutItem, amount: int, refunded: int) -> bool:
    at = now_iso()
    was = int(payout.amount)
    sets: dict[str, object] = {"amount": amount, "refund_basis": refunded, "updated_at": at}
    available = 0
    jobs = []
    if payout.status in ("held", "available") and amount <= 0:
        sets["status"] = "cancelled"
    if payout.status == "available":
        available = max(amount, 0) - was
    if payout.status in ("transferring", "paid"):
        jobs = [owed(build(REVERSE_JOB, {"payoutId": payout.payout_id}))]
    return repository.change(payout, sets=sets, available=available, owed=jobs)


# ---------------------------------------------------------------------------- release


def release(payout_id: str, *, force: bool = False, retry: bool = False) -> PayoutItem:
    """Transfer the payout to the seller's account if it is due (``force``: now, skipping the
    hold; ``retry``: a ``failed`` one). Without an active account it becomes ``available``.
    Idempotent: a payout already past its release changes nothing (see the module doc).

    Raises :class:`NotFound`, :class:`Conflict` ``PAYOUT_NOT_RELEASABLE`` /
    ``PAYOUT_NOT_FAILED`` (only with ``force`` / ``retry``: jobs just log)."""
    for _ in range(ATTEMPTS):
        payout = repository.get(payout_id)
        if payout is None:
            raise not_found()
        allowed = ("failed",) if retry else ("held", "available")
        if payout.status not in allowed:
            if retry:
                raise Conflict(f"A payout that is {payout.status} cannot be retried", code="PAYOUT_NOT_FAILED")
            if force:
                raise Conflict(f"A payout that is {payout.status} cannot be released", code="PAYOUT_NOT_RELEASABLE")
            return payout
        if payout.status == "held" and not force and payout.release_at > iso(now() + SCHEDULE_SLACK):
            return payout  # not due: the sweep releases it later
        done = _release(payout)
        if done is not None:
            return done
    raise Conflict("The payout kept changing; retry", code="PAYOUT_CHANGED")


def _release(payout: PayoutItem) -> PayoutItem | None:
    amount = int(payout.amount)
    at = now_iso()
    leaving_available = -amount if payout.status == "available" else 0
    if amount <= 0:
        moved = repository.change(payout, sets={"status": "cancelled", "updated_at": at}, available=leaving_available)
        return repository.get(payout.payout_id) if moved else None
    account = repository.get_account(payout.seller_id)
    if account is None or account.status != "active":
        if payout.status == "available":
            return payout
        moved = repository.change(payout, sets={"status": "available", "updated_at": at}, available=amount)
        return repository.get(payout.payout_id) if moved else None
    attempt = int(payout.attempts or 0) + 1
    claim = {"status": "transferring", "transfer_amount": amount, "attempts": attempt, "updated_at": at}
    if not repository.change(payout, sets=claim, available=leaving_available):
        return None
    claimed = repository.get(payout.payout_id)
    return transfer(claimed) if claimed else None


def transfer(payout: PayoutItem) -> PayoutItem:
    """Send a claimed (``transferring``) payout's transfer and record its outcome. Calling it
    again for the same claim sends the same transfer (same idempotency key, same parameters)."""
    for _ in range(ATTEMPTS):
        try:
            transfer_id = _send(payout)
        except UpstreamFailed as exc:
            logger.warning("payout transfer failed", extra={"payoutId": payout.payout_id, "error": exc.message})
            failed = {"status": "failed", "failure_reason": exc.message[:500], "updated_at": now_iso()}
            repository.change(payout, sets=failed)
            return repository.get(payout.payout_id) or payout
        if _mark_paid(payout, transfer_id):
            paid = repository.get(payout.payout_id) or payout
            if int(paid.amount) < int(paid.transferred) - int(paid.reversed or 0):
                return reverse(paid.payout_id)
            return paid
        fresh = repository.get(payout.payout_id)
        if fresh is None or fresh.status != "transferring":
            return fresh or payout
        payout = fresh  # a refund lowered it meanwhile: same claim, new refund basis
    raise Conflict("The payout kept changing; retry", code="PAYOUT_CHANGED")


def _send(payout: PayoutItem) -> str:
    account = repository.get_account(payout.seller_id)
    order = orders.get_order(payout.order_id)
    if account is None or order is None or not order.payment_intent_id:
        raise UpstreamFailed("The payout has no account or no paid order to transfer from")
    attempt = int(payout.attempts or 1)
    return gateway.create_transfer(
        amount=int(payout.transfer_amount or 0),
        currency=payout.currency,
        destination=account.account_id,
        transfer_group=payout.order_id,
        source_transaction=gateway.charge_of(order.payment_intent_id),
        metadata={"payoutId": payout.payout_id, "orderId": payout.order_id, "sellerId": payout.seller_id},
        idempotency_key=payout.payout_id if attempt <= 1 else f"{payout.payout_id}-{attempt}",
    )


def _mark_paid(payout: PayoutItem, transfer_id: str) -> bool:
    """``paid``, with the transfer's ledger entry and the seller's balance, in one transaction."""
    at = now_iso()
    amount = int(payout.transfer_amount or 0)
    entry = ledger.new_entry(
        payout.order_id,
        f"payout#{payout.payout_id}",
        entry_type="payout",
        amount=amount,
        currency=payout.currency,
        created_at=at,
        seller_id=payout.seller_id,
        stripe_id=transfer_id,
        payout_id=payout.payout_id,
    )
    sets = {"status": "paid", "transfer_id": transfer_id, "transferred": amount, "paid_at": at, "updated_at": at}
    sets["failure_reason"] = None
    return repository.change(payout, sets=sets, paid=amount, entries=[entry])


def resume_stale(payout: PayoutItem) -> PayoutItem:
    """A payout left ``transferring`` by a releaser that died: send the same transfer again
    (same idempotency key, so Stripe answers with the one it may have made)."""
    return transfer(payout)


# ---------------------------------------------------------------------------- reversal


def reverse(payout_id: str) -> PayoutItem:
    """Take back, from a paid payout's transfer, what later refunds left it owing. Idempotent:
    the reversal's key names the reversed total it reaches. Raises :class:`NotSettled` while
    the transfer is in flight, :class:`UpstreamFailed`."""
    for _ in range(ATTEMPTS):
        payout = repository.get(payout_id)
        if payout is None:
            raise not_found()
        if payout.status == "transferring":
            raise NotSettled(payout_id)
        held = int(payout.transferred or 0) - int(payout.reversed or 0)
        owed_back = held - max(int(payout.amount), 0)
        if payout.status != "paid" or owed_back <= 0 or not payout.transfer_id:
            return payout
        target = int(payout.reversed or 0) + owed_back
        reversal_id = gateway.reverse_transfer(
            transfer_id=payout.transfer_id,
            amount=owed_back,
            metadata={"payoutId": payout_id, "orderId": payout.order_id},
            idempotency_key=f"{payout_id}-reversal-{target}",
        )
        at = now_iso()
        entry = ledger.new_entry(
            payout.order_id,
            f"reversal#{payout_id}#{target}",
            entry_type="transfer_reversal",
            amount=owed_back,
            currency=payout.currency,
            created_at=at,
            seller_id=payout.seller_id,
            stripe_id=reversal_id,
            payout_id=payout_id,
        )
        sets = {"reversed": target, "updated_at": at}
        expect = PayoutItem.reversed == int(payout.reversed or 0)
        if repository.change(payout, sets=sets, expect=expect, paid=-owed_back, entries=[entry]):
            logger.info("payout transfer reversed", extra={"payoutId": payout_id, "amount": owed_back})
            return repository.get(payout_id) or payout
    raise Conflict("The payout kept changing; retry", code="PAYOUT_CHANGED")


# ---------------------------------------------------------------------------- sweep


def sweep(limit: int = 100) -> dict[str, int]:
    """The daily job: release held payouts whose hold ended, ``available`` ones whose seller has
    an active account now, and resume transfers left in flight over 15 minutes."""
    counts = {"paid": 0, "available": 0, "failed": 0, "skipped": 0}
    moment = now_iso()
    due = list(repository.by_status("held", limit=limit, position=None, due_by=moment).items)
    due += repository.by_status("available", limit=limit, position=None).items
    for payout in due:
        try:
            done = release(payout.payout_id)
        except Conflict:
            counts["skipped"] += 1
            continue
        counts[done.status if done.status in counts else "skipped"] += 1
    stale_before = iso(now() - STALE_TRANSFER)
    for payout in repository.by_status("transferring", limit=limit, position=None).items:
        if isinstance(payout, PayoutItem) and payout.updated_at < stale_before:
            done = resume_stale(payout)
            counts[done.status if done.status in counts else "skipped"] += 1
    return counts
