"""The pure rules: card values, scores with soft aces, the dealer's policy, dealing, moves, settling."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shared.blackjack import rules
from shared.blackjack.errors import DoubleNotAllowed, GameOver
from shared.blackjack.rules import Card, GameState

ALL_CARDS = rules.full_deck()


def hand(*codes: str) -> tuple[Card, ...]:
    return tuple(Card.from_code(code) for code in codes)


def stacked(*codes: str) -> list[Card]:
    """A full deck whose first cards are ``codes`` (in dealing order), the rest in any order."""
    top = list(hand(*codes))
    return top + [card for card in ALL_CARDS if card not in top]


def test_full_deck_is_52_distinct_cards_named_as_in_the_seed() -> None:
    assert len(ALL_CARDS) == 52
    assert len(set(ALL_CARDS)) == 52
    assert {card.suit for card in ALL_CARDS} == {"hearts", "diamonds", "clubs", "spades"}
    assert [card.rank for card in ALL_CARDS[:13]] == ["A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K"]


@pytest.mark.parametrize(
    ("code", "value"), [("AH", 11), ("2D", 2), ("9C", 9), ("10S", 10), ("JH", 10), ("QD", 10), ("KC", 10)]
)
def test_card_values(code: str, value: int) -> None:
    assert Card.from_code(code).value == value


def test_card_codes_round_trip() -> None:
    for card in ALL_CARDS:
        assert Card.from_code(card.code) == card


def test_not_a_card_is_refused() -> None:
    with pytest.raises(ValueError, match="not a card"):
        Card.from_code("1X")


@pytest.mark.parametrize(
    ("codes", "total", "soft"),
    [
        (("AH", "KD"), 21, True),
        (("AH", "AD"), 12, True),
        (("AH", "AD", "AC", "AS"), 14, True),
        (("AH", "6D"), 17, True),
        (("AH", "6D", "10C"), 17, False),
        (("KH", "QD", "2C"), 22, False),
        (("AH", "AD", "9C"), 21, True),
        (("AH", "5D", "AC", "KS"), 17, False),
        (("7H", "8D"), 15, False),
    ],
)
def test_hand_values(codes: tuple[str, ...], total: int, soft: bool) -> None:
    assert rules.hand_value(hand(*codes)) == (total, soft)


@given(st.lists(st.sampled_from(ALL_CARDS), min_size=1, max_size=12, unique=True))
def test_score_is_the_best_total_not_over_21_if_any(cards: list[Card]) -> None:
    aces = sum(1 for card in cards if card.rank == "A")
    hard = sum(1 if card.rank == "A" else card.value for card in cards)
    candidates = [hard + 10 * k for k in range(aces + 1)]
    best = max((c for c in candidates if c <= 21), default=min(candidates))
    assert rules.score(cards) == best


@pytest.mark.parametrize(
    ("codes", "soft17", "hits"),
    [
        (("10H", "6D"), False, True),
        (("10H", "7D"), False, False),
        (("AH", "6D"), False, False),
        (("AH", "6D"), True, True),
        (("10H", "7D"), True, False),
        (("AH", "7D"), True, False),
        (("5H", "AD", "AC"), False, False),
        (("5H", "AD", "AC"), True, True),
        (("4H", "AD", "AC"), False, True),
    ],
)
def test_dealer_policy(codes: tuple[str, ...], soft17: bool, hits: bool) -> None:
    assert rules.dealer_should_hit(hand(*codes), soft17) is hits


@given(st.permutations(ALL_CARDS), st.booleans())
def test_dealer_ends_on_17_or_more_or_bust(deck: list[Card], soft17: bool) -> None:
    state = rules.deal(deck)
    if state.is_over:
        return
    final = rules.stand(state, soft17)
    total, soft = rules.hand_value(final.dealer)
    assert total >= 17
    assert not (soft17 and soft and total == 17)
    # the dealer stopped as soon as the policy said so
    assert not rules.dealer_should_hit(final.dealer, soft17)
    assert all(rules.dealer_should_hit(final.dealer[:n], soft17) for n in range(2, len(final.dealer)))


def test_deal_order_player_two_then_dealer_two() -> None:
    state = rules.deal(stacked("2H", "3H", "4H", "5H"))
    assert state.player == hand("2H", "3H")
    assert state.dealer == hand("4H", "5H")
    assert state.up_card == Card("4", "hearts")
    assert state.drawn == 4
    assert state.status == "active"
    assert state.result is None


@pytest.mark.parametrize(
    ("codes", "status", "result"),
    [
        (("AH", "KH", "9C", "8C"), "blackjack", "win"),
        (("AH", "KH", "AC", "QC"), "tie", "tie"),
        (("9H", "8H", "AC", "QC"), "dealer_win", "loss"),
    ],
)
def test_naturals_are_settled_at_the_deal(codes: tuple[str, ...], status: str, result: str) -> None:
    state = rules.deal(stacked(*codes))
    assert state.status == status
    assert state.result == result
    assert state.is_over


def test_deal_refuses_anything_but_one_full_deck() -> None:
    with pytest.raises(ValueError, match="52 distinct"):
        rules.deal(ALL_CARDS[:51])
    with pytest.raises(ValueError, match="52 distinct"):
        rules.deal([ALL_CARDS[0], *ALL_CARDS[:51]])


def test_hit_draws_the_next_card_and_bust_loses() -> None:
    state = rules.deal(stacked("10H", "6H", "9C", "8C", "5D", "KD"))
    state = rules.hit(state)
    assert state.player == hand("10H", "6H", "5D")
    assert state.status == "active"
    state = rules.hit(state)
    assert state.player_score == 31
    assert state.status == "player_bust"
    assert state.result == "loss"


def test_stand_lets_the_dealer_draw_to_17_and_settles() -> None:
    state = rules.deal(stacked("10H", "9H", "5C", "6C", "2D", "3D", "KD"))
    final = rules.stand(state)
    assert final.dealer == hand("5C", "6C", "2D", "3D", "KD")
    assert final.drawn == 7
    assert final.status == "dealer_bust"


def test_stand_outcomes() -> None:
    # dealer 16 draws K -> 26 bust
    assert rules.stand(rules.deal(stacked("10H", "8H", "10C", "6C", "KD"))).status == "dealer_bust"
    # player 20 vs dealer 18
    assert rules.stand(rules.deal(stacked("10H", "QH", "10C", "8C"))).status == "player_win"
    # player 17 vs dealer 19
    assert rules.stand(rules.deal(stacked("10H", "7H", "10C", "9C"))).status == "dealer_win"
    # 18 each
    assert rules.stand(rules.deal(stacked("10H", "8H", "10C", "8C"))).status == "tie"


def test_soft_17_setting_changes_the_dealer() -> None:
    deck = stacked("10H", "9H", "AC", "6C", "3D")
    assert rules.stand(rules.deal(deck), hit_soft_17=False).dealer == hand("AC", "6C")
    assert rules.stand(rules.deal(deck), hit_soft_17=True).dealer == hand("AC", "6C", "3D")


def test_double_draws_one_card_then_stands() -> None:
    state = rules.deal(stacked("5H", "6H", "10C", "7C", "KD", "2S"))
    final = rules.double(state)
    assert final.player == hand("5H", "6H", "KD")
    assert final.doubled
    assert final.dealer == hand("10C", "7C")
    assert final.status == "player_win"


def test_double_only_on_the_first_two_cards() -> None:
    state = rules.hit(rules.deal(stacked("2H", "3H", "10C", "7C", "4D")))
    with pytest.raises(DoubleNotAllowed):
        rules.double(state)


def test_double_that_busts_loses_without_the_dealer_drawing() -> None:
    state = rules.deal(stacked("6H", "6D", "10C", "5C", "KD", "KS"))
    final = rules.double(state)
    assert final.status == "player_bust"
    assert final.dealer == hand("10C", "5C")


@pytest.mark.parametrize("move", [rules.hit, rules.stand, rules.double])
def test_no_move_after_the_game_is_over(move: object) -> None:
    over = rules.stand(rules.deal(stacked("10H", "QH", "10C", "8C")))
    with pytest.raises(GameOver):
        move(over)  # type: ignore[operator]


def test_settle_and_results() -> None:
    assert rules.settle(hand("KH", "QH", "5C"), hand("10C", "7C")) == "player_bust"
    assert [rules.result_for(status) for status in rules.STATUSES] == [None, "loss", "win", "win", "loss", "tie", "win"]


@given(st.permutations(ALL_CARDS), st.lists(st.sampled_from(["hit", "stand", "double"]), max_size=12), st.booleans())
def test_any_game_ends_consistently_with_its_cards(deck: list[Card], moves: list[str], soft17: bool) -> None:
    state: GameState = rules.deal(deck)
    for name in moves:
        if state.is_over:
            break
        if name == "double" and len(state.player) != 2:
            continue
        if name == "hit":
            state = rules.hit(state)
        elif name == "stand":
            state = rules.stand(state, soft17)
        else:
            state = rules.double(state, soft17)
    # the cards dealt are the top of the deck, each exactly once
    dealt = list(state.player) + list(state.dealer)
    assert sorted(dealt) == sorted(state.deck[: state.drawn])
    assert len(set(dealt)) == len(dealt)
    if not state.is_over:
        state = rules.stand(state, soft17)
    # a two-card 21 can only come from the deal, where naturals are settled
    if rules.is_natural(state.player):
        expected = "tie" if rules.is_natural(state.dealer) else "blackjack"
    elif rules.is_natural(state.dealer):
        expected = "dealer_win"
    else:
        expected = rules.settle(state.player, state.dealer)
    assert state.status == expected
    assert state.result is not None
