"""Order splits and refund allocations: exact to the cent, documented rounding, and the money
invariants as properties (no cent created or lost, no component giving back more than it got,
a payout never above what was paid minus refunds and commission)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shared.commerce.ledger.split import (
    allocate_refund,
    commission_of,
    largest_remainder,
    seller_entitlement,
    split_order,
)


def test_commission_is_rounded_down_per_seller() -> None:
    # Given 10 % on 1999 cents (199.9) and 2005 cents (200.5)
    # Then the platform takes 199 and 200: fractions of a cent stay with the seller
    assert commission_of(1999, 1000) == 199
    assert commission_of(2005, 1000) == 200
    split = split_order([("a", 1999), ("b", 2005)], tax=320, shipping=599, commission_bps=1000)
    assert [(s.gross, s.commission, s.net) for s in split.sellers] == [(1999, 199, 1800), (2005, 200, 1805)]
    assert split.total == 1999 + 2005 + 320 + 599


def test_lines_of_one_seller_add_up_to_their_gross() -> None:
    split = split_order([("a", 1000), ("b", 500), ("a", 250)], tax=0, shipping=0, commission_bps=1000)
    assert [(s.seller_id, s.gross) for s in split.sellers] == [("a", 1250), ("b", 500)]


def test_largest_remainder_gives_leftover_cents_to_the_largest_fractions() -> None:
    # 100 over 1:1:1 -> 33.33 each -> one extra cent to the first (ties: the earlier weight)
    assert largest_remainder(100, [1, 1, 1]) == [34, 33, 33]
    # 10 over 2:3:5 is exact
    assert largest_remainder(10, [2, 3, 5]) == [2, 3, 5]
    # 7 over 1:2 -> 2.33 / 4.67 -> the larger remainder (0.67) gets the cent
    assert largest_remainder(7, [1, 2]) == [2, 5]
    assert largest_remainder(0, [0, 0]) == [0, 0]
    with pytest.raises(ValueError, match="zero weights"):
        largest_remainder(1, [0, 0])


def test_partial_refund_is_shared_by_gross_and_gives_commission_back() -> None:
    # Given a two-seller order: A 3000, B 1000, tax 320, shipping 0 (total 4320)
    split = split_order([("a", 3000), ("b", 1000)], tax=320, shipping=0, commission_bps=1000)
    # When 1080 cents are refunded (a quarter of the order)
    refund = allocate_refund(split, 1080)
    # Then A gives back 750 (75 commission, 675 net), B 250 (25, 225), the tax 80
    assert (refund.seller("a").share, refund.seller("a").commission, refund.seller("a").net) == (750, 75, 675)
    assert (refund.seller("b").share, refund.seller("b").commission, refund.seller("b").net) == (250, 25, 225)
    assert refund.tax == 80
    assert seller_entitlement(split, "a", 1080) == 2700 - 675


def test_a_full_refund_gives_everything_back() -> None:
    split = split_order([("a", 1234), ("b", 999), ("c", 1)], tax=178, shipping=599, commission_bps=1000)
    refund = allocate_refund(split, split.total)
    for seller in split.sellers:
        back = refund.seller(seller.seller_id)
        assert (back.commission, back.net) == (seller.commission, seller.net)
        assert seller_entitlement(split, seller.seller_id, split.total) == 0
    assert (refund.tax, refund.shipping) == (178, 599)


def test_a_refund_above_the_total_is_refused() -> None:
    split = split_order([("a", 100)], tax=0, shipping=0, commission_bps=1000)
    with pytest.raises(ValueError, match="between 0"):
        allocate_refund(split, 101)


orders = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.integers(min_value=0, max_value=500_000)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(
    lines=orders,
    tax=st.integers(0, 50_000),
    shipping=st.integers(0, 2_000),
    bps=st.integers(0, 10_000),
    data=st.data(),
)
def test_money_invariants(lines: list[tuple[str, int]], tax: int, shipping: int, bps: int, data: st.DataObject) -> None:
    split = split_order(lines, tax=tax, shipping=shipping, commission_bps=bps)
    # The split of a payment adds up: total = sum(net) + sum(commission) + tax + shipping
    assert split.total == sum(s.net + s.commission for s in split.sellers) + tax + shipping
    assert all(0 <= s.commission <= s.gross and s.net >= 0 for s in split.sellers)
    # Any sequence of refunds (cumulative totals) allocates exactly what was refunded
    cuts = sorted(data.draw(st.lists(st.integers(0, split.total), max_size=5)))
    previous = allocate_refund(split, 0)
    given_back = 0
    for total in cuts:
        now = allocate_refund(split, total)
        delta = (
            sum(n.commission + n.net - p.commission - p.net for n, p in zip(now.sellers, previous.sellers, strict=True))
            + (now.tax - previous.tax)
            + (now.shipping - previous.shipping)
        )
        given_back += delta
        assert given_back == total  # payments - refunds = earnings + commission + tax + shipping
        for seller in split.sellers:
            back = now.seller(seller.seller_id)
            assert back.commission + back.net == back.share
            assert 0 <= back.commission <= seller.commission
            assert 0 <= back.net <= seller.net
            # A payout never exceeds what was paid, minus refunds and commission
            owed = seller_entitlement(split, seller.seller_id, total)
            assert 0 <= owed <= seller.net
        assert 0 <= now.tax <= tax
        assert 0 <= now.shipping <= shipping
        previous = now


@settings(max_examples=300, deadline=None)
@given(total=st.integers(0, 10**9), weights=st.lists(st.integers(0, 10**7), min_size=1, max_size=12))
def test_largest_remainder_is_exact_and_within_one_cent_of_the_quota(total: int, weights: list[int]) -> None:
    if sum(weights) == 0:
        total = 0
    shares = largest_remainder(total, weights)
    assert sum(shares) == total
    whole = sum(weights) or 1
    for share, weight in zip(shares, weights, strict=True):
        assert total * weight // whole <= share <= -(-total * weight // whole)
