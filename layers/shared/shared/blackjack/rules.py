"""The rules of the game, pure: cards, scores, the dealer's policy, dealing, moves, settling.

No I/O and no randomness here: a game is a function of its (already shuffled) deck and the
player's moves, which is what makes it replayable and provably fair (see
:mod:`shared.blackjack.fairness`).

Rules
=====
* One 52-card deck per game. The deal takes the first four cards: the player gets cards 1-2,
  the dealer cards 3-4 (card 3 is the dealer's up card, card 4 the hole card); every later card
  is drawn from the top in order.
* Aces count 11 or 1, whichever is best; J, Q and K count 10. A card's listed ``value`` is
  11 for an ace (the seed's convention); scores apply the 1-or-11 rule.
* Naturals are settled at the deal: player blackjack and dealer blackjack → ``tie``; player
  only → ``blackjack`` (a win); dealer only → ``dealer_win``.
* The player hits until they stand, double or bust (over 21 → ``player_bust``). Doubling draws
  exactly one card and then stands; it is allowed only on the first two cards.
* The dealer then draws until 17 or more and stands; with ``hit_soft_17`` the dealer also hits
  a soft 17 (a 17 counting an ace as 11).
* Settle: dealer over 21 → ``dealer_bust``; higher score wins (``player_win``/``dealer_win``);
  equal → ``tie``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, get_args

from shared.blackjack.errors import DoubleNotAllowed, GameOver

SUITS = ("hearts", "diamonds", "clubs", "spades")
RANKS = ("A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K")
_SUIT_BY_LETTER = {suit[0].upper(): suit for suit in SUITS}

Suit = Literal["hearts", "diamonds", "clubs", "spades"]
Status = Literal["active", "player_bust", "dealer_bust", "player_win", "dealer_win", "tie", "blackjack"]
Result = Literal["win", "loss", "tie"]
STATUSES: tuple[Status, ...] = get_args(Status)
RESULTS: dict[Status, Result] = {
    "blackjack": "win",
    "player_win": "win",
    "dealer_bust": "win",
    "dealer_win": "loss",
    "player_bust": "loss",
    "tie": "tie",
}
DEALER_STANDS_ON = 17
BLACKJACK = 21


@dataclass(frozen=True, order=True)
class Card:
    rank: str
    suit: str

    def __post_init__(self) -> None:
        if self.rank not in RANKS or self.suit not in SUITS:
            raise ValueError(f"not a card: {self.rank} of {self.suit}")

    @property
    def value(self) -> int:
        """11 for an ace, 10 for a face card, else the number on it."""
        if self.rank == "A":
            return 11
        if self.rank in ("J", "Q", "K"):
            return 10
        return int(self.rank)

    @property
    def code(self) -> str:
        """Compact form for storage: rank + suit initial, e.g. ``"10H"``, ``"AS"``."""
        return f"{self.rank}{self.suit[0].upper()}"

    @classmethod
    def from_code(cls, code: str) -> Card:
        return cls(code[:-1], _SUIT_BY_LETTER.get(code[-1:], "?"))


def full_deck() -> list[Card]:
    """The 52 cards in the canonical order the shuffle starts from: suits as in :data:`SUITS`,
    each from ace to king."""
    return [Card(rank, suit) for suit in SUITS for rank in RANKS]


def hand_value(cards: tuple[Card, ...] | list[Card]) -> tuple[int, bool]:
    """``(best total, soft)``: aces count 11 while that does not bust the hand; ``soft`` says
    an ace is still counted as 11."""
    total = sum(card.value for card in cards)
    aces = sum(1 for card in cards if card.rank == "A")
    while total > BLACKJACK and aces:
        total -= 10
        aces -= 1
    return total, aces > 0


def score(cards: tuple[Card, ...] | list[Card]) -> int:
    return hand_value(cards)[0]


def is_natural(cards: tuple[Card, ...] | list[Card]) -> bool:
    return len(cards) == 2 and score(cards) == BLACKJACK


def dealer_should_hit(cards: tuple[Card, ...] | list[Card], hit_soft_17: bool) -> bool:
    total, soft = hand_value(cards)
    return total < DEALER_STANDS_ON or (hit_soft_17 and soft and total == DEALER_STANDS_ON)


def result_for(status: Status) -> Result | None:
    """``win``/``loss``/``tie`` once the game is over, ``None`` while it is active."""
    return RESULTS.get(status)


def settle(player: tuple[Card, ...] | list[Card], dealer: tuple[Card, ...] | list[Card]) -> Status:
    """The outcome once both hands are complete (the player has not bust)."""
    player_total, dealer_total = score(player), score(dealer)
    if player_total > BLACKJACK:
        return "player_bust"
    if dealer_total > BLACKJACK:
        return "dealer_bust"
    if player_total > dealer_total:
        return "player_win"
    if dealer_total > player_total:
        return "dealer_win"
    return "tie"


@dataclass(frozen=True)
class GameState:
    """One game: its whole deck (in dealing order), how many cards were drawn, both hands."""

    deck: tuple[Card, ...]
    drawn: int
    player: tuple[Card, ...]
    dealer: tuple[Card, ...]
    status: Status = "active"
    doubled: bool = False

    @property
    def is_over(self) -> bool:
        return self.status != "active"

    @property
    def result(self) -> Result | None:
        return result_for(self.status)

    @property
    def player_score(self) -> int:
        return score(self.player)

    @property
    def dealer_score(self) -> int:
        return score(self.dealer)

    @property
    def up_card(self) -> Card:
        return self.dealer[0]

    def _draw(self) -> tuple[Card, GameState]:
        if self.drawn >= len(self.deck):  # cannot happen with 52 cards and one player
            raise RuntimeError("the deck is exhausted")
        return self.deck[self.drawn], replace(self, drawn=self.drawn + 1)


def deal(deck: list[Card] | tuple[Card, ...]) -> GameState:
    """Deal from a shuffled deck and settle naturals."""
    cards = tuple(deck)
    if len(cards) != 52 or len(set(cards)) != 52:
        raise ValueError("a game needs one full deck of 52 distinct cards")
    state = GameState(deck=cards, drawn=4, player=cards[0:2], dealer=cards[2:4])
    player, dealer = is_natural(state.player), is_natural(state.dealer)
    if player and dealer:
        return replace(state, status="tie")
    if player:
        return replace(state, status="blackjack")
    if dealer:
        return replace(state, status="dealer_win")
    return state


def _require_active(state: GameState) -> None:
    if state.is_over:
        raise GameOver()


def hit(state: GameState) -> GameState:
    """One more card for the player; over 21 ends the game. Raises :class:`GameOver`."""
    _require_active(state)
    card, state = state._draw()
    state = replace(state, player=(*state.player, card))
    if state.player_score > BLACKJACK:
        return replace(state, status="player_bust")
    return state


def dealer_plays(state: GameState, hit_soft_17: bool) -> GameState:
    while dealer_should_hit(state.dealer, hit_soft_17):
        card, state = state._draw()
        state = replace(state, dealer=(*state.dealer, card))
    return state


def stand(state: GameState, hit_soft_17: bool = False) -> GameState:
    """The player stands: the dealer plays out and the game is settled. Raises :class:`GameOver`."""
    _require_active(state)
    state = dealer_plays(state, hit_soft_17)
    return replace(state, status=settle(state.player, state.dealer))


def double(state: GameState, hit_soft_17: bool = False) -> GameState:
    """Exactly one more card, then stand. Raises :class:`GameOver`, :class:`DoubleNotAllowed`
    (not on the first two cards)."""
    _require_active(state)
    if len(state.player) != 2:
        raise DoubleNotAllowed()
    state = replace(hit(state), doubled=True)
    if state.is_over:
        return state
    return stand(state, hit_soft_17)
