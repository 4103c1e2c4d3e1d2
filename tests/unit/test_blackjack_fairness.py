"""Provably fair shuffle: a deterministic, documented function of the two seeds."""

from __future__ import annotations

import hashlib
import hmac
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from shared.blackjack import fairness
from shared.blackjack.rules import full_deck

seeds = st.text(min_size=1, max_size=64)


@settings(max_examples=50)
@given(seeds, seeds)
def test_deck_is_one_full_deck_and_deterministic(server_seed: str, client_seed: str) -> None:
    deck = fairness.deck_from_seeds(server_seed, client_seed)
    assert len(deck) == 52
    assert sorted(deck) == sorted(full_deck())
    assert fairness.deck_from_seeds(server_seed, client_seed) == deck


def test_either_seed_changes_the_deck() -> None:
    base = fairness.deck_from_seeds("server", "client")
    assert fairness.deck_from_seeds("server2", "client") != base
    assert fairness.deck_from_seeds("server", "client2") != base


def test_documented_algorithm_reimplemented_independently() -> None:
    """A verifier following only the README's description gets the same deck."""
    server_seed, client_seed = "a" * 64, "my-lucky-seed"
    words: list[int] = []
    for counter in range(40):
        block = hmac.new(server_seed.encode(), f"{client_seed}:{counter}".encode(), hashlib.sha256).digest()
        words += [int.from_bytes(block[i : i + 4], "big") for i in range(0, 32, 4)]
    cards = [
        (rank, suit)
        for suit in ("hearts", "diamonds", "clubs", "spades")
        for rank in ("A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K")
    ]
    stream = iter(words)
    for i in range(51, 0, -1):
        bound = i + 1
        while (x := next(stream)) >= 2**32 - 2**32 % bound:
            pass
        j = x % bound
        cards[i], cards[j] = cards[j], cards[i]

    assert [(c.rank, c.suit) for c in fairness.deck_from_seeds(server_seed, client_seed)] == cards


def test_server_seed_is_random_and_only_its_hash_is_shown() -> None:
    first, second = fairness.new_server_seed(), fairness.new_server_seed()
    assert first != second
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert fairness.seed_hash(first) == hashlib.sha256(first.encode()).hexdigest()
    assert fairness.seed_hash(first) != first
    assert re.fullmatch(r"[0-9a-f]{32}", fairness.new_client_seed())


def test_positions_are_roughly_uniform() -> None:
    """Each card lands in the first position about 1/52 of the time (no gross bias)."""
    counts: dict[str, int] = {}
    runs = 2600
    for n in range(runs):
        top = fairness.deck_from_seeds("bias-check", str(n))[0].code
        counts[top] = counts.get(top, 0) + 1
    assert len(counts) == 52
    assert max(counts.values()) < 3 * runs / 52
