"""The leaderboard's index key sorts players exactly as the leaderboard promises."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from shared.blackjack.models import leaderboard_sk
from shared.blackjack.views import win_basis_points

records = st.integers(min_value=1, max_value=100_000).flatmap(
    lambda total: st.tuples(st.integers(min_value=0, max_value=total), st.just(total))
)
players = st.lists(
    st.tuples(records, st.integers(min_value=1_600_000_000_000, max_value=2_000_000_000_000)), min_size=2, max_size=30
)


@given(players)
def test_descending_key_order_is_percentage_then_games_then_earlier(entries: list[tuple[tuple[int, int], int]]) -> None:
    keyed = []
    for n, ((wins, total), at_ms) in enumerate(entries):
        user_id = f"user-{n:03d}"
        keyed.append(
            (leaderboard_sk(win_basis_points(wins, total), total, at_ms, user_id), wins, total, at_ms, user_id)
        )

    by_key = [entry[4] for entry in sorted(keyed, key=lambda e: e[0], reverse=True)]
    expected = [
        entry[4]
        for entry in sorted(keyed, key=lambda e: (-win_basis_points(e[1], e[2]), -e[2], e[3], [-ord(c) for c in e[4]]))
    ]
    assert by_key == expected


def test_win_percentage_rounds_half_up_to_two_decimals() -> None:
    assert win_basis_points(2, 3) == 6667
    assert win_basis_points(1, 3) == 3333
    assert win_basis_points(1, 8) == 1250
    assert win_basis_points(1, 16) == 625  # 6.25 exactly
    assert win_basis_points(1, 32) == 313  # 3.125 -> 3.13
    assert win_basis_points(0, 0) == 0
    assert win_basis_points(5, 5) == 10_000
