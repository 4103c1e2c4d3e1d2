"""How an order's money divides: pure integer arithmetic, no I/O.

The platform is the merchant of record: a paid order's total is

    total = sum seller gross + tax + shipping          (gross = the seller's line subtotals)

and each seller's gross splits into ``commission = floor(gross * bps / 10 000)`` (rounded
down, in the seller's favour: the platform never takes a fraction of a cent it did not earn) and
``net = gross - commission``. A discount (none is offered today) would come off the sellers'
gross in proportion to it before the commission.

Refunds are allocated from the **cumulative** refunded total ``R`` of the order, never from one
refund alone: ``R`` is split over ``[gross_1 … gross_k, tax, shipping]`` in proportion to those
amounts, then each seller's share over ``[commission_i, net_i]``, both by the largest remainder
method (:func:`largest_remainder`). A refund's ledger entries are the difference between the
allocations of the total after and before it. So every allocation adds up to the cent, no
component ever gives back more than it received (``share_i <= component_i`` while ``R <= total``),
and however a total is reached (one refund or many), the allocation is the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BPS = 10_000


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` (>= 0) in proportion to ``weights`` (>= 0): every share gets the floor of
    its exact quota, then the cents left go one each to the largest remainders (ties: the
    earlier weight). The shares sum to ``total`` exactly; each is ``floor`` or ``ceil`` of its
    quota, so none exceeds its weight while ``total <= sum weights``. All-zero weights take
    nothing (``total`` must then be 0)."""
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("amounts and weights must not be negative")
    whole = sum(weights)
    if whole == 0:
        if total:
            raise ValueError("cannot split a positive amount over zero weights")
        return [0] * len(weights)
    shares = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    left = total - sum(shares)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        shares[index] += 1
    return shares


def commission_of(gross: int, bps: int) -> int:
    """The platform's commission on ``gross`` cents at ``bps`` basis points, rounded down."""
    return gross * bps // BPS


@dataclass(frozen=True)
class SellerSplit:
    seller_id: str
    gross: int
    commission: int
    net: int


@dataclass(frozen=True)
class OrderSplit:
    sellers: tuple[SellerSplit, ...]
    tax: int
    shipping: int

    @property
    def total(self) -> int:
        return sum(s.gross for s in self.sellers) + self.tax + self.shipping

    def seller(self, seller_id: str) -> SellerSplit | None:
        return next((s for s in self.sellers if s.seller_id == seller_id), None)


@dataclass(frozen=True)
class SellerRefund:
    """What ``R`` cents refunded take back from one seller: ``share = commission + net``."""

    seller_id: str
    share: int
    commission: int
    net: int


@dataclass(frozen=True)
class RefundAllocation:
    sellers: tuple[SellerRefund, ...]
    tax: int
    shipping: int

    def seller(self, seller_id: str) -> SellerRefund:
        found = next((s for s in self.sellers if s.seller_id == seller_id), None)
        return found or SellerRefund(seller_id, 0, 0, 0)


def split_order(
    lines: Sequence[tuple[str, int]], *, tax: int, shipping: int, discount: int = 0, commission_bps: int
) -> OrderSplit:
    """Split an order given its lines as ``(seller_id, line_total)`` (sellers in first-line order)."""
    gross: dict[str, int] = {}
    for seller_id, line_total in lines:
        gross[seller_id] = gross.get(seller_id, 0) + int(line_total)
    sellers = list(gross)
    amounts = [gross[s] for s in sellers]
    if discount:
        taken = largest_remainder(min(discount, sum(amounts)), amounts)
        amounts = [a - t for a, t in zip(amounts, taken, strict=True)]
    splits = []
    for seller_id, amount in zip(sellers, amounts, strict=True):
        fee = commission_of(amount, commission_bps)
        splits.append(SellerSplit(seller_id, amount, fee, amount - fee))
    return OrderSplit(tuple(splits), tax=tax, shipping=shipping)


def allocate_refund(split: OrderSplit, refunded_total: int) -> RefundAllocation:
    """The cumulative allocation of ``refunded_total`` (0 <= it <= the order's total)."""
    if refunded_total < 0 or refunded_total > split.total:
        raise ValueError("the refunded total must lie between 0 and the order's total")
    weights = [s.gross for s in split.sellers] + [split.tax, split.shipping]
    shares = largest_remainder(refunded_total, weights)
    sellers = []
    for seller, share in zip(split.sellers, shares, strict=False):
        fee, net = largest_remainder(share, [seller.commission, seller.net]) if share else (0, 0)
        sellers.append(SellerRefund(seller.seller_id, share, fee, net))
    return RefundAllocation(tuple(sellers), tax=shares[-2], shipping=shares[-1])


def seller_entitlement(split: OrderSplit, seller_id: str, refunded_total: int) -> int:
    """What the seller is owed from the order once ``refunded_total`` has been refunded."""
    seller = split.seller(seller_id)
    if seller is None:
        return 0
    return seller.net - allocate_refund(split, refunded_total).seller(seller_id).net
