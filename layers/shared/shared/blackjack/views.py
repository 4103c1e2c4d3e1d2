"""Items → API models: the one place that decides what a player sees of a game.

While a game is active its response shows the player's cards and score, the dealer's up card
and that card's score, and the hole card only as ``{"hidden": true}``; never the deck, the cards
left, or the server seed. Once it is over, every card and the server seed are shown.
"""

from __future__ import annotations

from typing import cast

from shared.blackjack import rules
from shared.blackjack.models import GameItem, StatsItem, split_cards
from shared.blackjack.rules import Card, Result, Status, Suit
from shared.blackjack.schemas import CardOut, GameOut, HiddenCardOut, LeaderboardEntryOut, StatsOut, VerifyOut


def card_out(card: Card) -> CardOut:
    return CardOut(suit=cast(Suit, card.suit), rank=card.rank, value=card.value)


def cards(text: str) -> list[Card]:
    return [Card.from_code(code) for code in split_cards(text)]


def game_state(game: GameItem) -> rules.GameState:
    return rules.GameState(
        deck=tuple(cards(game.deck)),
        drawn=int(game.drawn),
        player=tuple(cards(game.player_cards)),
        dealer=tuple(cards(game.dealer_cards)),
        status=cast(Status, game.status),
        doubled=bool(game.doubled),
    )


def game_out(game: GameItem) -> GameOut:
    player = cards(game.player_cards)
    dealer = cards(game.dealer_cards)
    over = game.status != "active"
    dealer_hand: list[CardOut | HiddenCardOut]
    if over:
        dealer_hand = [card_out(card) for card in dealer]
        dealer_score = rules.score(dealer)
    else:
        dealer_hand = [card_out(dealer[0]), *(HiddenCardOut() for _ in dealer[1:])]
        dealer_score = rules.score(dealer[:1])
    return GameOut(
        game_id=game.game_id,
        player_hand=[card_out(card) for card in player],
        dealer_hand=dealer_hand,
        player_score=rules.score(player),
        dealer_score=dealer_score,
        is_player_turn=not over,
        is_game_over=over,
        game_status=cast(Status, game.status),
        result=cast(Result | None, game.result),
        doubled=bool(game.doubled),
        created_at=game.created_at,
        updated_at=game.updated_at,
        finished_at=game.finished_at,
        server_seed_hash=game.server_seed_hash,
        client_seed=game.client_seed,
        server_seed=game.server_seed if over else None,
    )


def verify_out(game: GameItem, deck: list[Card]) -> VerifyOut:
    return VerifyOut(
        game_id=game.game_id,
        server_seed=game.server_seed,
        server_seed_hash=game.server_seed_hash,
        client_seed=game.client_seed,
        deck=[card_out(card) for card in deck],
    )


def win_basis_points(wins: int, total: int) -> int:
    """wins / total in hundredths of a percent (0..10000), rounded half up."""
    if total <= 0:
        return 0
    return (wins * 20_000 + total) // (2 * total)


def stats_out(stats: StatsItem) -> StatsOut:
    total, wins = int(stats.total_games or 0), int(stats.wins or 0)
    return StatsOut(
        user_id=stats.user_id,
        name=stats.name,
        total_games=total,
        wins=wins,
        losses=int(stats.losses or 0),
        ties=int(stats.ties or 0),
        blackjacks=int(stats.blackjacks or 0),
        win_percentage=win_basis_points(wins, total) / 100,
        updated_at=stats.updated_at,
    )


def leaderboard_entry(stats: StatsItem, rank: int) -> LeaderboardEntryOut:
    return LeaderboardEntryOut(**stats_out(stats).model_dump(), rank=rank)
